-- wrk script: the costliest query the default limits accept (cost just under max_query_cost = 5,000): three pages
-- of 100 rows with nested objects.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"{ a: informationSystems(first: 100, orderBy: NAME_DESC) { totalCount edges { cursor node { id code name description securityLevel approvalState processesPersonalData agency { name kind province { name code } } } } } b: projects(first: 100) { edges { node { name total { printed millionVnd } leadAgency { name } } } } c: agencies(first: 100) { nodes { name kind province { name } } } }"}'
