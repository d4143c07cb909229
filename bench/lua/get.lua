-- GET BENCH_PATH with keep-alive, optionally with "Authorization: Bearer" and
--   BENCH_TOKEN: one token for every request, or
--   BENCH_TOKENS_FILE: one token per line; each request takes the next (each thread starts at
--     its own offset), so consecutive requests carry distinct tokens.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local path = os.getenv("BENCH_PATH") or "/"
local token = os.getenv("BENCH_TOKEN")
local tokens_file = os.getenv("BENCH_TOKENS_FILE")

wrk.method = "GET"
wrk.path = path
if token then wrk.headers["Authorization"] = "Bearer " .. token end

setup = common.setup
delay = common.delay
done = common.done

local requests = nil
local next_index = 1
init = function(args)
  common.init()
  if not tokens_file then return end
  requests = {}
  for line in io.lines(tokens_file) do
    if #line > 0 then
      table.insert(requests, wrk.format("GET", path, { ["Authorization"] = "Bearer " .. line }))
    end
  end
  next_index = ((tonumber(thread_index) or 1) * 7919) % #requests + 1
end

if tokens_file then
  request = function()
    local r = requests[next_index]
    next_index = next_index % #requests + 1
    return r
  end
end
