-- Rotate through prepared requests, one list per scenario, and report one JSON line at the end.
--
--   wrk -t2 -c8 -d60s -s bench/wrk/rotate.lua http://127.0.0.1:PORT -- requests.tsv 2
--
-- The file (written by bench/load.py) has one request a line, fields separated by tabs:
--   METHOD <tab> PATH <tab> BODY <tab> Header: value <tab> Header: value ...
-- BODY is url-encoded (no tabs or newlines); "-" means none. Thread n of N starts at
-- line 1 + (n-1)*lines/N and goes on in order, wrapping round, so the threads spread over
-- all targets (bids, assignments) instead of hammering the same rows.

local threads = {}
local created = 0

function setup(thread)
  created = created + 1
  thread:set("id", created)
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local path, total_threads = args[1], tonumber(args[2] or "1")
  local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  prepared = {}
  for line in file:lines() do
    if line ~= "" then
      local f = split(line)
      local headers = {}
      for i = 4, #f do
        local name, value = f[i]:match("^([^:]+):%s*(.*)$")
        if name then headers[name] = value end
      end
      local body = f[3] ~= "-" and f[3] or nil
      table.insert(prepared, wrk.format(f[1], f[2], headers, body))
    end
  end
  file:close()
  assert(#prepared > 0, "no requests in " .. path)
  first = math.floor((id - 1) * #prepared / total_threads)
  position = first
  sent = 0
end

function request()
  local r = prepared[position % #prepared + 1]
  position = position + 1
  sent = sent + 1
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  local spans = {}
  for _, t in ipairs(threads) do
    table.insert(spans, string.format("[%d,%d]", t:get("first"), t:get("sent")))
  end
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
      '"status":%d,"timeout":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"spans":[%s]}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    table.concat(spans, ",")
  ))
end
