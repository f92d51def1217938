-- wrk script: prints the run's figures as one JSON line (prefixed "JSON ") for run.sh.
-- Defines only done(), so wrk keeps its fast path (no per-response Lua call).
-- wrk counts every status >= 400 in errors.status: it is reported as non-2xx (the backend
-- only answers 200, and the proxies answer 4xx/5xx when they fail).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"status":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
