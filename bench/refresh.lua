-- wrk script: POST /api/v1/auth/refresh with a pool of refresh tokens that renews itself.
-- Each answer carries the successor of the token just used; it goes back into the pool.
-- The pool is loaded from the file named by the REFRESH_TOKENS environment variable.
local pool = {}

function init(args)
  local path = os.getenv("REFRESH_TOKENS")
  local index, threads = 0, tonumber(os.getenv("WRK_THREADS") or "1")
  local me = tonumber(wrk.thread:get("id") or 0)
  for line in io.lines(path) do
    if index % threads == me then table.insert(pool, line) end
    index = index + 1
  end
end

function setup(thread)
  thread:set("id", setup_count or 0)
  setup_count = (setup_count or 0) + 1
end

function request()
  local token = table.remove(pool) or "rt_exhausted"
  return wrk.format("POST", "/api/v1/auth/refresh", {["Content-Type"] = "application/json"},
    '{"refresh_token": "' .. token .. '"}')
end

function response(status, headers, body)
  local token = string.match(body, '"refresh_token":"([^"]+)"')
  if token then table.insert(pool, token) end
end
