-- wrk script of the signed-GET benchmarks (m10_card_view.sh, SCENARIO=m10|m27): cycles through
-- precomputed signed request paths.
-- Usage: wrk ... -s signed_paths.lua http://127.0.0.1:8080 -- <paths file>
-- Lean on purpose (wrk shares 2 cores with the server and PostgreSQL): every request is formatted
-- once in init(), request() only returns the next one, and there is no response() hook (it would
-- make wrk keep every body); correctness is checked by m10_card_view.sh (database rows, a sample).

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local reqs, n, i = {}, 0, 0

function init(args)
  for path in io.lines(args[1]) do
    n = n + 1
    reqs[n] = wrk.format("GET", path)
  end
  if n == 0 then error("no request paths in " .. tostring(args[1])) end
  -- Threads start at different offsets (a prime stride) so they do not send the same sequence.
  i = (tid * 7919) % n
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
    "mean_us=%.0f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
