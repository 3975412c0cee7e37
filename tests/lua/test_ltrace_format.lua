-- Tests of the ltrace front end's prototype and output modules: lua/ltrace/conf.lua
-- (ltrace.conf grammar, Debian's /etc/ltrace.conf parses cleanly, the calling convention),
-- lua/ltrace/render.lua (ltrace's lenses), lua/ltrace/plan.lua (what the kernel captures),
-- lua/ltrace/events.lua's printf conversions and lua/ltrace/out.lua (lines, unfinished and
-- resumed calls, prefixes, the -c table). Expected strings are ltrace 0.7.3's output.

local conf = require("ltrace.conf")
local render = require("ltrace.render")
local plan = require("ltrace.plan")
local events = require("ltrace.events")
local Out = require("ltrace.out")
local protos = require("ltrace.protos")

local T = require("testlib")
local test, eq = T.test, T.eq

local function proto(text)
	local lib = conf.add(conf.new(), text, "test")
	if #lib.warnings > 0 then error(lib.warnings[1], 2) end
	local _, p = next(lib.protos)
	return p, lib
end

local ctx = { strlen = 32, arraylen = 4, arg = function() return nil end }

test("conf: types, lenses, + and legacy spellings", function()
	local p = proto("long read(int, +string[retval], ulong);")
	eq(p.name, "read", "name")
	eq(p.right, 2, "right part starts at the + parameter")
	eq(p.params[2].lens, "string", "string lens")
	eq(p.params[2].to.len.k, "zero", "string[retval] stops at the NUL")
	eq(p.params[2].to.len.max.n, 0, "retval is arg0")
	p = proto("int snprintf(+string2,ulong,format);")
	eq(p.params[1].to.len.max.n, 2, "string2 is string[arg2]")
	eq(p.params[3].k, "format", "format")
	p = proto("addr memcpy(addr,string(array(char, arg3)*),ulong);")
	eq(p.params[2].to.len.n, 3, "explicit array length")
	p = proto("string setlocale(enum(LC_CTYPE=0, LC_NUMERIC, LC_ALL=6), string);")
	eq(p.params[1].enum[1], "LC_NUMERIC", "enum counts on")
	p = proto("int open(string,int,octal);")
	eq(p.params[3].lens, "oct", "octal")
	p = proto("hex(uint) inet_addr(string);")
	eq(p.ret.lens, "hex", "lens on the result")
end)

test("conf: typedefs, recursive structs, bad lines are warnings", function()
	local _, lib = proto("typedef ll = struct;\ntypedef ll = struct(int, ll*);\nvoid f(ll*);")
	local f = lib.protos.f
	eq(f.params[1].to.fields[2].to, f.params[1].to, "the forward declaration is completed")
	lib = conf.add(conf.new(), "int ok(int);\nint bad(nosuchtype);\n; comment", "x.conf")
	eq(#lib.warnings, 1, "one warning")
	eq(lib.warnings[1]:find("x.conf:2", 1, true) ~= nil, true, "names file:line")
	eq(lib.protos.ok ~= nil, true, "the good line stays")
end)

test("conf: Debian's /etc/ltrace.conf and the shipped prototypes parse cleanly", function()
	local lib = conf.new()
	for _, group in ipairs({ "libc", "libpthread", "libdl", "libm", "libstdcxx" }) do
		conf.add(lib, table.concat(protos[group], "\n"), group)
	end
	eq(#lib.warnings, 0, "built-in warnings: " .. tostring(lib.warnings[1]))
	if io.open("/etc/ltrace.conf") then
		conf.add_file(lib, "/etc/ltrace.conf")
		eq(#lib.warnings, 0, "ltrace.conf warnings: " .. tostring(lib.warnings[1]))
		eq(lib.protos.SYS_write ~= nil, true, "SYS_ prototypes too")
	end
end)

test("conf: lazy prototypes are the eager ones, parsed when looked up", function()
	local eager, lazy = conf.new(), conf.new()
	local sources = {}
	for _, group in ipairs({ "libc", "libpthread", "libdl", "libm", "libstdcxx" }) do
		sources[#sources + 1] = { table.concat(protos[group], "\n"), group }
	end
	local f = io.open("/etc/ltrace.conf")
	if f then
		sources[#sources + 1] = { f:read("a"), "/etc/ltrace.conf" }
		f:close()
	end
	for _, src in ipairs(sources) do
		conf.add(eager, src[1], src[2])
		conf.add(lazy, src[1], src[2], true)
	end
	local n = 0
	for name, p in pairs(eager.protos) do
		local q = lazy.protos[name]
		eq(q ~= nil, true, "lazy " .. name)
		eq(#q.params, #p.params, name .. ": parameters")
		eq(q.ret.k, p.ret.k, name .. ": result")
		n = n + 1
	end
	eq(n > 500, true, "prototypes compared: " .. n)
	eq(#lazy.warnings, 0, "lazy warnings: " .. tostring(lazy.warnings[1]))
	lazy = conf.add(conf.new(), "int ok(int);\nint bad(nosuchtype);", "y.conf", true)
	eq(#lazy.warnings, 0, "a bad lazy line is not parsed before it is looked up")
	eq(lazy.protos.bad, nil, "the bad line gives no prototype")
	eq(lazy.warnings[1]:find("y.conf:2", 1, true) ~= nil, true, "its warning names file:line")
	eq(lazy.protos.ok.params[1].k, "int", "the good line")
	conf.add(lazy, "long ok(long, long);", "z.conf")
	eq(#lazy.protos.ok.params, 2, "a later eager definition replaces a lazy one")
	conf.add(lazy, "int ok(int);", "w.conf", true)
	eq(#lazy.protos.ok.params, 1, "a later lazy definition replaces an eager one")
	conf.add(lazy, "; long ok(long, long, long);\n# long ok(long);", "c.conf", true)
	eq(#lazy.protos.ok.params, 1, "commented-out lines declare nothing, lazily too")
end)

test("conf: x86-64 argument registers skip floating point", function()
	local p = proto("double ldexp(double, int);")
	local locs = conf.locations(p.params)
	eq(locs[1], "sse", "double")
	eq(locs[2].reg, 1, "the int is in the first integer register")
	p = proto("void f(int,int,int,int,int,int,int);")
	local l7 = conf.locations(p.params)[7]
	eq(l7.reg, 7, "7th integer: the first stack slot (argument 7)")
	eq(l7.stack, true, "7th integer on the stack")
	p = proto("void f(int,int,int,int,int,struct(long,long,long),int,int);")
	local locs = conf.locations(p.params)
	eq(locs[6], "stack", "a 24-byte struct: on the stack, not read")
	eq(locs[7].reg, 6, "the int after it still takes the last register")
	eq(locs[8].reg, 10, "then the slot after the struct's three")
	p = proto("void f(int,int,int,int,int,int,int,int,int,int,int,int,int);")
	eq(conf.locations(p.params)[13], "stack", "past six stack slots: not read")
	eq(conf.sizeof(proto("void f(struct(char,int,long));").params[1]), 16, "struct size")
end)

test("render: integers by lens and width", function()
	local guess = { k = "long", lens = "guess" }
	eq(render.scalar(guess, 10000, ctx), "10000", "guess small")
	eq(render.scalar(guess, 10001, ctx), "0x2711", "guess large")
	eq(render.scalar(guess, -1, ctx), "-1", "guess -1")
	eq(render.scalar(guess, -10001, ctx), "0xffffffffffffd8ef", "guess negative large")
	eq(render.scalar({ k = "int" }, 0xffffffff, ctx), "-1", "int is 32 bits")
	eq(render.scalar({ k = "uint" }, -1, ctx), "4294967295", "uint")
	eq(render.scalar({ k = "ulong" }, -1, ctx), "18446744073709551615", "ulong")
	eq(render.scalar({ k = "int", lens = "oct" }, 0, ctx), "00", "octal 0")
	eq(render.scalar({ k = "int", lens = "oct" }, 18, ctx), "022", "octal")
	eq(render.scalar({ k = "uint", lens = "hex" }, 0, ctx), "0", "hex 0")
	eq(render.scalar({ k = "int", lens = "bool" }, 2, ctx), "true", "bool")
	eq(render.scalar({ k = "char" }, 120, ctx), "'x'", "char")
	eq(render.scalar({ k = "char" }, -1, ctx), "'EOF'", "EOF")
	eq(render.scalar({ k = "char" }, 10, ctx), "'\\n'", "escape")
	eq(render.value({ k = "pointer", to = { k = "void" } }, 0, nil, ctx), "0", "NULL addr")
	eq(render.scalar({ k = "double" }, 0, ctx), "<double>", "floating point placeholder")
end)

test("render: strings, escapes, -s truncation, NULL", function()
	local str = { k = "pointer", lens = "string",
		      to = { k = "array", elt = { k = "char" }, len = { k = "zero" } } }
	eq(render.value(str, 1, "hi\n\t\1\"", ctx), '"hi\\n\\t\\001""', "escapes")
	eq(render.value(str, 1, "\149\255", ctx), '"\\225\\377"', "high bytes are octal")
	eq(render.value(str, 0, nil, ctx), "nil", "NULL string")
	eq(render.value(str, 0x1234, nil, ctx), "0x1234", "unreadable: the address")
	local long = string.rep("0123456789", 4)
	eq(render.value(str, 1, long:sub(1, 33), ctx), '"' .. long:sub(1, 32) .. '"...', "-s 32")
	eq(render.value(str, 1, long:sub(1, 32), ctx), '"' .. long:sub(1, 32) .. '"...',
		"exactly -s long: ltrace prints ... too")
	eq(render.value(str, 1, long:sub(1, 31), ctx), '"' .. long:sub(1, 31) .. '"', "shorter")
	local arr = { k = "pointer", lens = "string",
		      to = { k = "array", elt = { k = "char" }, len = { k = "arg", n = 3 } } }
	local c3 = setmetatable({ arg = function(n) return n == 3 and 4 or nil end }, { __index = ctx })
	eq(render.value(arr, 1, "ab\0c", c3), '"ab\\0c"', "explicit length keeps NULs")
end)

test("render: arrays, structs, bit vectors, enums", function()
	local ints = { k = "pointer", to = { k = "array", elt = { k = "int" }, len = { k = "num", v = 6 } } }
	local mem = string.pack("<i4i4i4i4i4", 1, 2, 3, 4, 5)
	eq(render.value(ints, 1, mem, ctx), "[ 1, 2, 3, 4... ]", "-A 4")
	local st = { k = "pointer", to = { k = "struct", fields = { { k = "char" }, { k = "int" } } } }
	eq(render.value(st, 1, string.pack("<i1xxxi4", 65, -3), ctx), "{ 'A', -3 }", "struct")
	eq(render.bitvec(0, 8), "<>", "empty")
	eq(render.bitvec(0xb8, 8), "<3-5,7>", "bits")
	eq(render.bitvec(-2, 8), "~<0>", "inverse")
	eq(render.scalar({ k = "int", lens = "enum", enum = { [10] = "SIGUSR1" } }, 10, ctx),
		"SIGUSR1", "enum")
	eq(render.scalar({ k = "int", lens = "enum", enum = {} }, 99, ctx), "99", "enum miss")
end)

test("plan: captures at entry and return, shared by equal plans", function()
	local opts = { strlen = 32, arraylen = 4 }
	local p = plan.plan(proto("long read(int, +string[retval], ulong);"), opts)
	eq(p.kind, "call", "right parameters need a paired probe")
	eq(p.ret_args[2], "out:bytes:33/ret", "output buffer read at return, bounded by ret")
	p = plan.plan(proto("int snprintf(+string2,ulong,format);"), opts)
	eq(p.ret_args[1], "out:bytes:33/arg2", "bounded by another argument")
	eq(p.entry[3], "str:256", "the format is read at entry")
	eq(p.entry[4], "str:34", "speculative vararg strings")
	p = plan.plan(proto("ulong strlen(string);"), opts)
	eq(p.kind, "uretprobe", "no right part: a plain return probe")
	eq(p.entry[1], "str:34", "-s 32 reads 33 characters to see truncation")
	local q = plan.plan(proto("int puts(string);"), opts)
	eq(plan.entry_key(p), plan.entry_key(q), "strlen and puts share the entry probe")
	eq(plan.plan(proto("string getenv(string);"), opts).ret, "str:34", "string result")
end)

test("printf conversions as ltrace's printf.c types them", function()
	local c = events.conversions("%d %5.2s %hhd %lu %x %f %p %% %*d %c")
	local kinds = {}
	for _, x in ipairs(c) do kinds[#kinds + 1] = x.t .. (x.lens and ":" .. x.lens or "") end
	eq(table.concat(kinds, " "),
		"int string char ulong uint:hex double pointer int int char", "conversions")
	eq(c[2].len, 52, "digits of width and precision bound %s, as ltrace reads them")
end)

local function writer(opts)
	local sink = { text = "" }
	function sink:write(s) self.text = self.text .. s end
	function sink:flush() end
	local o = {
		align = 50, indent = 0, timestamps = 0, relative = false, ip = false,
		time_spent = false, follow = false, pids = {}, summary = false,
	}
	for k, v in pairs(opts or {}) do o[k] = v end
	return Out.new(o, nil, sink), sink
end

local function frame(name, params, nleft, tid)
	return { tid = tid or 1, ts = 0, depth = 1, name = name, prefix = "", params = params,
		 nleft = nleft or #params }
end

test("out: a call, padded to the result column", function()
	local out, sink = writer()
	local f = frame("malloc", { "24" })
	out:left(f)
	out:right(f, "0x55d0c1a2b2a0", 0)
	out:flush()
	eq(sink.text, "malloc(24)" .. string.rep(" ", 39) .. "= 0x55d0c1a2b2a0\n", "line")
end)

test("out: unfinished, resumed, no return", function()
	local out, sink = writer({ align = 20 })
	local q = frame("qsort", { "ADDR", "3" })
	local s = frame("strcmp", { '"a"', '"b"' })
	out:left(q)
	out:left(s)
	out:right(s, "-1", 0)
	out:right(q, "<void>", 0)
	local r = frame("read", { "3", '"x"' }, 1)
	out:left(r)
	out:line({ tid = 1, ts = 0 }, "--- SIGUSR1 (User defined signal 1) ---")
	out:right(r, "1", 0)
	out:flush()
	eq(sink.text, "qsort(ADDR, 3 <unfinished ...>\n" ..
		'strcmp("a", "b")   = -1\n' ..
		"<... qsort resumed> ) = <void>\n" ..
		"read(3 <no return ...>\n" ..
		"--- SIGUSR1 (User defined signal 1) ---\n" ..
		'<... read resumed> , "x") = 1\n', "lines")
end)

test("out: prefixes for -f, -o with -f, -n, -T, -r", function()
	local out, sink = writer({ follow = true, indent = 2, time_spent = true, align = 0 })
	local f = frame("abs", { "-1" }, 1, 42)
	f.depth = 3
	out:left(f)
	out:right(f, "1", 1500000)
	out:flush()
	eq(sink.text, "[pid 42]     abs(-1) = 1 <0.001500>\n", "-f -n 2 -T")
	out, sink = writer({ follow = true, align = 0 })
	out.to_file = true
	out:line({ tid = 7, ts = 0 }, "+++ exited (status 0) +++")
	out:flush()
	eq(sink.text, "7 +++ exited (status 0) +++\n", "-o FILE -f")
	out, sink = writer({ relative = true, align = 0 })
	out:line({ tid = 1, ts = 1000 }, "a")
	out:line({ tid = 1, ts = 2501000 }, "b")
	out:flush()
	eq(sink.text, "  0.000000 a\n  0.002500 b\n", "-r")
end)

test("out: the -c table", function()
	local out, sink = writer()
	out:summary({ { name = "free", count = 3, ns = 24000 }, { name = "malloc", count = 1, ns = 76000 } })
	out:flush()
	eq(sink.text,
		"% time     seconds  usecs/call     calls      function\n" ..
		"------ ----------- ----------- --------- --------------------\n" ..
		" 76.00    0.000076          76         1 malloc\n" ..
		" 24.00    0.000024           8         3 free\n" ..
		"------ ----------- ----------- --------- --------------------\n" ..
		"100.00    0.000100                     4 total\n", "table")
end)

T.done()
