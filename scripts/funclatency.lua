-- funclatency: how long the calls of a function take, as a log2 histogram built in kernel
-- (call: probes pair entry and return per thread). FUNC is LIB:NAME (a glob keys the
-- histogram by function). -u / -m print microseconds / milliseconds instead of ns.
--
--   ltrace-ebpf scripts/funclatency.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "funclatency",
	summary = "Log2 histogram of the latency of LIB:FUNC's calls, built in kernel.",
	positional = "LIB:FUNC",
	options = {
		{ "-u", "us", nil, "microseconds" },
		{ "-m", "ms", nil, "milliseconds (the summary line; the histogram is in ns)" },
		tool.INTERVAL,
		tool.COUNT,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)

local div, unit = 1, "nsecs"
if opts.us then div, unit = 1000, "usecs" elseif opts.ms then div, unit = 1000000, "msecs" end
local target = opts.positional:gsub("^call:", "")
local p = probe("call:" .. target, { agg = "hist", print = false })

local function report()
	local rows = p:read()
	for _, e in ipairs(rows) do
		if opts.json then
			-- the kernel's log2 histogram as an "agg" line (buckets with their bounds, in ns)
			local h = agg.from_kernel("hist", { { count = e.count, sum = e.sum, min = e.min,
			                                     max = e.max, buckets = e.buckets } },
			                          { name = tostring(e.key or target), unit = "ns" })
			export.json(h)
		else
			local h = hist()
			-- the kernel's log2 buckets, in ns (buckets in us/ms would not be exact)
			for k, v in pairs(e.buckets or {}) do
				local lo = (type(k) == "number" and k > 0) and (1 << (k - 1)) or 0  -- bucket k: [2^(k-1), 2^k)
				for _ = 1, v do h:add(lo) end
			end
			printf("%s (%s): count %d, avg %.1f, min %d, max %d\n", tostring(e.key or target),
			       unit, e.count, e.count > 0 and e.sum / e.count / div or 0, e.min // div,
			       e.max // div)
			printf("histogram (nsecs):\n")
			print(h)
		end
	end
	io.stdout:flush()
end

tool.every_report(opts, report, function() p:clear() end)
