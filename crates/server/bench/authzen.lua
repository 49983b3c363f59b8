-- wrk script: POST AuthZEN evaluations against a local `molehunt serve`.
-- Usage: TOKEN=mh_... wrk -t1 -c32 -d10s -s crates/server/bench/authzen.lua http://127.0.0.1:8080/access/v1/evaluation
-- Requests rotate over users, actions and resources of policies/entities.json.
local token = os.getenv("TOKEN") or ""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local bodies = {}
local users = {"alice@example.com", "bob@example.com", "carol@example.com"}
local targets = {
  {"read", "Repository", "payments"},
  {"write", "Repository", "payments"},
  {"deploy", "Host", "prod-db-1"},
  {"read", "Document", "handbook"},
}
for _, u in ipairs(users) do
  for _, t in ipairs(targets) do
    bodies[#bodies + 1] = string.format(
      '{"subject":{"type":"User","id":"%s"},"action":{"name":"%s"},"resource":{"type":"%s","id":"%s"},"context":{"ip":"198.51.100.7","device":{"managed":true}}}',
      u, t[1], t[2], t[3])
  end
end

local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end

-- wrk itself reports "Non-2xx or 3xx responses" when any request failed.
done = function(summary, latency, requests)
  io.write(string.format("latency p50 %.0f us, p99 %.0f us\n", latency:percentile(50), latency:percentile(99)))
end
