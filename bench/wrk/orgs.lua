-- orgs.lua — POST /api/v1/orgs: each request creates one village service
-- station (one durable write unit) in a random village of REGIONS, with a
-- name unique across threads, requests and runs (TAG differs per run).
--   wrk -s orgs.lua URL -- TOKEN TAG REGIONS
local regions, token, tag, n = {}, "", "", 0

init = function(args)
  token, tag = args[1], args[2]
  for line in io.lines(args[3]) do regions[#regions + 1] = line end
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

request = function()
  n = n + 1
  local body = string.format(
    '{"kind":"village_station","name":"压测工作站-%s-%d-%d","region":"%s"}',
    tag, tid or 0, n, regions[math.random(#regions)])
  return wrk.format("POST", "/api/v1/orgs", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
