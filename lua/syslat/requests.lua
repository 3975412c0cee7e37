-- syslat.requests: the request view. A request is the interval on one thread from the
-- return of a read/recv on a socket to the return of the last write/send that answers it
-- on the same socket before the thread reads it again (or closes it): a response in
-- several writes is one request, and what the thread does after its last write (a log
-- line) is not in it. Needs every syscall of the traced threads as a record (a callback on
-- syscall:*), so it is an option (-R), for a target or -C only.
--
-- Which fds are sockets, per process, kept until the fd is closed:
--   * fds returned by accept, accept4 and socket are; those of open, openat, openat2, creat,
--     pipe-less file makers (memfd_create, eventfd2, epoll_create1, timerfd_create,
--     signalfd4, inotify_init1, pidfd_open) are not; dup/dup2/dup3 copy the old fd's answer;
--   * an fd that recvfrom/recvmsg/sendto/sendmsg succeeded on is (they fail on others);
--   * the fds of the watched processes open at the start are what their links said then;
--   * any other fd (a socketpair, a pipe) is looked up once, at first sight: its
--     /proc/PID/fd/N link names "socket:[INODE]" or not; if the fd is closed by then, it
--     is a socket if a thread of the process waited in accept at the start
--     (syslat.at_start says why).
local at_start = require("syslat.at_start")
local categories = require("syslat.categories")
local native = require("ltrace.native")

local M = {}

local READS = { read = true, readv = true, recvfrom = true, recvmsg = true }
local WRITES = { write = true, writev = true, sendto = true, sendmsg = true, sendfile = true }
local SOCKET_ONLY = { recvfrom = true, recvmsg = true, sendto = true, sendmsg = true }
local MAKES_SOCKET = { accept = true, accept4 = true, socket = true }
local MAKES_OTHER = { open = true, openat = true, openat2 = true, creat = true,
	memfd_create = true, eventfd2 = true, epoll_create1 = true, timerfd_create = true,
	signalfd4 = true, inotify_init1 = true, pidfd_open = true }
local DUPS = { dup = true, dup2 = true, dup3 = true }

-- The fd's link now: true (a socket), false, or nil (no such fd: closed since).
local function link_is_socket(pid, fd)
	local f = io.popen(("readlink /proc/%d/fd/%d 2>/dev/null"):format(pid, fd))
	if not f then return nil end
	local target = f:read("l") or ""
	f:close()
	if target == "" then return nil end
	return target:sub(1, 7) == "socket:"
end

local function now() return select(2, native.clocks()) end

--- M.new(comm, pids) -> view (pids: the -p targets; comm: -C's, whose processes running
--- now are found by name): view.take() -> the requests answered since the previous take:
--- { count, seconds (the time it covers), latency (a Lua hist, ns), categories = {cat ->
--- {count, total_ns}} and syscalls = {name -> {count, total_ns}} of the calls inside }.
--- view.exported: the latency of every request since the start (for --metrics).
function M.new(comm, pids)
	local fds = {}	-- pid -> fd -> true (socket) / false
	local accepting = {}	-- pid -> a thread of it waited in accept at the start
	for _, pid in ipairs(pids or (comm and at_start.pids(comm)) or {}) do
		fds[pid], accepting[pid] = at_start.scan(pid)
	end
	local open = {}	-- tid -> the request open on it
	local view = { exported = hist("syslat_request_latency", { unit = "ns", print = false }) }
	local cur, since

	local function fresh()
		cur = { count = 0, latency = hist({ unit = "ns", print = false }), categories = {},
		        syscalls = {} }
		since = now()
	end
	fresh()

	local function is_socket(pid, fd)
		local t = fds[pid]
		if not t then t = {}; fds[pid] = t end
		local v = t[fd]
		if v == nil then
			v = link_is_socket(pid, fd)
			if v == nil then v = accepting[pid] or false end
			t[fd] = v
		end
		return v
	end

	local function add(into, key, ns)
		local x = into[key]
		if not x then x = { count = 0, total_ns = 0 }; into[key] = x end
		x.count, x.total_ns = x.count + 1, x.total_ns + ns
	end

	-- An answered request is counted: its latency, the calls inside up to its last write.
	local function finish(tid)
		local r = open[tid]
		open[tid] = nil
		if not r or not r.answered then return end
		local ns = r.last_end - r.start
		cur.count = cur.count + 1
		cur.latency:add(ns)
		view.exported:add(ns)
		for _, c in ipairs(r.calls) do
			add(cur.syscalls, c[1], c[2])
			add(cur.categories, categories.of(c[1]), c[2])
		end
	end

	local function on_call(e)
		local name, pid, tid, ret = e.syscall, e.pid, e.tid, e.ret
		local fd, r = e.args[1], open[tid]
		local t = fds[pid]
		if MAKES_SOCKET[name] or MAKES_OTHER[name] then
			if ret >= 0 then
				if not t then t = {}; fds[pid] = t end
				t[ret] = MAKES_SOCKET[name] or false
			end
		elseif DUPS[name] and ret >= 0 then
			if not t then t = {}; fds[pid] = t end
			t[ret] = t[fd]
		elseif name == "close" then
			if r and r.fd == fd then finish(tid) end
			if t then t[fd] = nil end
		elseif SOCKET_ONLY[name] and ret >= 0 then
			if not t then t = {}; fds[pid] = t end
			t[fd] = true
		end
		local ends = e.ts + e.duration
		if READS[name] and ret >= 0 and (not r or r.fd == fd) and is_socket(pid, fd) then
			if r and not r.answered then	-- more of the same request
				r.pending[#r.pending + 1] = { name, e.duration }
				return
			end
			if r then finish(tid) end
			if ret > 0 then open[tid] = { fd = fd, start = ends, calls = {}, pending = {} } end
			return
		end
		if not r then return end
		r.pending[#r.pending + 1] = { name, e.duration }
		if WRITES[name] and ret > 0 and fd == r.fd then
			-- The answer (so far): what came before it is the request's.
			for _, c in ipairs(r.pending) do r.calls[#r.calls + 1] = c end
			r.pending, r.answered, r.last_end = {}, true, ends
		end
	end

	probe("syscall:*", { comm = comm }, on_call)

	function view.take()
		for tid, r in pairs(open) do
			if r.answered then finish(tid) end
		end
		local out = cur
		out.seconds = (now() - since) / 1e9
		fresh()
		return out
	end

	return view
end

return M
