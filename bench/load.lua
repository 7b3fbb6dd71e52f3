-- wrk script of bench/load.sh: a mixed load of reads and writes, as a
-- city's staff would make it, through the API (personal token) and pages
-- (a session cookie).
--
--   wrk ... -s bench/load.lua URL -- TOKEN COOKIE IDS_FILE PAGES
--
-- Per request, at random: 40 % GET one asset (an id from IDS_FILE, records
-- whose reads are not logged), 25 % GET a JSON list of 50 (one of the
-- first ten pages, sorted by name or code, all kinds or one),
-- 15 % GET one of the first three HTML list pages (what staff open), 10 %
-- POST a new asset, 10 % PUT an edit of an asset this thread made, with the
-- version it last saw in If-Match (a POST when it has none).
-- Each thread counts the answers by status; done() prints them, and the
-- line "load-errors: N" counts every answer that is neither 2xx, 3xx nor
-- 409 (a 409 is the correct answer to an edit of a version that has moved
-- on, not an error).

local threads = {}

function setup(thread)
	thread:set("seed", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	token = args[1]
	cookie = args[2]
	pages = tonumber(args[4]) or 1
	ids = {}
	for line in io.lines(args[3]) do
		ids[#ids + 1] = line
	end
	if #ids == 0 then
		error("load.lua: no ids in " .. tostring(args[3]))
	end
	math.randomseed(os.time() * 1000 + (seed or 0))
	-- Assets this thread made: id -> the version it last saw. An edit in
	-- flight takes its record out, the answer puts it back.
	mine = {}
	mine_ids = {}
	n = 0
	counts = { s2xx = 0, s3xx = 0, s409 = 0, s4xx = 0, s5xx = 0, other = 0 }
	api_headers = { ["Authorization"] = "Bearer " .. token }
	json_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
	page_headers = { ["Cookie"] = cookie }
end

local function create()
	n = n + 1
	local body = string.format('{"name":"load-%d-%d","kind":"data","section_id":2,' ..
		'"personal_info":"none","confidentiality":2,"integrity":2,"availability":1}', seed or 0, n)
	return wrk.format("POST", "/api/v1/assets", json_headers, body)
end

local function edit()
	if #mine_ids == 0 then
		return create()
	end
	local i = math.random(1, #mine_ids)
	local id = mine_ids[i]
	mine_ids[i] = mine_ids[#mine_ids]
	mine_ids[#mine_ids] = nil
	local version = mine[id]
	mine[id] = nil
	n = n + 1
	local h = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
		["If-Match"] = '"' .. version .. '"' }
	return wrk.format("PUT", "/api/v1/assets/" .. id, h,
		string.format('{"description":"edit %d-%d"}', seed or 0, n))
end

function request()
	local r = math.random(1, 100)
	if r <= 40 then
		return wrk.format("GET", "/api/v1/assets/" .. ids[math.random(1, #ids)], api_headers)
	elseif r <= 65 then
		local kinds = { "", "&kind=data", "&kind=document", "&kind=hardware" }
		return wrk.format("GET", "/api/v1/assets?limit=50&sort=" ..
			(math.random(1, 2) == 1 and "name" or "code") .. kinds[math.random(1, #kinds)] ..
			"&offset=" .. (50 * math.random(0, math.min(10, pages) - 1)), api_headers)
	elseif r <= 80 then
		return wrk.format("GET", "/assets?page=" .. math.random(1, math.min(3, pages)), page_headers)
	elseif r <= 90 then
		return create()
	else
		return edit()
	end
end

function response(status, headers, body)
	if status >= 200 and status < 300 then
		counts.s2xx = counts.s2xx + 1
		-- A record this thread made, created or edited: keep its version.
		if body and string.find(body, '"name":"load%-' .. (seed or 0) .. '%-') then
			local id = tonumber(string.match(body, '^{"id":(%d+)'))
			local version = tonumber(string.match(body, '"version":(%d+)'))
			if id and version and mine[id] == nil then
				mine[id] = version
				mine_ids[#mine_ids + 1] = id
			end
		end
	elseif status >= 300 and status < 400 then
		counts.s3xx = counts.s3xx + 1
	elseif status == 409 then
		counts.s409 = counts.s409 + 1
	elseif status >= 400 and status < 500 then
		counts.s4xx = counts.s4xx + 1
	elseif status >= 500 and status < 600 then
		counts.s5xx = counts.s5xx + 1
	else
		counts.other = counts.other + 1
	end
end

function done(summary, latency, requests)
	local t = { s2xx = 0, s3xx = 0, s409 = 0, s4xx = 0, s5xx = 0, other = 0 }
	for _, thread in ipairs(threads) do
		local c = thread:get("counts")
		for k, _ in pairs(t) do
			t[k] = t[k] + c[k]
		end
	end
	io.write(string.format("load-status: 2xx %d, 3xx %d, 409 %d, other 4xx %d, 5xx %d, other %d\n",
		t.s2xx, t.s3xx, t.s409, t.s4xx, t.s5xx, t.other))
	io.write(string.format("load-errors: %d\n", t.s4xx + t.s5xx + t.other))
	io.write(string.format("load-latency-ms: p50 %.2f p99 %.2f\n",
		latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
