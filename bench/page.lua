-- wrk script for the reference: plain GETs of the home page.
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.0f %.0f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
