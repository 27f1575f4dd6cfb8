-- wrk script: the nested catalog query of the benchmark, POSTed as GraphQL over HTTP.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"{ informationSystems(first: 20, filter: {securityLevel: 3}) { totalCount edges { node { name securityLevel agency { name province { name } } } } } }"}'
