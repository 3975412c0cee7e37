-- sslsniff: the plaintext of OpenSSL's SSL_read/SSL_write (and the _ex forms), one block per
-- call: direction, pid, comm, fd, bytes moved, then at most -b BYTES of the text (the kernel
-- copies at most 1024 per call), unprintable bytes as '.'. Credentials are redacted in the
-- text shown (Authorization, Cookie headers) and so is whatever -R ERE matches.
--
--   ltrace-ebpf scripts/sslsniff.lua -h   (the options: the spec table below)
local tool = require("tool")
local http = require("http")

local spec = {
	name = "sslsniff",
	summary = "Prints SSL_read/SSL_write plaintext, bounded and redacted (OpenSSL 3 uprobes).",
	options = {
		{ "-b", "bytes", "COUNT", "show at most COUNT bytes of each call (default 256)", number = true },
		{ "-R", "redact", "ERE", "also redact what matches ERE (POSIX extended)" },
		tool.TIMESTAMP,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
local show = opts.bytes or 256

-- Header lines that carry credentials: their values never show.
local function redact_headers(text)
	return (text:gsub("([Aa]uthorization:)[^\r\n]*", "%1 [REDACTED]")
	            :gsub("([Cc]ookie:)[^\r\n]*", "%1 [REDACTED]"))
end

on("begin", function()	-- once the probes are attached
	printf("# SSL_read/SSL_write plaintext, at most %d bytes per call, credentials redacted\n", show)
	io.stdout:flush()
end)
probe("ssl:data", { redact = opts.redact and { opts.redact } or nil }, function(p)
	local text = (p.bytes or ""):sub(1, show):gsub("[^\n\r\t\32-\126]", ".")
	text = http.redact(redact_headers(text))
	printf("%s%s pid %d comm %s fd %s %d bytes\n%s\n", opts.timestamp and os.date("%H:%M:%S ") or "",
	       p.outbound and "WRITE" or "READ ", p.pid, p.comm, tostring(p.fd or "?"), p.len, text)
	io.stdout:flush()
end)
tool.start(opts)
