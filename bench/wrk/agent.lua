-- An agent request with a distinct client address per request (the service trusts the
-- loopback proxy), so the per-IP agent-auth limiter admits every one of them.
-- MC_METHOD, MC_PATH, MC_AGENT_TOKEN come from the environment.
local token = os.getenv("MC_AGENT_TOKEN")
local path = os.getenv("MC_PATH")
local method = os.getenv("MC_METHOD") or "GET"
local threads = 0
local counter = 0
id = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

request = function()
  counter = counter + 1
  local n = counter
  -- 10+thread . n (24 bits): unique per thread and per request.
  local ip = string.format("%d.%d.%d.%d", 10 + id, math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format(method, path, { ["X-Agent-Token"] = token, ["X-Forwarded-For"] = ip })
end
