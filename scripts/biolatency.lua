-- biolatency: block I/O latency, as a log2 histogram: from issue to the device
-- (tracepoint block:block_rq_issue) to completion (block:block_rq_complete), matched per
-- request by (device, sector) in Lua. -D splits the histogram per disk (MAJ:MIN), -F per
-- operation (R, W, ...: the first letter of rwbs that is not F). System-wide (completion
-- runs in interrupt context), so -p / -c / -- CMD are refused. Prints at the end, or every
-- -i SECS (-n COUNT times); "no block I/O seen" when no request completed; -j: JSON lines.
--
--   ltrace-ebpf scripts/biolatency.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "biolatency",
	target = false,
	summary = "Block I/O latency histogram (tracepoints block:block_rq_issue/complete), "
	          .. "system-wide.",
	options = {
		{ "-m", "msecs", nil, "milliseconds (default microseconds)" },
		{ "-D", "disks", nil, "a histogram per disk (MAJ:MIN)" },
		{ "-F", "flags", nil, "a histogram per operation (R, W, D, N)" },
		{ "-i", "interval", "SECS", "print (and reset) the histograms every SECS", number = true },
		tool.COUNT,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
local unit, div = opts.msecs and "msecs" or "usecs", opts.msecs and 1e6 or 1e3

local function devname(dev) return ("%d:%d"):format(dev >> 20, dev & 0xfffff) end
local function op(rwbs) return (rwbs:gsub("F", "")):sub(1, 1) end

local issued = {}              -- "dev:sector" -> ts
local hists, total = {}, 0     -- key -> { buckets = {}, n, sum }

probe("tracepoint:block:block_rq_issue", function(e)
	issued[e.dev .. ":" .. e.sector] = e.ts
end)
probe("tracepoint:block:block_rq_complete", function(e)
	local k = e.dev .. ":" .. e.sector
	local t0 = issued[k]
	if not t0 then return end
	issued[k] = nil
	local v = (e.ts - t0) // div
	local key = opts.disks and devname(e.dev) or opts.flags and op(e.rwbs) or ""
	if opts.disks and opts.flags then key = key .. " " .. op(e.rwbs) end
	local h = hists[key]
	if not h then h = { buckets = {}, n = 0, sum = 0 }; hists[key] = h end
	local b = 0
	while (1 << b) <= v do b = b + 1 end       -- bucket b: [2^(b-1), 2^b), bucket 0: 0
	h.buckets[b] = (h.buckets[b] or 0) + 1
	h.n, h.sum, total = h.n + 1, h.sum + v, total + 1
end)
tool.start(opts)

local function report()
	local t = os.date("!%H:%M:%S")
	local keys = {}
	for k in pairs(hists) do keys[#keys + 1] = k end
	table.sort(keys)
	if opts.json then	-- one "agg" line: a row per key (none when nothing was seen)
		local rows = {}
		for _, k in ipairs(keys) do
			local h = hists[k]
			rows[#rows + 1] = { key = k ~= "" and k or nil, count = h.n, sum = h.sum,
			                    buckets = h.buckets }
		end
		tool.record_hist("biolatency", unit == "msecs" and "ms" or "us", rows)
		hists, total = {}, 0
		return
	end
	printf("%s\n", t)
	if #keys == 0 then
		print("no block I/O seen")
		printf("total=0\n")
	end
	for _, k in ipairs(keys) do
		local h = hists[k]
		local hi, max = -1, 0
		for b, c in pairs(h.buckets) do hi = math.max(hi, b); max = math.max(max, c) end
		if k ~= "" then printf("\n%s\n", opts.disks and "disk = " .. k or "op = " .. k) end
		printf("%10s %-14s : %-8s %s\n", unit, "", "count", "distribution")
		for b = 0, hi do
			local c = h.buckets[b] or 0
			printf("%10d -> %-10d : %-8d |%-40s|\n", b == 0 and 0 or 1 << (b - 1),
			       b == 0 and 0 or (1 << b) - 1, c, ("*"):rep(c * 40 // max))
		end
		printf("total=%d avg=%.1f %s\n", h.n, h.sum / h.n, unit)
	end
	io.stdout:flush()
	hists, total = {}, 0
end

tool.every_report(opts, report, nil, function() return total > 0 end)
