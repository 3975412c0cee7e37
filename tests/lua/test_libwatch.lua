-- Tests of lua/libwatch.lua's parts that need no probe: the executable file mappings of a
-- process, and the misuse of watch(). (Its probe runs in tests/integration/
-- test_ltrace_dlopen.sh.) Run with ltrace-ebpf --lua-test FILE.

local libwatch = require("libwatch")

local T = require("testlib")
local test, eq, raises = T.test, T.eq, T.raises

local function exe_of_self()
	local f = assert(io.open("/proc/self/maps"))
	local first = f:read("l")
	f:close()
	return first:match("(/.+)$")
end

test("mapped_files: this process's executable and libraries, once each, code only", function()
	local files = libwatch.mapped_files("self")
	local seen, libc = {}, false
	for _, path in ipairs(files) do
		eq(seen[path], nil, "listed once: " .. path)
		seen[path] = true
		eq(path:sub(1, 1), "/", "a file path")
		if path:match("/libc%.so") then libc = true end
	end
	eq(seen[exe_of_self()], true, "the executable")
	eq(libc, true, "libc")
end)

test("mapped_files: a process that is gone has none", function()
	eq(#libwatch.mapped_files((1 << 22) + 1), 0)
end)

test("watch: the dynamic linker's path is required", function()
	raises(function() libwatch.watch({}, function() end) end, "opts.ldso")
	raises(function() libwatch.watch(nil, function() end) end, "opts.ldso")
end)

T.done()
