-- runqlat: run queue (scheduler) latency, as a log2 histogram: how long tasks waited
-- runnable before they ran. Attaches the tracepoints sched:sched_wakeup, sched_wakeup_new
-- (a task becomes runnable) and sched:sched_switch (a preempted task, prev_state 0, is
-- runnable again; the next task starts running) and measures, per thread in Lua, from
-- runnable to running. System-wide: a tracepoint runs in the waker's or the previous task's
-- context, so -p / -c / -- CMD (which filter on the current task) are refused. Prints the
-- histogram at the end, or every -i SECS (-n COUNT times); -j prints JSON lines.
--
--   ltrace-ebpf scripts/runqlat.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "runqlat",
	target = false,
	summary = "Run queue latency histogram (tracepoints sched:sched_wakeup*, sched:sched_switch), "
	          .. "system-wide.",
	options = {
		{ "-m", "msecs", nil, "milliseconds (default microseconds)" },
		{ "-i", "interval", "SECS", "print (and reset) the histogram every SECS", number = true },
		tool.COUNT,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
local unit, div = opts.msecs and "msecs" or "usecs", opts.msecs and 1e6 or 1e3

local queued = {}          -- tid -> ts when it became runnable
local buckets, total, sum = {}, 0, 0

local function enqueue(e)           -- the field pid (the wakee), not e.pid (the waker)
	local tid = e.fields.pid
	if tid ~= 0 then queued[tid] = e.ts end
end
probe("tracepoint:sched:sched_wakeup", enqueue)
probe("tracepoint:sched:sched_wakeup_new", enqueue)
probe("tracepoint:sched:sched_switch", function(e)
	if e.prev_state == 0 and e.prev_pid ~= 0 then queued[e.prev_pid] = e.ts end
	local tid = e.next_pid
	local t0 = queued[tid]
	if not t0 or tid == 0 then return end
	queued[tid] = nil
	local v = (e.ts - t0) // div
	if v < 0 then return end
	local b = 0
	while (1 << b) <= v do b = b + 1 end      -- bucket b: [2^(b-1), 2^b), bucket 0: 0
	buckets[b] = (buckets[b] or 0) + 1
	total, sum = total + 1, sum + v
end)
tool.start(opts)

local function report()
	local hi = -1
	for b in pairs(buckets) do if b > hi then hi = b end end
	local t = os.date("!%H:%M:%S")
	if opts.json then
		tool.record_hist("runqlat", unit == "msecs" and "ms" or "us",
		                 total > 0 and { { count = total, sum = sum, buckets = buckets } } or {})
	else
		printf("%s\n%10s %-14s : %-8s %s\n", t, unit, "", "count", "distribution")
		local max = 0
		for b = 0, hi do max = math.max(max, buckets[b] or 0) end
		for b = 0, hi do
			local c = buckets[b] or 0
			local lo, up = b == 0 and 0 or 1 << (b - 1), b == 0 and 0 or (1 << b) - 1
			printf("%10d -> %-10d : %-8d |%-40s|\n", lo, up, c, ("*"):rep(max > 0 and c * 40 // max or 0))
		end
		if total == 0 then print("no run queue latency seen") end
		printf("total=%d avg=%.1f %s\n", total, total > 0 and sum / total or 0, unit)
	end
	io.stdout:flush()
	buckets, total, sum = {}, 0, 0
end

tool.every_report(opts, report, nil, function() return total > 0 end)
