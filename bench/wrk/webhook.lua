-- Signed webhook deliveries (bench/webhooks.sh): each request posts a small JSON body with
-- its HMAC-SHA256 signature precomputed by the script (MC_BODY, MC_SIGNATURE), from a
-- distinct X-Forwarded-For per request so the per-IP ingest limit sees many senders.
local body = os.getenv("MC_BODY")
local signature = os.getenv("MC_SIGNATURE")
local path = os.getenv("MC_PATH")
local n = 0
request = function()
  n = n + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = signature,
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256),
  }
  return wrk.format("POST", path, headers, body)
end
