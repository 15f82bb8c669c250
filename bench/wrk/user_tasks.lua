-- GET a board's task page as the local user.
local token = os.getenv("MC_TOKEN")
local path = os.getenv("MC_PATH")
request = function()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
