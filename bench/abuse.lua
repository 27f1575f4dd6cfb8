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
local kind = os.getenv("ABUSE_KIND")
local n = 0

request = function()
  local k = kind
  if k == nil or k == "" or k == "all" then
    n = n + 1
    k = order[(n % #order) + 1]
  end
  return wrk.format(nil, nil, nil, bodies[k])
end
