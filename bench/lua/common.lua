-- Shared by the wrk scripts of bench/run.sh: per-thread random seeds, optional pacing, and one
-- machine-readable summary line ("BENCH {json}") that run.sh parses instead of wrk's text.
--
-- Pacing (BENCH_RATE = total requests/s over BENCH_CONNECTIONS connections): wrk's delay() makes
-- each connection wait an exponentially distributed time, with mean connections/rate, before its
-- next request, so the connections together send about BENCH_RATE requests/s (minus the time each
-- request takes, which is small at the rates this is used for). wrk truncates the delay to whole
-- milliseconds and fires its timers on its event loop's millisecond ticks, so this is a Poisson
-- stream rounded to 1 ms: the requests of one tick leave together, a burstier load than Poisson
-- (docs/benchmarks.md, "The half-load p99 and the connection count"). Without pacing, wrk keeps
-- every connection busy (closed loop): that is the throughput measurement.
local M = {}

local threads = {}
local rate = tonumber(os.getenv("BENCH_RATE") or "")
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "")
local mean_gap_ms = (rate and connections) and (1000 * connections / rate) or nil

function M.setup(thread)
  thread:set("thread_index", #threads + 1)
  table.insert(threads, thread)
end

function M.init()
  math.randomseed((tonumber(thread_index) or 1) * 7919 + os.time())
end

-- nil unless pacing: a script that defines delay() at all makes wrk go through its timer for every
-- request, which the closed-loop runs must not pay.
M.delay = mean_gap_ms and function()
  return -math.log(1 - math.random()) * mean_gap_ms
end or nil

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"non_2xx":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout,
    e.status, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end

return M
