-- ltrace.opts: ltrace(1)'s command line, parsed the way ltrace 0.7.3's getopt_long does
-- ("+cfhiLrStTVbC" plus "a:A:D:e:F:l:n:o:p:s:u:x:X:w:", long options abbreviable), with
-- its defaults and its checks. parse(argv) -> opts, or raises a one-line message naming
-- the option. src/app/cli_ltrace.c scans the same grammar to find the command: keep the lists
-- of options taking an argument in step.

local filter = require("ltrace.filter")

local M = {}

local DEFAULT_ALIGN, DEFAULT_ARRAYLEN, DEFAULT_STRLEN = 50, 4, 32

local NOARG = "cfhiLrStTVbC"
local WITHARG = "aADeFlnopsuxXw"
local LONG = {
	align = { "a", true }, config = { "F", true }, debug = { "D", true },
	demangle = { "C", false }, indent = { "n", true }, help = { "h", false },
	library = { "l", true }, output = { "o", true }, version = { "V", false },
	["no-signals"] = { "b", false }, where = { "w", true },
}

local function die(fmt, ...)
	error(string.format(fmt, ...), 0)
end

-- ltrace's parse_int: strtol base 0, bounds [min, max] (max 0: none).
local function parse_int(text, opt, min, max)
	local s = text:match("^%s*(.-)$")
	local v
	if s:match("^[+-]?0[xX]%x+$") then
		v = tonumber(s:gsub("^([+-]?)0[xX]", "%10x"), nil)
	elseif s:match("^[+-]?0[0-7]*$") then
		v = tonumber(s:gsub("^([+-]?)0", "%1"), 8) or 0
	elseif s:match("^[+-]?%d+$") then
		v = math.tointeger(tonumber(s))
	end
	if not v or v < min or (max ~= 0 and v > max) then
		if max ~= 0 then
			die("Invalid argument to -%s: '%s'.  Use integer %d..%d.", opt, text, min, max)
		end
		die("Invalid argument to -%s: '%s'.  Use integer >=%d.", opt, text, min)
	end
	return v
end

-- The terminal decides the default alignment, as ltrace's guess_cols() does.
local function guess_align(native)
	local cols = os.getenv("COLUMNS")
	if cols and cols ~= "" then
		local n = math.tointeger(tonumber(cols))
		return n and n > 0 and n * 5 // 8 or DEFAULT_ALIGN
	end
	local tty = native and native.tty_columns()
	return tty and tty * 5 // 8 or DEFAULT_ALIGN
end

local function defaults(native)
	return {
		align = guess_align(native), arraylen = DEFAULT_ARRAYLEN, strlen = DEFAULT_STRLEN,
		indent = 0, summary = false, demangle = false, follow = false, pids = {},
		syscalls = false, timestamps = 0, relative = false, time_spent = false,
		ip = false, no_signals = false, libcalls = true, configs = {},
		plt_filter = nil, export_filter = nil, static_filter = nil, hide_caller = false,
		help = false, version = false, debug = 0, command = {},
	}
end

local handlers = {}

function handlers.a(o, v) o.align = parse_int(v, "a", 0, 0) end
function handlers.A(o, v) o.arraylen = parse_int(v, "A", 0, 0) end
function handlers.b(o) o.no_signals = true end
function handlers.c(o) o.summary = true end
function handlers.C(o) o.demangle = true end
function handlers.D(o, v)
	if v:sub(1, 1) == "h" then
		o.debug_help = true
		return
	end
	local n = v:match("^[0-7]+$") and tonumber(v, 8)
	if not n then die("--debug requires an octal argument") end
	o.debug = n
