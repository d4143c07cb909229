-- POST BENCH_PATH with the JSON body BENCH_BODY and "Authorization: Bearer BENCH_TOKEN",
-- keep-alive: the management API's writes (every request registers a new API client).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

setup = common.setup
init = common.init
delay = common.delay
done = common.done
