-- bench/rotate.lua: wrk requests that rotate over many keys and campaigns, so no
-- request hits one hot row. usage (bench/run does this):
--   wrk ... -s bench/rotate.lua URL -- MODE FILE
--   MODE list     FILE has one API key a line; GET the filtered first page of campaigns
--   MODE get      FILE has "key<TAB>campaign id" lines; GET the campaign
--   MODE metrics  same file; GET the campaign's metrics
--   MODE missing  same file; GET a campaign id that does not exist (the id with its last
--                 character changed): the floor, one probe that finds nothing, a 404
--   MODE page     FILE has "cookie<TAB>path" lines (bench/pages.py writes them): GET the
--                 page signed in with that session cookie
-- Every wrk thread walks the whole list in its own shuffled order, starting apart.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
   table.insert(threads, thread)
end

local reqs = {}
local n, i = 0, 0

local LIST_QUERY = "/v1/link-building/campaign?status=active&type=serp,competitor&limit=50"

function init(args)
   local mode, file = args[1], args[2]
   if mode == nil or file == nil then
      error("usage: -- MODE FILE")
   end
   for line in io.lines(file) do
      local key, id = line:match("^([^\t]+)\t?([^\t]*)$")
      if key then
         local path
         local headers = { ["Authorization"] = "Bearer " .. key }
         if mode == "list" then
            path = LIST_QUERY
         elseif mode == "get" then
            path = "/v1/link-building/campaign/" .. id
         elseif mode == "metrics" then
            path = "/v1/link-building/campaign/" .. id .. "/metrics"
         elseif mode == "missing" then
            local last = id:sub(-1) == "A" and "B" or "A"
            path = "/v1/link-building/campaign/" .. id:sub(1, -2) .. last
         elseif mode == "page" then
            path = id
            headers = { ["Cookie"] = key }
         else
            error("unknown mode " .. mode)
         end
         n = n + 1
         reqs[n] = wrk.format("GET", path, headers)
      end
   end
   if n == 0 then
      error("no requests in " .. file)
   end
   -- A per-thread Fisher-Yates shuffle, then a per-thread starting point.
   math.randomseed(1000 + (tid or 1) * 7919)
   for k = n, 2, -1 do
      local j = math.random(k)
      reqs[k], reqs[j] = reqs[j], reqs[k]
   end
   i = math.floor(n * ((tid or 1) - 1) / 2)
end

function request()
   i = i % n + 1
   return reqs[i]
end