end
function handlers.e(o, v) o.plt_filter = filter.append(o.plt_filter, v, true) end
function handlers.f(o) o.follow = true end
function handlers.F(o, v) o.configs[#o.configs + 1] = v end
function handlers.h(o) o.help = true end
function handlers.i(o) o.ip = true end
function handlers.l(o, v) o.export_filter = filter.append(o.export_filter, "@" .. v, false) end
function handlers.L(o) o.libcalls = false end
function handlers.n(o, v) o.indent = parse_int(v, "n", 0, 20) end
function handlers.o(o, v) o.output = v end
function handlers.p(o, v) o.pids[#o.pids + 1] = parse_int(v, "p", 1, 0) end
function handlers.r(o) o.relative = true end
function handlers.s(o, v) o.strlen = parse_int(v, "s", 0, 0) end
function handlers.S(o) o.syscalls = true end
function handlers.t(o) o.timestamps = o.timestamps + 1 end
function handlers.T(o) o.time_spent = true end
function handlers.u(o, v) o.user = v end
function handlers.V(o) o.version = true end
-- ltrace takes any depth; the core's stacks hold 127 frames, one of them the caller (-i).
function handlers.w(o, v) o.where = parse_int(v, "w", 1, 126) end
function handlers.x(o, v) o.static_filter = filter.append(o.static_filter, v, true) end
function handlers.X(o, v) o.export_x = v end

local function long_option(arg)
	local name, value = arg:match("^%-%-([^=]+)=(.*)$")
	name = name or arg:sub(3)
	if LONG[name] then return name, LONG[name], value end
	local found
	for full, spec in pairs(LONG) do
		if full:sub(1, #name) == name then
			if found then die("option '--%s' is ambiguous", name) end
			found = { full, spec }
		end
	end
	if not found then die("unrecognized option '--%s' (see --help)", name) end
	return found[1], found[2], value
end

-- One argv element starting with '-': returns how many elements it used.
local function take(o, argv, i)
	local a = argv[i]
	if a:sub(1, 2) == "--" then
		local name, spec, value = long_option(a)
		if spec[2] and not value then
			value = argv[i + 1]
			if not value then die("option '--%s' requires an argument", name) end
			handlers[spec[1]](o, value)
			return 2
		elseif not spec[2] and value then
			die("option '--%s' doesn't allow an argument", name)
		end
		handlers[spec[1]](o, value)
		return 1
	end
	for j = 2, #a do
		local c = a:sub(j, j)
		if WITHARG:find(c, 1, true) then
			local value = a:sub(j + 1)
			if value ~= "" then
				handlers[c](o, value)
				return 1
			end
			value = argv[i + 1]
			if not value then die("option requires an argument -- '%s'", c) end
			handlers[c](o, value)
			return 2
		elseif NOARG:find(c, 1, true) then
			handlers[c](o)
		else
			die("invalid option -- '%s' (see --help)", c)
		end
	end
	return 1
end

-- The checks ltrace makes after getopt, plus what ltrace-ebpf cannot do (yet).
local function check(o)
	if o.help or o.version or o.debug_help then return end
	if o.libcalls and not o.plt_filter and not o.export_filter then
		o.plt_filter = filter.append(nil, "@MAIN", true)
		o.hide_caller = true
	end
	if not o.libcalls and o.plt_filter then die("Option -L can't be used with -e or -l.") end
	if #o.pids == 0 and #o.command == 0 then die("too few arguments (see --help)") end
	if o.relative and o.timestamps > 0 then
		die("Options -r and -t can't be used together")
	end
	if #o.pids > 0 and #o.command > 0 then
		die("-p PID together with a command is not supported: trace one or the other")
	end
	if #o.pids > 1 then die("-p: one process at a time (more than one -p is not supported)") end
	if o.user then
		die("-u %s: running the command as another user is not supported", o.user)
	end
	if o.export_x then die("-X %s: not supported", o.export_x) end
end

-- parse({ "-c", "ls", "-l" }) -> opts; `native` (optional) answers the terminal width.
function M.parse(argv, native)
	local o = defaults(native)
	local i = 1
	while i <= #argv do
		local a = argv[i]
		if a == "--" then
			i = i + 1
			break
		end
		if a:sub(1, 1) ~= "-" or a == "-" then break end
		i = i + take(o, argv, i)
	end
	for j = i, #argv do o.command[#o.command + 1] = argv[j] end
	check(o)
	return o
end

M.USAGE = [==[
Usage: ltrace [option ...] [command [arg ...]]
Trace library calls of a given program.

  -a, --align=COLUMN  align return values in a secific column.
  -A MAXELTS          maximum number of array elements to print.
  -b, --no-signals    don't print signals.
  -c                  count time and calls, and report a summary on exit.
  -C, --demangle      decode low-level symbol names into user-level names.
  -D, --debug=MASK    enable debugging (see -Dh or --debug=help).
  -Dh, --debug=help   show help on debugging.
  -e FILTER           modify which library calls to trace.
  -f                  trace children (fork() and clone()).
  -F, --config=FILE   load alternate configuration file (may be repeated).
  -h, --help          display this help and exit.
  -i                  print instruction pointer at time of library call.
  -l, --library=LIBRARY_PATTERN only trace symbols implemented by this library.
  -L                  do NOT display library calls.
  -n, --indent=NR     indent output by NR spaces for each call level nesting.
  -o, --output=FILENAME write the trace output to file with given name.
  -p PID              attach to the process with the process ID pid.
  -r                  print relative timestamps.
  -s STRSIZE          specify the maximum string size to print.
  -S                  trace system calls as well as library calls.
  -t, -tt, -ttt       print absolute timestamps.
  -T                  show the time spent inside each call.
  -u USERNAME         run command with the userid, groupid of username.
  -V, --version       output version information and exit.
  -w, --where=NR      print backtrace showing NR stack frames at most.
  -x FILTER           modify which static functions to trace.

ltrace-ebpf runs this as an eBPF tracer (docs/ltrace.md): no ptrace, same output.
]==]

M.DEBUG_HELP = [[
ltrace-ebpf accepts -D/--debug=MASK for compatibility: 1 prints which functions are
probed and where; other bits are ignored.
]]

return M
