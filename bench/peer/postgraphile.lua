-- wrk script: PostGraphile v4's equivalent of the hub's nested catalog query (bench/nested.lua), POSTed as GraphQL.
-- Same rows and fields: the hub's default NAME order (name, id), `condition` for the hub's `filter`, and an alias so
-- that the agency's province reads `province` as in the hub's answer (bench/peer/check.py compares the two answers).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"{ informationSystems(first: 20, condition: {securityLevel: 3}, orderBy: [NAME_ASC, ID_ASC]) { totalCount edges { node { name securityLevel agency { name province: provinceByProvinceCode { name } } } } } }"}'
