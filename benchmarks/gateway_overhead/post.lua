-- wrk script: POST a JSON chat request and print a machine-readable summary.
--
-- The body comes from the file named by $WRK_BODY_FILE (bench.py writes it); extra request
-- headers are passed with wrk -H.  If the body contains the marker #N#, every request replaces
-- it with a fresh number, so no two requests have the same text: a gateway that caches per-text
-- work (Perimeter's privacy scan does) is measured doing that work, not answering from its cache.
-- done() prints one line "WRK_JSON {...}" that bench.py parses, so the numbers do not depend on
-- wrk's human-readable output format.
local path = os.getenv("WRK_BODY_FILE")
assert(path, "set WRK_BODY_FILE to the JSON request body")
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local head, tail = body:match("^(.-)#N#(.*)$")
if head == nil then
   wrk.body = body
else
   local threads = 0
   function setup(thread)
      threads = threads + 1
      thread:set("tid", threads)
   end

   local n = 0
   function request()
      n = n + 1
      return wrk.format(nil, nil, nil, head .. tid .. "-" .. n .. tail)
   end
end

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
