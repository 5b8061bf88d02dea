-- wrk script: POST a JSON chat request and print a machine-readable summary.
--
-- The body comes from the file named by $WRK_BODY_FILE (bench.py writes it); extra request
-- headers are passed with wrk -H.  If the body contains the marker #N# (or #D#, below), every
-- request replaces it with a fresh number, so no two requests have the same text: a gateway that
-- caches per-text work (Perimeter's privacy scan does) is measured doing that work, not answering
-- from its cache.
-- done() prints one line "WRK_JSON {...}" that bench.py parses, so the numbers do not depend on
-- wrk's human-readable output format.
local path = os.getenv("WRK_BODY_FILE")
assert(path, "set WRK_BODY_FILE to the JSON request body")
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

-- Markers: #N# becomes "<run>-<thread>-<n>" (unique per request), #D# four digits that change
-- with every request (a phone number's last group).  <run> is random per wrk run: without it the
-- warm-up and every later run of the same target sent the same texts again, and the privacy
-- scan's cache (4,096 texts) answered the repeats — CPU per request swung 2x from run to run.
-- The body is split once here, so each request only concatenates a few strings.
local function run_salt()
   local u = io.open("/dev/urandom", "rb")
   if u == nil then return string.format("%x", os.time()) end
   local b = u:read(6)
   u:close()
   return (b:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
local salt = run_salt()
local parts, kinds = {}, {}
local rest = body
while true do
   local s, e, m = rest:find("#([ND])#")
   if s == nil then break end
   parts[#parts + 1] = rest:sub(1, s - 1)
   kinds[#kinds + 1] = m
   rest = rest:sub(e + 1)
end

if #kinds == 0 then
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
      local out = {}
      for i = 1, #kinds do
         out[#out + 1] = parts[i]
         if kinds[i] == "N" then
            out[#out + 1] = salt .. "-" .. tid .. "-" .. n
         else
            out[#out + 1] = string.format("%04d", (n * 7 + tid * 3331) % 10000)
         end
      end
      out[#out + 1] = rest
      return wrk.format(nil, nil, nil, table.concat(out))
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
