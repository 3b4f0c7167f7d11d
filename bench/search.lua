-- wrk script: authority searches as people type them (names, postcodes, codes).
local queries = { "saint", "saint%20etienne", "lyon", "42000", "l%27hay", "marseille", "bretagne",
  "244200770", "st%20martin", "paris", "ile", "metropole", "cc%20du%20pays", "2a004", "nantes", "bor" }
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", "/api/collectivites?limit=10&q=" .. queries[(i % #queries) + 1])
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.0f %.0f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
