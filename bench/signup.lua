-- wrk script: each request is a full sign-up with a new address. The anti-forgery
-- cookie and token come from the environment (fetched once by bench/run.sh: the
-- token is valid for any request carrying the same cookie). Everything but the
-- address is built once, so that the load generator spends as little of the
-- machine as for the plain GETs it is compared with.
local counter = 0
local thread_id = 0
local threads = 0
local path, before, after

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "csrf=" .. os.getenv("BENCH_COOKIE")
  path = os.getenv("BENCH_PATH")
  before = "first_name=%C3%89lodie&last_name=N%E2%80%99Diaye&role=elected&function=Maire"
    .. "&authority_kind=commune&authority_name=Saint-%C3%89tienne&authority_code=42218&phone="
    .. "&email=" .. os.getenv("BENCH_RUN") .. "-" .. thread_id .. "-"
  after = "%40mairie.fr&csrf_token=" .. os.getenv("BENCH_TOKEN")
end

function request()
  counter = counter + 1
  return wrk.format(nil, path, nil, before .. counter .. after)
end

function done(summary, latency, requests)
  -- One machine-readable line for bench/run.sh.
  io.write(string.format("RESULT %d %d %.0f %.0f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
