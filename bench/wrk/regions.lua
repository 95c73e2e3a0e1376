-- regions.lua — GET PREFIX<code> for a random code from CODES (one a line).
--   wrk -s regions.lua URL -- PREFIX CODES
-- The same script drives bianmin (/api/v1/regions/) and nginx (/regions/).
local codes, prefix = {}, "/"

init = function(args)
  prefix = args[1]
  for line in io.lines(args[2]) do codes[#codes + 1] = line end
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

request = function()
  return wrk.format("GET", prefix .. codes[math.random(#codes)])
end
