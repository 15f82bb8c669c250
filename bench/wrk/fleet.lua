-- Requests spread over a seeded fleet (bench/seed_fleet.py): each request takes the next
-- line of MC_LINES (`token board task`) in this thread's share of the first MC_COUNT lines,
-- so consecutive requests come from different agents on different boards.
--   MC_KIND: list | comment | patch (a status round trip: in_progress, then inbox)
--   MC_AS:   agent (X-Agent-Token, a distinct X-Forwarded-For per request, the service
--            trusting the loopback proxy) | user (MC_TOKEN as the bearer)
local kind = os.getenv("MC_KIND")
local as = os.getenv("MC_AS")
local user_token = os.getenv("MC_TOKEN")
local count = tonumber(os.getenv("MC_COUNT"))
local lines = {}
for line in io.lines(os.getenv("MC_LINES")) do
  local token, board, task = line:match("(%S+) (%S+) (%S+)")
  lines[#lines + 1] = { token = token, board = board, task = task }
  if #lines >= count then break end
end
local threads = 0
local counter = 0
local state = {}
id = 0
-- fleet.sh always runs wrk with two threads
local nthreads = 2

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

request = function()
  counter = counter + 1
  -- this thread's lines are id, id + nthreads, ...
  local slots = math.floor(#lines / nthreads)
  local index = ((counter - 1) % slots) * nthreads + id
  local l = lines[index]
  local headers = { ["Content-Type"] = "application/json" }
  local prefix
  if as == "agent" then
    local n = counter
    headers["X-Agent-Token"] = l.token
    headers["X-Forwarded-For"] = string.format("%d.%d.%d.%d", 10 + id, math.floor(n / 65536) % 256,
      math.floor(n / 256) % 256, n % 256)
    prefix = "/api/v1/agent/boards/" .. l.board .. "/tasks"
  else
    headers["Authorization"] = "Bearer " .. user_token
    prefix = "/api/v1/boards/" .. l.board .. "/tasks"
  end
  if kind == "list" then
    return wrk.format("GET", prefix .. "?limit=20", headers)
  elseif kind == "comment" then
    return wrk.format("POST", prefix .. "/" .. l.task .. "/comments", headers, '{"message":"progress note from the fleet"}')
  else
    local to = state[index] == "in_progress" and "inbox" or "in_progress"
    state[index] = to
    return wrk.format("PATCH", prefix .. "/" .. l.task, headers, '{"status":"' .. to .. '"}')
  end
end
