-- syslat.stacks: where in the program the slow calls of the hottest syscalls come from.
-- In-kernel aggregation by stack walks frame pointers, which Debian's libc has not: a walk
-- from a syscall skips the frame of the function that called the libc wrapper, the very
-- frame wanted. So the user stacks are unwound with DWARF (unwind = "auto") from records,
-- bounded: only the TOP hottest syscalls get a probe, only their calls at least as long as
-- their median so far (min_duration, in kernel), stacks cut to 32 frames, and at most
-- 512 distinct stacks per syscall per report (the rest counted, not kept). The probes
-- follow the ranking: a syscall that leaves the TOP loses its probe (what it gathered is
-- still reported), so calls that were hot only at the start (a thread's set-up) do not
-- keep a place.
local M = {}

local MAX_STACKS, DEPTH = 512, 32

--- M.new(top, comm) -> tracker: tracker.pick(rows) gives the first `top` syscalls of rows
--- (by total time, with their histogram) a stack probe each, and closes those of the
--- others; tracker.take() -> { {syscall, min_ns, dropped, stacks = { {count,
--- total_ns, stack} } sorted by total} } gathered since the previous take.
function M.new(top, comm)
	local probed, by_sc = {}, {}
	local tracker = {}

	local function attach(r)
		local min_ns = math.floor(r.hist:percentile(50) or 0)
		local sc = { syscall = r.syscall, min_ns = min_ns, seen = {}, n = 0, dropped = 0 }
		sc.probe = probe("syscall:" .. r.syscall, { stack = "user", stack_depth = DEPTH,
		                                            comm = comm, min_duration = min_ns }, function(e)
			if not e.ustack then return end
			local id = e.ustack:id()
			local s = sc.seen[id]
			if not s then
				if sc.n >= MAX_STACKS then
					sc.dropped = sc.dropped + 1
					return
				end
				s = { count = 0, total_ns = 0, stack = e.ustack }
				sc.seen[id], sc.n = s, sc.n + 1
			end
			s.count, s.total_ns = s.count + 1, s.total_ns + e.duration
		end)
		probed[r.syscall] = sc
		by_sc[#by_sc + 1] = sc
	end

	function tracker.pick(rows)
		local wanted = {}
		for i = 1, math.min(top, #rows) do wanted[rows[i].syscall] = rows[i] end
		for name, sc in pairs(probed) do
			if not wanted[name] then
				sc.probe:close()
				sc.closed, probed[name] = true, nil
			end
		end
		for i = 1, math.min(top, #rows) do
			if not probed[rows[i].syscall] then attach(rows[i]) end
		end
	end

	function tracker.take()
		local out, kept = {}, {}
		for _, sc in ipairs(by_sc) do
			if not sc.closed then kept[#kept + 1] = sc end
			local list = {}
			for _, s in pairs(sc.seen) do list[#list + 1] = s end
			table.sort(list, function(a, b) return a.total_ns > b.total_ns end)
			out[#out + 1] = { syscall = sc.syscall, min_ns = sc.min_ns, dropped = sc.dropped,
			                  stacks = list }
			sc.seen, sc.n, sc.dropped = {}, 0, 0
		end
		by_sc = kept
		return out
	end

	return tracker
end

return M
