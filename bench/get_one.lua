-- wrk script: GET /api/v1/assets/{id} with a random id in 1..N per request.
-- N is the first script argument (wrk ... -s get_one.lua URL -- N), 100000
-- by default. Each wrk thread gets its own seed.

local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("seed", threads)
end

function init(args)
	n = tonumber(args[1]) or 100000
	math.randomseed(os.time() * 100 + (seed or 0))
end

function request()
	return wrk.format("GET", "/api/v1/assets/" .. math.random(1, n))
end
