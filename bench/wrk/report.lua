-- report.lua — prepended to every wrk script by bench/run: gives each
-- thread an id and prints one machine-readable line when wrk is done.
local next_tid = 0
setup = function(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d status_errors=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
