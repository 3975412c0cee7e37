-- http_lossy.lua DIR: httpsnoop's probes on the smallest ring, for tests that make records
-- be lost whatever the machine's speed (test_http_capture.sh, test_http_pipeline_lost.sh):
-- the first request's callback holds the tool's loop until DIR/go exists, and the script
-- ends itself once DIR/stop exists (exit, not a signal: the end drains the ring). Prints
-- "ready" once every probe is attached, then a line per request: role method path status.
ringbuf_size(65536)
local dir = arg[1]
local function exists(f)
	local h = io.open(dir .. "/" .. f)
	if h then h:close() end
	return h ~= nil
end
on("begin", function() print("ready"); io.stdout:flush() end)	-- every probe attached
local first = true
probe("http:request", function(r)
	if first then
		first = false
		while not exists("go") do end
	end
	print(r.role, r.method, r.path, r.status)
end)
probe("interval:100ms", function() if exists("stop") then exit(0) end end)
