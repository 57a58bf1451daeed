-- bench/cluster-write.lua: wrk POSTs that add one new prospect to a campaign each, so every
-- request is a write transaction (relationship, draft, credits reserved, counters, event).
-- usage (bench/cluster-compare does this):
--   wrk ... -s bench/cluster-write.lua URL -- KEY CAMPAIGN_ID TAG
-- TAG makes the addresses of one run unique; every thread numbers its own.

local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

local key, cid, tag
local n = 0

function init(args)
   key, cid, tag = args[1], args[2], args[3]
   if key == nil or cid == nil or tag == nil then
      error("usage: -- KEY CAMPAIGN_ID TAG")
   end
end

function request()
   n = n + 1
   local domain = string.format("w%s-%d-%d.example", tag, tid, n)
   local body = string.format(
      '{"prospects":[{"domain":"%s","contactName":"P","contactEmail":"p@%s"}]}', domain, domain)
   return wrk.format("POST", "/v1/link-building/campaign/" .. cid .. "/relationships", {
      ["Authorization"] = "Bearer " .. key,
      ["Content-Type"] = "application/json",
   }, body)
end
