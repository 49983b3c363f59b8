-- wrk script: POST AuthZEN evaluations against a local `molehunt serve` (default policies).
-- Single:  TOKEN=mh_... wrk -t1 -c32 -d10s -s crates/server/bench/authzen.lua http://127.0.0.1:8080/access/v1/evaluation
-- Batch:   TOKEN=mh_... BATCH=10 wrk -t1 -c32 -d10s -s crates/server/bench/authzen.lua http://127.0.0.1:8080/access/v1/evaluations
-- Requests rotate over users, actions and resources of policies/entities.json. With BATCH=n each
-- request carries n evaluations (subject and context as top-level defaults). The summary line
-- gives decisions per second (requests/s times n) and counts errors
-- (wrk counts answers of status 400 and above, and socket errors).
local token = os.getenv("TOKEN") or ""
local batch = tonumber(os.getenv("BATCH") or "0") or 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local users = {"alice@example.com", "bob@example.com", "carol@example.com"}
local targets = {
  {"read", "Repository", "payments"},
  {"write", "Repository", "payments"},
  {"deploy", "Host", "prod-db-1"},
  {"read", "Document", "handbook"},
}
local ctx = '{"ip":"198.51.100.7","device":{"managed":true}}'
local bodies = {}
for ui, u in ipairs(users) do
  if batch > 0 then
    local items = {}
    for k = 1, batch do
      local t = targets[((k + ui) % #targets) + 1]
      items[#items + 1] = string.format('{"action":{"name":"%s"},"resource":{"type":"%s","id":"%s"}}', t[1], t[2], t[3])
    end
    bodies[#bodies + 1] = string.format('{"subject":{"type":"User","id":"%s"},"context":%s,"evaluations":[%s]}',
      u, ctx, table.concat(items, ","))
  else
    for _, t in ipairs(targets) do
      bodies[#bodies + 1] = string.format(
        '{"subject":{"type":"User","id":"%s"},"action":{"name":"%s"},"resource":{"type":"%s","id":"%s"},"context":%s}',
        u, t[1], t[2], t[3], ctx)
    end
  end
end

local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end

done = function(summary, latency, requests)
  local per = math.max(batch, 1)
  local secs = summary.duration / 1e6
  io.write(string.format("requests/s %.0f, decisions/s %.0f (%d per request), latency p50 %.0f us, p99 %.0f us, errors %d\n",
    summary.requests / secs, summary.requests * per / secs, per,
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status))
end
