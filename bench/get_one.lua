-- wrk script: GET /api/v1/assets/{id} with an id picked at random per
-- request from a file of ids, one a line (wrk ... -s get_one.lua URL --
-- FILE): the records the reader may see. Each wrk thread gets its own seed.

local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("seed", threads)
end

function init(args)
	ids = {}
	for line in io.lines(args[1]) do
		ids[#ids + 1] = line
	end
	if #ids == 0 then
		error("get_one.lua: no ids in " .. tostring(args[1]))
	end
	math.randomseed(os.time() * 100 + (seed or 0))
end

function request()
	return wrk.format("GET", "/api/v1/assets/" .. ids[math.random(1, #ids)])
end
