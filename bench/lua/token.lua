-- POST /oauth/token, client_credentials with client_secret_post, keep-alive.
--   BENCH_CLIENT_ID, BENCH_CLIENT_SECRET: one client (the request is built once)
--   BENCH_FIRST, BENCH_COUNT: instead, each request picks a random client i in
--     [FIRST, FIRST+COUNT) among those bench/seed_clients registered (m2morg_<2^24+i>, secret
--     "tessera_" + i in 43 digits)
--   BENCH_SCOPE: the scope parameter (both servers of the peer comparison get the same body)
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local scope = os.getenv("BENCH_SCOPE") or "deploy:applications read:deployments"
local first = tonumber(os.getenv("BENCH_FIRST") or "")
local count = tonumber(os.getenv("BENCH_COUNT") or "")
local path = os.getenv("BENCH_PATH") or "/oauth/token"
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

local function form(id, secret)
  return "grant_type=client_credentials&client_id=" .. id .. "&client_secret=" .. secret ..
         "&scope=" .. scope:gsub(" ", "+")
end

wrk.method = "POST"
wrk.path = path
wrk.headers["Content-Type"] = headers["Content-Type"]
if not first then
  wrk.body = form(os.getenv("BENCH_CLIENT_ID"), os.getenv("BENCH_CLIENT_SECRET"))
end

setup = common.setup
init = common.init
delay = common.delay
done = common.done

if first then
  local base = 16777216  -- 2^24, kBenchIdBase of bench/seed_clients.cpp
  request = function()
    local i = first + math.random(0, count - 1)
    local body = form("m2morg_" .. string.format("%d", base + i),
                      "tessera_" .. string.format("%043d", i))
    return wrk.format("POST", path, headers, body)
  end
end
