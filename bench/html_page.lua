-- wrk script: GET /assets?page=P with a random page in 1..N per request, so
-- that deep pages (large OFFSET) are measured as often as the first ones.
-- N is the first script argument (wrk ... -s html_page.lua URL -- N).

local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("seed", threads)
end

function init(args)
	pages = tonumber(args[1]) or 2000
	math.randomseed(os.time() * 100 + (seed or 0) + 50)
end

function request()
	return wrk.format("GET", "/assets?page=" .. math.random(1, pages))
end
