-- wrk script: requests the hub must refuse, in turn. ABUSE_KIND picks one kind, or all of them in rotation:
--   fanout    the nested agencies(first: 100) x 4 query (cost ~10^8)
--   aliases   10,000 aliases of provinces { name }
--   cycle     circular fragments
--   batch     a JSON array of 1,000 queries (batches are not accepted)
--   body      a 10 MB body (over the body limit)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local function json_string(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', '\\n') .. '"'
end

local fanout = '{ provinces { agencies(first: 100) { province { agencies(first: 100) { province { agencies(first: 100) { province { agencies(first: 100) { name } } } } } } } } }'
local parts = {}
for i = 0, 9999 do parts[#parts + 1] = "a" .. i .. ": provinces { name }" end
local aliases = "{ " .. table.concat(parts, " ") .. " }"
local cycle = "{ provinces { ...A } } fragment A on Province { name ...B } fragment B on Province { code ...A }"
local batch_items = {}
for i = 1, 1000 do batch_items[#batch_items + 1] = '{"query":"{ provinces { name } }"}' end

local bodies = {
  fanout = '{"query":' .. json_string(fanout) .. '}',
  aliases = '{"query":' .. json_string(aliases) .. '}',
  cycle = '{"query":' .. json_string(cycle) .. '}',
  batch = "[" .. table.concat(batch_items, ",") .. "]",
  body = '{"query":"{ __typename }","pad":"' .. string.rep("x", 10 * 1024 * 1024) .. '"}',
}
local order = { "fanout", "aliases", "cycle", "batch", "body" }
-- ABUSE_KIND: one kind, a comma-separated list of kinds (in rotation), or "all" (the default).
local kind = os.getenv("ABUSE_KIND")
if kind ~= nil and kind ~= "" and kind ~= "all" then
  order = {}
  for k in string.gmatch(kind, "[^,]+") do order[#order + 1] = k end
end
local n = 0

-- Each request is formatted once: building a 10 MB string per request would measure this script, not the hub.
local requests = {}
function init(args)
  for k, body in pairs(bodies) do requests[k] = wrk.format(nil, nil, nil, body) end
end

request = function()
  n = n + 1
  return requests[order[(n % #order) + 1]]
end
