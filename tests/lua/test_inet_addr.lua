-- Tests of tool.inet_addr / inet_endpoint, the socket addresses the TCP tools print:
-- IPv6 must read as inet_ntop writes it (RFC 5952), with the port outside brackets.
-- Run with ltrace-ebpf --lua-test FILE.

local tool = require("tool")
local T = require("testlib")
local test, eq = T.test, T.eq

-- An event as sock:inet_sock_set_state decodes it: family, 4-byte and 16-byte arrays.
local function v6(hex)
	local b = {}
	for byte in hex:gmatch("%x%x") do b[#b + 1] = tonumber(byte, 16) end
	assert(#b == 16, hex)
	return { family = 10, saddr = { 0, 0, 0, 0 }, saddr_v6 = b }
end

local function addr(hex)
	return tool.inet_addr(v6(hex), "saddr", "saddr_v6")
end

test("IPv4 dotted, endpoint without brackets", function()
	local e = { family = 2, saddr = { 127, 0, 0, 1 }, saddr_v6 = {} }
	eq(tool.inet_addr(e, "saddr", "saddr_v6"), "127.0.0.1")
	eq(tool.inet_endpoint(e, "saddr", "saddr_v6", 8080), "127.0.0.1:8080")
end)

test("IPv6 zero runs compressed as inet_ntop does", function()
	eq(addr("00000000000000000000000000000001"), "::1")
	eq(addr("00000000000000000000000000000000"), "::")
	eq(addr("fe800000000000000000000000000001"), "fe80::1")
	eq(addr("20010db8000000000001000000000001"), "2001:db8::1:0:0:1", "first of equal runs")
	eq(addr("20010db8000100000001000100010001"), "2001:db8:1:0:1:1:1:1",
		"a single zero group stays")
	eq(addr("20010db8000000010000000000000000"), "2001:db8:0:1::", "trailing run")
	eq(addr("0000000000000000000000000a000001"), "::a00:1")
end)

test("IPv4-mapped IPv6 in dotted form", function()
	eq(addr("00000000000000000000ffff7f000001"), "::ffff:127.0.0.1")
end)

test("IPv6 endpoint in brackets", function()
	eq(tool.inet_endpoint(v6("00000000000000000000000000000001"), "saddr", "saddr_v6", 22),
		"[::1]:22")
end)

T.done()
