-- syslat.at_start: what the request view (syslat.requests) cannot learn from the records of
-- a process it starts watching: the fds already open, and whether a thread waits in accept.
-- That accept returns during the session but has no record (its entry came before the
-- probe), so the connection's fd is made unseen; /proc/PID/fd/N tells what it is only while
-- it is open, and the records are read later than they happen (under qemu's TCG, later than
-- a short connection lives): an fd that is gone by then is that accept's socket.
local native = require("ltrace.native")

local M = {}

local ACCEPTS = {}
for _, name in ipairs({ "accept", "accept4" }) do
	local nr = native.syscall_nr(name)
	if nr then ACCEPTS[nr] = true end
end

--- M.scan(pid) -> fds, accepting: fds = { fd -> true (a socket) / false } of the fds open
--- now; accepting: a thread of pid is in accept or accept4 now.
function M.scan(pid)
	local fds, accepting = {}, false
	local f = io.popen(("find /proc/%d/fd -mindepth 1 -maxdepth 1 -printf '%%f %%l\\n' 2>/dev/null")
		:format(pid))
	if f then
		for line in f:lines() do
			local fd, target = line:match("^(%d+) (.*)$")
			if fd then fds[tonumber(fd)] = target:sub(1, 7) == "socket:" end
		end
		f:close()
	end
	-- /proc/PID/task/TID/syscall: the number of the syscall the thread is in, first.
	f = io.popen(("cat /proc/%d/task/*/syscall 2>/dev/null"):format(pid))
	if f then
		for line in f:lines() do
			if ACCEPTS[tonumber(line:match("^(%d+)") or "")] then accepting = true end
		end
		f:close()
	end
	return fds, accepting
end

--- M.pids(comm) -> the pids of the running processes whose command name is comm.
function M.pids(comm)
	local out = {}
	local f = io.popen("pgrep -x -- '" .. comm:gsub("'", "'\\''") .. "' 2>/dev/null")
	if f then
		for line in f:lines() do out[#out + 1] = tonumber(line) end
		f:close()
	end
	return out
end

return M
