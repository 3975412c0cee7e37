-- ltrace.out: ltrace 0.7.3's output, piece by piece as its output.c writes it. A call's
-- left part ("malloc(24") is written when it starts and its right part (") = 0x...")
-- when it returns; anything in between closes the open line with " <unfinished ...>"
-- (another call) or " <no return ...>" (a signal, an exit), and the return then prints
-- "<... malloc resumed> ". Line prefixes: "[pid N] " with -f ("N " into a -o file with
-- -f or -p), -r / -t / -tt / -ttt timestamps, -i the return address, -n indentation by
-- call depth. Results align at column -a (default 5/8 of the terminal, else 50). -c
-- prints the summary table instead.

local M = {}
M.__index = M

local format, concat = string.format, table.concat

-- new(opts, native [, file]): writes to `file`, opts.output, or stderr.
function M.new(opts, native, file)
	local self = setmetatable({ opts = opts, native = native, buf = {}, nbuf = 0,
				    column = 0, cur = nil, last_ts = nil }, M)
	-- Anything before the name on a line?
	self.decorated = opts.follow or #opts.pids > 0 or opts.relative or opts.timestamps > 0 or
		opts.ip or opts.indent > 0
	-- Lines with nothing but the call: the fast path of right().
	self.plain = not self.decorated and not opts.time_spent and not opts.where
	if file then
		self.file = file
	elseif opts.output then
		local f, err = require("ltrace.core").create(opts.output)
		if not f then error(("can't open %s for writing: %s"):format(opts.output, err), 0) end
		self.file, self.to_file = f, true
		if native then native.guard_output(f) end
	else
		self.file = io.stderr
	end
	self.wall_offset = 0
	if native then
		local rt, mono = native.clocks()
		self.wall_offset = rt - mono
	end
	return self
end

function M:write(s)
	self.nbuf = self.nbuf + 1
	self.buf[self.nbuf] = s
	if self.nbuf >= 4096 then self:flush() end
end

function M:flush()
	self:settle()
	if self.nbuf == 0 then return end
	self.file:write(concat(self.buf, "", 1, self.nbuf))
	self.file:flush()
	self.buf, self.nbuf = {}, 0
end

function M:close()
	self:flush()
	if self.to_file then self.file:close() end
end

