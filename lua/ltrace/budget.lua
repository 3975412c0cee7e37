-- ltrace.budget: the session's probe slots running out (1024 probes: LT_MAX_PROBES), as
-- `-x '*@libc.so.6'` makes them (2,600 functions with a probe of their own each for entry
-- and return). Each such function is traced whole or not at all: its return probe alone
-- would print "<... f resumed>" lines with no call, its entry alone "<unfinished ...>"
-- ones. Once a slot is refused no more are tried (each try would fail the same way, and
-- used to be a line of its own); the last functions attached are let go until RESERVE
-- slots are free for the probes attached after the calls (exit lines, the exec and
-- library watches, -S); and what was left out is said in one line.

local M = {}
M.__index = M

M.RESERVE = 16

function M.new()
	return setmetatable({ full = nil, total = 0, left = 0, units = {} }, M)
end

-- Is an attach failure's message the slots running out? The session's probe slots, or
-- the file descriptors: where the kernel has no uprobe_multi links (before 6.6) each
-- probed site is a link of its own, an fd, and RLIMIT_NOFILE runs out first.
local FD_FULL = "Too many open files"

function M.is_full(msg)
	msg = tostring(msg)
	return msg:find("too many probes", 1, true) ~= nil or msg:find(FD_FULL, 1, true) ~= nil
end

-- The failure that filled the slots (its message, said once).
function M:refused(msg)
	msg = tostring(msg)
	if msg:find(FD_FULL, 1, true) and not msg:find("too many probes", 1, true) then
		self.full = self.full or "too many open files (one per probed site on this kernel: " ..
			"see ulimit -n)"
	else
		self.full = self.full or msg:gsub("^.-: (too many probes)", "%1")
	end
end

-- n functions to trace (whether or not they fit).
function M:want(n)
	self.total = self.total + n
end

-- n functions that did not fit.
function M:left_out(n)
	self.left = self.left + n
end

-- A unit attached whole: the probes of n functions, released first for the reserve.
function M:attached(probes, n)
	self.units[#self.units + 1] = { probes = probes, n = n }
end

-- Once full: the last units attached are closed until RESERVE slots are free (the
-- functions kept are then a prefix of the sorted list). Returns the set of probes closed.
function M:make_room()
	local closed = {}
	if not self.full or self.room then return closed end
	self.room = true
	local freed = 0
	while freed < M.RESERVE and #self.units > 0 do
		local u = table.remove(self.units)
		for _, p in ipairs(u.probes) do
			p:close()
			closed[p] = true
			freed = freed + 1
		end
		self.left = self.left + u.n
	end
	return closed
end

-- The one line on what was left out since the last call, or nil.
function M:take_line()
	if self.left == 0 then return nil end
	local line = ("%d of %d functions not traced: %s; the other %d are (narrow the -x/-e " ..
		      "patterns)"):format(self.left, self.total, self.full, self.total - self.left)
	self.left, self.total = 0, 0
	return line
end

return M
