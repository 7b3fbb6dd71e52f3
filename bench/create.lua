-- wrk script: each request creates an asset over the JSON API (a write and
-- its audit entry in one transaction). wrk ... -s create.lua URL -- SECTION
-- where SECTION is the id of the owning section.

local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	section = args[1]
	n = 0
end

function request()
	n = n + 1
	local body = string.format(
		'{"name":"負荷試験の資産 %d-%d","kind":"document","section_id":%s,' ..
		'"personal_info":"none","confidentiality":2,"integrity":2,"availability":1}',
		tid or 0, n, section)
	-- Headers given here replace those of wrk -H: keep them (the token).
	local headers = { ["Content-Type"] = "application/json" }
	for k, v in pairs(wrk.headers) do
		headers[k] = v
	end
	return wrk.format("POST", "/api/v1/assets", headers, body)
end