local function tstamp(self, ts)
	local o = self.opts
	local wall = ts + self.wall_offset
	local sec, usec = wall // 1000000000, (wall % 1000000000) // 1000
	local out = ""
	if o.relative then
		local d = math.max(ts - (self.last_ts or ts), 0)
		self.last_ts = ts
		out = format("%3d.%06d ", d // 1000000000, (d % 1000000000) // 1000)
	end
	if o.timestamps >= 3 then
		out = out .. format("%d.%06d ", sec, usec)
	elseif o.timestamps >= 1 then
		local h, m, s = 0, 0, 0
		if self.native then h, m, s = self.native.localtime(sec) end
		if o.timestamps == 2 then
			out = out .. format("%02d:%02d:%02d.%06d ", h, m, s, usec)
		else
			out = out .. format("%02d:%02d:%02d ", h, m, s)
		end
	end
	return out
end

-- The start of a line: who = { tid =, ts =, depth =, caller =, ip = }; is_func: a call
-- line (-i shows its return address, -n indents it).
function M:begin_line(who, is_func)
	local o = self.opts
	if not self.decorated or not who then return "" end
	local out = ""
	if self.to_file and (#o.pids > 0 or o.follow) then
		out = format("%d ", who.tid)
	elseif o.follow then
		out = format("[pid %d] ", who.tid)
	end
	if o.relative or o.timestamps > 0 then out = out .. tstamp(self, who.ts or 0) end
	if o.ip then
		local ip = is_func and who.caller or who.ip
		out = out .. (ip and format("[%s] ", ip == 0 and "(nil)" or format("0x%x", ip)) or "[?] ")
	end
	if o.indent > 0 and is_func then
		out = out .. string.rep(" ", o.indent * math.max((who.depth or 1) - 1, 0))
	end
	return out
end

-- Params rendered to strings, joined; "" (hide) is skipped with its delimiter, as
-- ltrace's delim_output. frame.need_delim carries over from the left part to the right.
local function params(list, first, last, frame)
	if last < first then return "" end
	if not frame.D or not frame.D.plan.has_hide then	-- the common case: join
		local out = table.concat(list, ", ", first, last)
		if frame.need_delim then out = ", " .. out end
		frame.need_delim = true
		return out
	end
	local out = ""
	for k = first, last do
		local s = list[k]
		if s and s ~= "" then
			out = frame.need_delim and out .. ", " .. s or out .. s
			frame.need_delim = true
		end
	end
	return out
end

-- The left part of frame's line, rendered now (out.render_left fills its parameters).
local function left_text(self, frame)
	if self.render_left then self.render_left(frame) end
	frame.need_delim = false
	return self:begin_line(frame, true) .. (frame.prefix or "") .. frame.name .. "(" ..
		params(frame.params, 1, frame.nleft, frame)
end

-- Writes the open call's left part if it is still only pending.
function M:settle()
	local cur = self.cur
	if cur and cur.pending then
		cur.pending = false
		local text = left_text(self, cur)
		self:write(text)
		self.column = #text
	end
end

-- frame = { tid, ts, depth, caller, name, prefix, params = {rendered...}, nleft }. The
-- left part is written when anything else is (or at a flush), else with the right part.
function M:left(frame)
	self:settle()
	if self.cur then
		self:write(" <unfinished ...>\n")
		self.column = 0
	end
	self.cur = frame
	frame.pending = true
end

local PAD = setmetatable({}, { __index = function(t, n)
	local s = string.rep(" ", n)
	t[n] = s
	return s
end })

local function result(self, ret, spent_ns, column)
	local col = self.opts.align - 1
	local out = (column < col and PAD[col - column] or "") .. "= " .. ret
	if self.opts.time_spent then
		local d = math.max(spent_ns or 0, 0)
		out = out .. format(" <%d.%06d>", d // 1000000000, (d % 1000000000) // 1000)
	end
	return out .. "\n"
end

-- Completes frame: params[nleft+1 ..] were rendered at return; ret the result text;
-- spent_ns for -T; now the return's timestamp.
function M:right(frame, ret, spent_ns, now)
	local text
	if self.cur == frame and frame.pending then	-- nothing came between: one line
		frame.pending = false
		if self.plain then	-- and nothing around it: the common case, in one format
			if self.render_left then self.render_left(frame) end
			local list = frame.params
			local head = format("%s%s(%s) ", frame.prefix, frame.name,
					    frame.D and frame.D.plan.has_hide and
					    params(list, 1, #list, frame) or concat(list, ", "))
			local pad = self.opts.align - 1 - #head
			self:write(format("%s%s= %s\n", head, pad > 0 and PAD[pad] or "", ret))
			self.cur = nil
			self.column = 0
			return
		end
		text = left_text(self, frame)
	else
		self:settle()
		if self.cur and self.cur ~= frame then
			self:write(" <unfinished ...>\n")
			self.cur = nil
		end
		if self.cur == frame then
			text = ""
		else
			text = self:begin_line({ tid = frame.tid, ts = now or frame.ts,
						 depth = frame.depth, caller = frame.caller }, true) ..
				format("<... %s resumed> ", frame.D and frame.D.resumed or frame.name)
			self.column = 0
		end
	end
	text = text .. params(frame.params, frame.nleft + 1, #frame.params, frame) .. ") "
	self:write(text .. result(self, ret, spent_ns, self.column + #text))
	if self.opts.where and frame.stack then self:backtrace(frame.stack) end
	self.cur = nil
	self.column = 0
end

-- -w N: the stack of the call (captured when it started), its caller first, as ltrace's
-- libdw build prints it: " > module(symbol+0xoffset) [address]", then an empty line.
function M:backtrace(stack)
	for k = 2, self.opts.where + 1 do
		local f = stack[k]
		if not f then break end
		self:write(format(" > %s(%s+0x%x) [%x]\n", f.module or "?", f.sym or "??",
				  f.offset or 0, f.addr))
	end
	self:write("\n")
end

-- A line of its own: "--- SIGSEGV (...) ---", "+++ exited (status 0) +++".
function M:line(who, text)
	if self.opts.summary then return end
	self:settle()
	if self.cur then self:write(" <no return ...>\n") end
	self.cur = nil
	self:write(self:begin_line(who, false) .. text .. "\n")
	self.column = 0
end

-- summary({ {name =, count =, ns =}, ... }): ltrace -c's table, sorted by time spent.
function M:summary(entries)
	local rows, tot_us, tot_count = {}, 0, 0
	for _, e in ipairs(entries) do
		local us = e.ns // 1000
		rows[#rows + 1] = { name = e.name, count = e.count, us = us }
		tot_us = tot_us + us
		tot_count = tot_count + e.count
	end
	table.sort(rows, function(a, b)
		if a.us ~= b.us then return a.us > b.us end
		return a.name < b.name
	end)
	self:write("% time     seconds  usecs/call     calls      function\n")
	self:write("------ ----------- ----------- --------- --------------------\n")
	for _, r in ipairs(rows) do
		local p = tot_us > 0 and 100000 * r.us // tot_us + 5 or 0
		self:write(format("%3d.%02d %4d.%06d %11d %9d %s\n", p // 1000, (p // 10) % 100,
				  r.us // 1000000, r.us % 1000000, r.count > 0 and r.us // r.count or 0,
				  r.count, r.name))
	end
	self:write("------ ----------- ----------- --------- --------------------\n")
	self:write(format("100.00 %4d.%06d             %9d total\n", tot_us // 1000000,
			  tot_us % 1000000, tot_count))
end

return M
