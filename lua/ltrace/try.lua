-- ltrace.try: pcall for the front end's probe attaches that lets a stop request through.
-- Ctrl-C raises "interrupted!" once in the running Lua code (src/lua/script.c); caught
-- as an attach failure, attaching went on (seconds for -x '*' under -p) against a process
-- the same Ctrl-C had ended, and every site said "No such process". Re-raised here, the
-- run ends at once with 130.
return function(f, ...)
	local r = table.pack(pcall(f, ...))
	if not r[1] and tostring(r[2]):find("interrupted!", 1, true) then error(r[2], 0) end
	return table.unpack(r, 1, r.n)
end
