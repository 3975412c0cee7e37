-- memleak: outstanding allocations by allocation stack. Follows malloc, calloc and realloc
-- (at their return: size and address) and free (uprobes on the target's libc); an
-- allocation not freed yet is outstanding. Every -i seconds and at the end, prints the
-- stacks holding the most outstanding bytes: "N bytes in M allocations from stack".
--
--   ltrace-ebpf scripts/memleak.lua -h   (the options: the spec table below)
local tool = require("stacktool")

local spec = {
	name = "memleak",
	target = "required",
	folded = false,
	summary = "Outstanding allocations (malloc/calloc/realloc not freed) by allocation stack.",
	options = {
		{ "-i", "interval", "SECS", "report period", number = true, default = 5 },
		{ "-n", "top", "TOP", "stacks per report", number = true, default = 10 },
		{ "-a", "min_age", "MIN_AGE_MS", "only allocations older than this", number = true,
			default = 0 },
		{ "--dwarf", "dwarf", nil, "unwind with DWARF (code without frame pointers)" },
		{ "--libc", "libc", "LIB", "the allocator's library", default = "libc" },
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
if not (opts.pid or opts.cmd or target()) then
	error("memleak: name a target: -p PID, -c CMD or -- CMD", 0)
end

local live = {}       -- address -> { size, stack id, ts }
local stacks = {}     -- stack id -> stack object
local unwind = opts.dwarf and "dwarf" or "auto"
local lib = opts.libc

local function alloc(addr, size, e)
	if addr == 0 then return end
	local s = e.ustack
	local id = s and s:id() or ""
	if s and not stacks[id] then stacks[id] = s end
	live[addr] = { size, id, e.ts }
end

-- The paired-call and entry programs verify together, on every CPU (a hint to the core).
require("ltrace.core").prefetch({ { "call", "plain" }, { "uprobe", "plain" } })
probe("call:" .. lib .. ":malloc", { stack = "user", unwind = unwind }, function(e)
	alloc(e.ret, e.args[1], e)
end)
probe("call:" .. lib .. ":calloc", { stack = "user", unwind = unwind }, function(e)
	alloc(e.ret, e.args[1] * e.args[2], e)
end)
probe("call:" .. lib .. ":realloc", { stack = "user", unwind = unwind }, function(e)
	if e.ret == 0 then return end          -- failed: the old block stays
	if e.args[1] ~= 0 then live[e.args[1]] = nil end
	alloc(e.ret, e.args[2], e)
end)
probe("uprobe:" .. lib .. ":free", function(e) live[e.args[1]] = nil end)

local out = opts.output and tool.create(opts.output) or io.stdout

local function report(final)
	local by, now = {}, nil
	for _, a in pairs(live) do now = (now and now > a[3]) and now or a[3] end
	for _, a in pairs(live) do
		if opts.min_age == 0 or (now - a[3]) >= opts.min_age * 1e6 then
			local b = by[a[2]] or { bytes = 0, n = 0, id = a[2] }
			b.bytes, b.n = b.bytes + a[1], b.n + 1
			by[a[2]] = b
		end
	end
	local list = {}
	for _, b in pairs(by) do list[#list + 1] = b end
	table.sort(list, function(x, y) return x.bytes > y.bytes end)
	out:write(("[%s] Top %d stacks with outstanding allocations%s:\n")
		:format(os.date("%H:%M:%S"), math.min(opts.top, #list), final and " (at exit)" or ""))
	for i = 1, math.min(opts.top, #list) do
		local b = list[i]
		out:write(("\t%d bytes in %d allocations from stack\n"):format(b.bytes, b.n))
		local s = stacks[b.id]
		for _, f in ipairs(s and s:frames() or {}) do
			out:write(("\t\t%s [%s]\n"):format(f.name, f.module and f.module:match("[^/]+$") or "?"))
		end
	end
	out:flush()
end

tool.start(opts)
every(opts.interval, function() report(false) end)
on("end", function()
	report(true)
	if out ~= io.stdout then out:close() end
end)
