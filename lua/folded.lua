-- folded: stacks as "root;frame;...;leaf VALUE" lines, the folded format flamegraph.pl,
-- speedscope and inferno read. Sources: a probe whose in-kernel aggregate is keyed by
-- stack (profile:, by = "ustack" ...), an agg object or plain table keyed by stacks or by
-- folded strings. Stacks come from require("ltrace.stack") userdata (s:folded()).
local M = {}

local function key_folded(k, opts)
	local s = type(k) == "string" and k or k:folded()
	if opts.comm and type(k) ~= "string" then s = k.comm .. ";" .. s end
	return s
end

-- M.collect(source [, opts]) -> { [folded] = value }. opts.value: "count" (default) or
-- "sum" (off-CPU time); opts.scale divides values (ns -> us: 1000); opts.comm prefixes
-- the process name as the root frame.
function M.collect(source, opts)
	opts = opts or {}
	local out, field, scale = {}, opts.value or "count", opts.scale or 1
	local function add(k, v)
		local f = key_folded(k, opts)
		v = v // scale
		if v > 0 then out[f] = (out[f] or 0) + v end
	end
	if type(source) == "userdata" then        -- a probe handle: its in-kernel aggregate
		for _, e in ipairs(source:read()) do add(e.key, e[field]) end
	elseif getmetatable(source) and type(source.items) == "function" then   -- an agg object
		for _, it in ipairs(source:items()) do add(it.key, it.value) end
	else
		for k, v in pairs(source) do add(k, v) end
	end
	return out
end

-- M.lines(t) -> sorted array of "stack value" lines.
function M.lines(t)
	local lines = {}
	for k, v in pairs(t) do lines[#lines + 1] = k .. " " .. math.tointeger(v) end
	table.sort(lines)
	return lines
end

-- M.write(dest, source [, opts]): dest is a path or an open file (io.stdout).
function M.write(dest, source, opts)
	local t = M.collect(source, opts)
	local f = type(dest) == "string" and assert(require("ltrace.core").create(dest)) or dest
	for _, line in ipairs(M.lines(t)) do f:write(line, "\n") end
	if type(dest) == "string" then f:close() end
	return t
end

-- M.parse(text) -> { [folded] = value }: reads folded lines back.
function M.parse(text)
	local t = {}
	for stack, v in text:gmatch("([^\n]-)%s+(%d+)\n?") do
		if stack ~= "" then t[stack] = (t[stack] or 0) + tonumber(v) end
	end
	return t
end

return M
