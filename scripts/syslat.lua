-- syslat: where processes spend their time in system calls. Latency per syscall is
-- aggregated in kernel (one log2 histogram per syscall, no per-event traffic); --metrics
-- exports each syscall's histogram with its category (file, network, memory, scheduling,
-- process, other) and syscall as labels. Each report groups the syscalls by category,
-- ranks the hotspots (syscalls by total time), and on request adds rows per process and
-- per thread (in-kernel histograms keyed by pid / tid), the user stacks of the hottest
-- syscalls (lua/syslat/stacks.lua) and the request view (lua/syslat/requests.lua). With -i
-- the report comes every SECS seconds and covers that interval only; with -j each report
-- is one JSON "record" line (docs/json.md).
--
--   ltrace-ebpf scripts/syslat.lua -h   (the options: the spec table below)
local tool = require("tool")
local categories = require("syslat.categories")
local delta = require("syslat.delta")
local ustacks = require("syslat.stacks")
local requests = require("syslat.requests")

local spec = {
	name = "syslat",
	summary = "Syscall latency of processes by syscall and category, with hotspots.",
	pids = true,
	options = {
		{ "-T", "top", "TOP", "hotspots shown", number = true, default = 10 },
		{ "-H", "hists", nil, "print the latency histogram of each hotspot" },
		tool.INTERVAL,
		tool.COUNT,
		{ "-C", "comm", "COMM", "trace the processes whose command name is COMM" },
		{ "-P", "procs", nil, "a row per process (implied by several -p PIDs and by -C)" },
		{ "-t", "threads", nil, "a row per thread" },
		{ "-R", "requests", nil, "the request view (every syscall of the targets as a record)" },
		{ "-S", "stacks", "TOP", "user stacks of the TOP hottest syscalls' slower half", number = true },
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
if opts.comm and opts.pid then error("-C COMM and -p PID: use one of them", 0) end
if opts.requests and not (opts.pid or opts.cmd or target() or opts.comm) then
	error("-R needs processes to watch: -p PID, -C COMM, -c CMD or -- CMD", 0)
end
opts.procs = opts.procs or opts.comm ~= nil or (opts.pids and #opts.pids > 1)
tool.start(opts)

-- One in-kernel histogram per syscall (one probe: each probe on syscall:* costs every
-- syscall of the system its two programs). Its growth is folded, at each report and every
-- second, into one Lua histogram per category keyed by syscall, exported as one family:
-- syslat_syscall_duration_seconds{category=..., syscall=...}.
local function hist_probe(by)
	return probe("syscall:*", { agg = "hist", by = by, print = false, comm = opts.comm })
end
local syscalls = delta.new(hist_probe("syscall"))
local exported = {}
for _, c in ipairs(categories.ORDER) do
	exported[c] = export.prometheus(hist("syslat_" .. c, { unit = "ns", print = false }),
		{ name = "syslat_syscall_duration", key = "syscall", labels = { category = c },
		  help = "Time in system calls, by category and syscall." })
end
local pending = {}	-- what the kernel gained since the last report, by syscall
local cumulative = {}	-- and since the start (-S picks the hottest syscalls from it)
local function refresh()
	local grown, cats = syscalls.take(), {}
	delta.fold(pending, grown)
	delta.fold(cumulative, grown)
	for _, e in ipairs(grown) do
		local c = categories.of(e.key)
		cats[c] = cats[c] or {}
		table.insert(cats[c], e)
	end
	for c, list in pairs(cats) do
		exported[c]:merge(agg.from_kernel("hist", list, { unit = "ns" }))
	end
end

local procs = opts.procs and delta.new(export.prometheus(hist_probe("pid"),
	{ name = "syslat_process_syscall_duration", help = "Time in system calls, by process." }))
local threads = opts.threads and delta.new(export.prometheus(hist_probe("tid"),
	{ name = "syslat_thread_syscall_duration", help = "Time in system calls, by thread." }))

local view = opts.requests and requests.new(opts.comm, opts.pids)
if view then
	export.prometheus(view.exported, { name = "syslat_request_duration",
		help = "Requests: from a read on a socket to the last write that answers it." })
end

-- A row of an interval: count, total, average and percentiles from the histogram.
local function row(e, extra)
	local h = agg.from_kernel("hist", { { count = e.count, sum = e.sum, buckets = e.buckets } },
	                          { unit = "ns" })
	local r = { count = e.count, total_ns = e.sum, avg_ns = e.sum // e.count,
	            p50_ns = math.floor(h:percentile(50) or 0),
	            p99_ns = math.floor(h:percentile(99) or 0), hist = h }
	for k, v in pairs(extra) do r[k] = v end
	return r
end
local function by_total(a, b) return a.total_ns > b.total_ns end

-- -S: every second, the hottest syscalls so far get their stack probe (TOP in all).
local stacks = opts.stacks and ustacks.new(opts.stacks, opts.comm)
every("1s", function()
	refresh()
	if not stacks then return end
	local rows = {}
	for _, e in ipairs(delta.entries(cumulative)) do rows[#rows + 1] = row(e, { syscall = e.key }) end
	table.sort(rows, by_total)
	stacks.pick(rows)
end)

-- What /proc says of a process or thread, kept once seen (it may exit before a report).
local seen = {}
local function task(id)
	id = math.tointeger(tonumber(id))
	local t = seen[id]
	if t then return t end
	t = { pid = id, comm = "?" }
	local f = io.open("/proc/" .. id .. "/status")
	if f then
		local s = f:read("a")
		f:close()
		t.comm = s:match("Name:%s*([^\n]*)") or "?"
		t.pid = math.tointeger(tonumber(s:match("Tgid:%s*(%d+)"))) or id
		seen[id] = t
	end
	return t
end

local function collect()
	local rows, cats, total = {}, {}, 0
	refresh()
	for _, e in ipairs(delta.entries(pending)) do
		local cat = categories.of(e.key)
		rows[#rows + 1] = row(e, { syscall = e.key, category = cat })
		local c = cats[cat] or { category = cat, count = 0, total_ns = 0 }
		c.count, c.total_ns = c.count + e.count, c.total_ns + e.sum
		cats[cat] = c
		total = total + e.sum
	end
	pending = {}
	table.sort(rows, by_total)
	local catlist = {}
	for _, c in pairs(cats) do catlist[#catlist + 1] = c end
	table.sort(catlist, by_total)
	local r = { rows = rows, cats = catlist, total = total, stacks = stacks and stacks.take(),
	            requests = view and view.take() }
	if procs then
		r.procs = {}
		for _, e in ipairs(procs.take()) do
			local t = task(e.key)
			r.procs[#r.procs + 1] = row(e, { pid = t.pid, comm = t.comm })
		end
		table.sort(r.procs, by_total)
	end
	if threads then
		r.threads = {}
		for _, e in ipairs(threads.take()) do
			local t = task(e.key)
			r.threads[#r.threads + 1] = row(e, { tid = math.tointeger(tonumber(e.key)),
			                                     pid = t.pid, comm = t.comm })
		end
		table.sort(r.threads, by_total)
	end
	return r
end

-- -j / --json: the report as one "record" line (docs/json.md) through tool.record; an
-- empty list would be written as {} (json.encode), so it is left out instead.
local function list_or_nil(t) return #t > 0 and t or nil end

-- Rows with the chosen fields, integers as integers.
local function pick_rows(list, fields)
	local out = {}
	for i, r in ipairs(list) do
		local o = {}
		for _, f in ipairs(fields) do
			local v = r[f]
			o[f] = type(v) == "number" and math.floor(v) or v
		end
		out[i] = o
	end
	return out
end
local STAT_FIELDS = { "count", "total_ns", "avg_ns", "p50_ns", "p99_ns" }
local function with_stats(...)
	local t = { ... }
	for _, f in ipairs(STAT_FIELDS) do t[#t + 1] = f end
	return t
end

-- The frames of a stack, innermost first, as names (sym+off, or module+0xoff).
local SHOWN_FRAMES = 8
local function frame_names(st)
	local out = {}
	for i, f in ipairs(st:frames()) do
		if i > SHOWN_FRAMES then break end
		out[i] = f.name
	end
	return out
end

local function stacks_rows(list)
	local out = {}
	for _, sc in ipairs(list) do
		local st = {}
		for i = 1, math.min(opts.top, #sc.stacks) do
			local x = sc.stacks[i]
			st[i] = { count = x.count, total_ns = x.total_ns, frames = list_or_nil(frame_names(x.stack)) }
		end
		out[#out + 1] = { syscall = sc.syscall, min_ns = sc.min_ns, dropped = sc.dropped,
		                  stacks = list_or_nil(st) }
	end
	return out
end

-- The calls inside requests, by category or syscall, as rows by total time.
local function inside(t, field)
	local list = {}
	for k, x in pairs(t) do list[#list + 1] = { [field] = k, count = x.count, total_ns = x.total_ns } end
	table.sort(list, by_total)
	return list
end

local function request_latency(q)
	local h = q.latency
	return { count = q.count, total_ns = h:sum() or 0, avg_ns = q.count > 0 and h:sum() // q.count or 0,
	         p50_ns = math.floor(h:percentile(50) or 0), p99_ns = math.floor(h:percentile(99) or 0) }
end

local function requests_row(q)
	return { count = q.count, per_s = q.seconds > 0 and q.count / q.seconds or 0,
	         latency = pick_rows({ request_latency(q) }, STAT_FIELDS)[1],
	         categories = list_or_nil(inside(q.categories, "category")),
	         syscalls = list_or_nil(inside(q.syscalls, "syscall")) }
end

local function report_json(r, interval)
	local parts = {}
	for _, c in ipairs(r.cats) do
		parts[#parts + 1] = { category = c.category, count = c.count, total_ns = c.total_ns,
		                      share = r.total > 0 and c.total_ns / r.total or 0 }
	end
	local hot = {}
	for i = 1, math.min(opts.top, #r.rows) do hot[i] = r.rows[i] end
	tool.record({
		target = target(), total_ns = r.total, interval_s = interval,
		categories = list_or_nil(parts),
		hotspots = list_or_nil(pick_rows(hot, with_stats("syscall", "category"))),
		processes = r.procs and list_or_nil(pick_rows(r.procs, with_stats("pid", "comm"))),
		threads = r.threads and list_or_nil(pick_rows(r.threads, with_stats("tid", "pid", "comm"))),
		stacks = r.stacks and list_or_nil(stacks_rows(r.stacks)),
		requests = r.requests and requests_row(r.requests),
	})
end

local function stat_cols(x)
	return fmt.duration(x.total_ns), fmt.duration(x.avg_ns), fmt.duration(x.p50_ns),
	       fmt.duration(x.p99_ns)
end

local function report_text(r, interval)
	if interval then
		printf("%s  last %gs\n", os.date("%H:%M:%S"), interval)
	end
	printf("%-12s %10s %14s %7s\n", "CATEGORY", "CALLS", "TIME", "SHARE")
	for _, c in ipairs(r.cats) do
		printf("%-12s %10d %14s %6.1f%%\n", c.category, c.count, fmt.duration(c.total_ns),
		       r.total > 0 and 100 * c.total_ns / r.total or 0)
	end
	printf("\nhotspots (by total time):\n%-20s %-11s %9s %12s %10s %10s %10s\n", "SYSCALL",
	       "CATEGORY", "CALLS", "TOTAL", "AVG", "P50", "P99")
	for i = 1, math.min(opts.top, #r.rows) do
		local x = r.rows[i]
		printf("%-20s %-11s %9d %12s %10s %10s %10s\n", x.syscall, x.category, x.count, stat_cols(x))
		if opts.hists then print(x.hist) end
	end
	for _, sc in ipairs(r.stacks or {}) do
		if #sc.stacks == 0 then goto next end
		printf("\nstacks of %s (calls of %s or more):\n%12s %9s  %s\n", sc.syscall,
		       fmt.duration(sc.min_ns), "TOTAL", "CALLS", "STACK (innermost first)")
		for i = 1, math.min(3, #sc.stacks) do
			local x = sc.stacks[i]
			printf("%12s %9d  %s\n", fmt.duration(x.total_ns), x.count,
			       table.concat(frame_names(x.stack), " <- "))
		end
		if sc.dropped > 0 then printf("%22s  (%d calls of other stacks not kept)\n", "", sc.dropped) end
		::next::
	end
	if r.requests then
		local q = r.requests
		local lat = request_latency(q)
		printf("\nrequests: %d (%.1f/s), latency avg %s p50 %s p99 %s\n", q.count,
		       q.seconds > 0 and q.count / q.seconds or 0, fmt.duration(lat.avg_ns),
		       fmt.duration(lat.p50_ns), fmt.duration(lat.p99_ns))
		if opts.hists and q.count > 0 then print(q.latency) end
		printf("%-20s %9s %12s %12s\n", "INSIDE REQUESTS", "CALLS", "TIME", "PER REQUEST")
		for _, list in ipairs({ inside(q.categories, "category"), inside(q.syscalls, "syscall") }) do
			for _, x in ipairs(list) do
				printf("%-20s %9d %12s %12.2f\n", x.category or ("  " .. x.syscall), x.count,
				       fmt.duration(x.total_ns), x.count / math.max(q.count, 1))
			end
		end
	end
	if r.procs then
		printf("\nprocesses:\n%-8s %-16s %9s %12s %10s %10s %10s\n", "PID", "COMM", "CALLS",
		       "TOTAL", "AVG", "P50", "P99")
		for _, x in ipairs(r.procs) do
			printf("%-8d %-16s %9d %12s %10s %10s %10s\n", x.pid, x.comm, x.count, stat_cols(x))
		end
	end
	if r.threads then
		printf("\nthreads:\n%-8s %-8s %-16s %9s %12s %10s %10s %10s\n", "TID", "PID", "COMM",
		       "CALLS", "TOTAL", "AVG", "P50", "P99")
		for _, x in ipairs(r.threads) do
			printf("%-8d %-8d %-16s %9d %12s %10s %10s %10s\n", x.tid, x.pid, x.comm, x.count,
			       stat_cols(x))
		end
	end
	if interval then print() end
end

local function report()
	local r = collect()
	if opts.json then report_json(r, opts.interval) else report_text(r, opts.interval) end
	io.stdout:flush()
end

tool.every_report(opts, report)
