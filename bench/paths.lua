-- wrk script: each request GETs a path picked at random from a file of
-- paths, one a line (wrk ... -s paths.lua URL -- FILE), so that a scenario
-- covers many filter values and pages rather than one cached answer.
--
-- The requests are formatted once, at start: formatting each one anew cost
-- wrk 2-5 us of CPU per request, on the cores the server shares with it,
-- which the ceiling's plain wrk does not pay (bench/README.md, "Seventh
-- session").

local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("seed", threads)
end

function init(args)
	requests = {}
	for line in io.lines(args[1]) do
		requests[#requests + 1] = wrk.format("GET", line)
	end
	if #requests == 0 then
		error("paths.lua: no paths in " .. tostring(args[1]))
	end
	math.randomseed(os.time() * 100 + (seed or 0))
end

function request()
	return requests[math.random(1, #requests)]
end
