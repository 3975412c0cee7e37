-- Tests of lua/ltrace/opts.lua and lua/ltrace/filter.lua: ltrace 0.7.3's command line
-- (bundled flags, attached and separate arguments, long options and their prefixes, its
-- checks and messages) and filter expressions (-e, -x, -l) with ltrace's matching rules.

local opts = require("ltrace.opts")
local filter = require("ltrace.filter")

local T = require("testlib")
local test, eq, raises = T.test, T.eq, T.raises

local function parse(...) return opts.parse({ ... }) end

test("defaults and the command", function()
	local o = parse("ls", "-l", "/tmp")
	eq(o.strlen, 32, "strlen")
	eq(o.arraylen, 4, "arraylen")
	eq(o.indent, 0, "indent")
	eq(#o.command, 3, "command words")
	eq(o.command[2], "-l", "options after the command are the command's")
	eq(o.hide_caller, true, "default @MAIN hides the caller")
	eq(#o.plt_filter, 1, "default filter")
end)

test("bundled flags and attached arguments", function()
	local o = parse("-fcTiCS", "-s64", "-A", "7", "-n3", "-ttt", "x")
	eq(o.follow and o.summary and o.time_spent and o.ip and o.demangle and o.syscalls, true,
		"flags")
	eq(o.strlen, 64, "-s64")
	eq(o.arraylen, 7, "-A 7")
	eq(o.indent, 3, "-n3")
	eq(o.timestamps, 3, "-ttt")
end)

test("-r with -t is refused as ltrace does", function()
	raises(function() parse("-r", "-t", "x") end, "-r and -t can't be used together")
end)

test("long options, = or separate, abbreviated", function()
	local o = parse("--output=/tmp/o", "--indent", "2", "--dem", "--align=60", "x")
	eq(o.output, "/tmp/o", "--output=")
	eq(o.indent, 2, "--indent 2")
	eq(o.demangle, true, "--dem")
	eq(o.align, 60, "--align")
	raises(function() parse("--nope", "x") end, "unrecognized option '--nope'")
	raises(function() parse("--demangle=1", "x") end, "doesn't allow an argument")
end)

test("integers as ltrace's parse_int reads them", function()
	eq(parse("-s", "0x10", "x").strlen, 16, "hex")
	eq(parse("-s", "010", "x").strlen, 8, "octal")
	raises(function() parse("-s", "abc", "x") end, "Invalid argument to -s: 'abc'")
	raises(function() parse("-n", "21", "x") end, "Use integer 0..20")
	raises(function() parse("-p", "0") end, "Invalid argument to -p")
end)

test("bad and unsupported flags name the flag", function()
	raises(function() parse("-k", "x") end, "invalid option -- 'k'")
	raises(function() parse("-e") end, "option requires an argument -- 'e'")
	eq(parse("-w", "3", "x").where, 3, "-w")
	raises(function() parse("-w", "0", "x") end, "Invalid argument to -w")
	raises(function() parse("-u", "nobody", "x") end, "-u nobody")
	raises(function() parse() end, "too few arguments")
	raises(function() parse("-L", "-e", "malloc", "x") end, "-L can't be used with -e")
	raises(function() parse("-p", "1", "ls") end, "-p PID together with a command")
end)

test("help, version, -Dh need no command", function()
	eq(parse("-h").help, true, "-h")
	eq(parse("--version").version, true, "--version")
	eq(parse("-Dh").debug_help, true, "-Dh")
	eq(parse("-D", "17", "x").debug, 15, "-D is octal")
end)

test("-e and -l: filters, the caller shown", function()
	local o = parse("-e", "malloc+free", "x")
	eq(o.hide_caller, false, "an explicit -e shows caller->")
	eq(#o.plt_filter[1], 2, "two rules")
	local l = parse("-l", "libm.so*", "x")
	eq(l.plt_filter, nil, "-l alone sets no -e")
	eq(l.export_filter[1][1].text, "*@libm.so*", "-l is @LIB without operators")
end)

local main = { soname = "prog", path = "/bin/prog", is_main = true }
local libc = { soname = "libc.so.6", path = "/lib/libc.so.6", is_main = false }

local function m(expr, name, lib, ops)
	return filter.matches_symbol({ filter.parse(expr, ops ~= false) }, name, lib)
end

test("filter chains mark and unmark in order", function()
	eq(m("malloc+free", "free", main), true, "+")
	eq(m("malloc+free", "calloc", main), false, "not named")
	eq(m("*-free", "free", main), false, "- after *")
	eq(m("-free", "malloc", main), true, "leading - means everything else")
	eq(m("!free", "free", main), false, "! is -")
	eq(m("str*", "strlen", main), true, "glob")
	eq(m("str*", "xstrlen", main), false, "globs match the whole name")
	eq(m("malloc+free-@libc.so*", "free", libc), false, "man page example: not from libc")
	eq(m("malloc+free-@libc.so*", "free", main), true, "man page example: from main")
end)

test("library patterns: MAIN, sonames, paths", function()
	eq(m("@MAIN", "f", main), true, "MAIN")
	eq(m("@MAIN", "f", libc), false, "MAIN is not libc")
	eq(m("@libc.so*", "f", libc), true, "soname glob")
	eq(m("f@/lib/*", "f", libc), true, "path pattern")
	eq(filter.wants_libraries({ filter.parse("@MAIN", true) }), false, "MAIN only")
	eq(filter.wants_libraries({ filter.parse("malloc", true) }), true, "any library")
end)

test("regular expressions are anchored basic REs (needs the native module)", function()
	if not pcall(require, "ltrace.native") then return end
	eq(m("/str.*/", "strlen", main), true, "/str.*/")
	eq(m("/^str/", "strlen", main), false, "anchored: ^str$ is not strlen")
	eq(m("/mall.c@MAIN/", "malloc", main), true, "/sym@lib/")
	raises(function() filter.parse("/a\\(/", true) end, "bad regular expression")
end)

test("globs translate to Lua patterns without the native module", function()
	eq(filter.glob_to_lua("str*"), "^str.*$", "*")
	eq(filter.glob_to_lua("a?[!xy]."), "^a.[^xy]%.$", "? [!] .")
end)

T.done()
