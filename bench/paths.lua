-- wrk script: each request GETs a path picked at random from a file of
-- paths, one a line (wrk ... -s paths.lua URL -- FILE), so that a scenario
-- covers many filter values and pages rather than one cached answer.

local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("seed", threads)
end

function init(args)
	paths = {}
	for line in io.lines(args[1]) do
		paths[#paths + 1] = line
	end
	if #paths == 0 then
		error("paths.lua: no paths in " .. tostring(args[1]))
	end
	math.randomseed(os.time() * 100 + (seed or 0))
end

function request()
	return wrk.format("GET", paths[math.random(1, #paths)])
end
