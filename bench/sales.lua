-- wrk script: POST /api/v1/transactions, a sale of three items, each request with its own
-- Idempotency-Key. Reads TOKEN, CUSTOMER and ITEMS (three "article:batch:location" triples,
-- comma-separated) from the environment; DELAY_MS > 0 paces each connection (fixed-rate runs).
local counter = 0
-- Counted per thread as plain numbers: wrk copies numbers, not tables, between threads.
created = 0
refused = 0
local body, headers, delay_ms

function setup(thread)
  thread:set("id", setup_count or 0)
  setup_count = (setup_count or 0) + 1
  table.insert(threads, thread)
end
threads = {}

function init(args)
  local items = {}
  for triple in string.gmatch(os.getenv("ITEMS"), "[^,]+") do
    local article, batch, location = string.match(triple, "([^:]+):([^:]+):([^:]+)")
    table.insert(items, string.format(
      '{"articleId": "%s", "batchId": "%s", "locationId": "%s", "quantity": "1.5", "unitPrice": "0.89"}',
      article, batch, location))
  end
  body = string.format('{"kind": "sale", "partnerId": "%s", "date": "%s", "items": [%s]}',
    os.getenv("CUSTOMER"), os.getenv("DATE"), table.concat(items, ", "))
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("TOKEN")}
  delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
  prefix = os.getenv("RUN") .. "-" .. wrk.thread:get("id") .. "-"
end

function request()
  counter = counter + 1
  headers["Idempotency-Key"] = prefix .. counter
  return wrk.format("POST", "/api/v1/transactions", headers, body)
end

function delay()
  return delay_ms
end

function response(status, hdrs, resp)
  if status == 201 then created = created + 1 else refused = refused + 1 end
end

function done(summary, latency, requests)
  -- Totals over all threads, for the bench to check against the database.
  local c, r = 0, 0
  for _, thread in ipairs(threads) do
    c = c + (thread:get("created") or 0)
    r = r + (thread:get("refused") or 0)
  end
  io.write(string.format("status 201 %d\nstatus 0 %d\n", c, r))
end
