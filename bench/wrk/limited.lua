-- The 429 path: one client address, far over its agent-auth budget.
local token = os.getenv("MC_AGENT_TOKEN")
request = function()
  return wrk.format("GET", "/api/v1/agent/healthz", { ["X-Agent-Token"] = token, ["X-Forwarded-For"] = "203.0.113.7" })
end
