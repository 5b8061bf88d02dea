-- wrk script: POST a fixed JSON body and print a machine-readable summary.
--
-- The body comes from the file named by $WRK_BODY_FILE (bench.py writes it); extra request
-- headers are passed with wrk -H.  done() prints one line "WRK_JSON {...}" that bench.py parses,
-- so the numbers do not depend on wrk's human-readable output format.
local path = os.getenv("WRK_BODY_FILE")
assert(path, "set WRK_BODY_FILE to the JSON request body")
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

-- No response() callback on purpose: it would make wrk copy every response into Lua and
-- steal CPU from the server under test.  wrk counts HTTP status >= 400 in errors.status.

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
