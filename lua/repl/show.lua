-- How the REPL prints results: a table shows its contents (keys sorted, the array part
-- first, nested tables indented; cycles, depth and length are cut so a huge or recursive
-- table still prints in a few lines). Anything else prints as print() would: probes,
-- aggregates, stacks and events have their own tostring.
local MAX_ITEMS = 50   -- entries shown per table
local MAX_DEPTH = 3    -- nested tables shown below the top one
local WIDTH = 72       -- a table this short with no nested table stays on one line

local function own_tostring(v)
	local mt = getmetatable(v)
	return type(mt) == "table" and mt.__tostring ~= nil
end

local function quote(s)
	return (string.format("%q", s):gsub("\\\n", "\\n"))
end

local function key_text(k)
	if type(k) == "string" and k:match("^[%a_][%w_]*$") then return k end
	return "[" .. (type(k) == "string" and quote(k) or tostring(k)) .. "]"
end

-- The keys in showing order: 1..n, then the rest by type and text.
local function sorted_keys(t)
	local keys, n = {}, #t
	for i = 1, n do keys[i] = i end
	local rest = {}
	for k in next, t do
		if not (math.type(k) == "integer" and k >= 1 and k <= n) then rest[#rest + 1] = k end
	end
	table.sort(rest, function(a, b)
		if type(a) ~= type(b) then return type(a) < type(b) end
		if type(a) == "number" then return a < b end
		return tostring(a) < tostring(b)
	end)
	table.move(rest, 1, #rest, n + 1, keys)
	return keys, n
end

local render

local function entries(t, keys, n, indent, seen, depth)
	local out = {}
	for i = 1, math.min(#keys, MAX_ITEMS) do
		local k = keys[i]
		local v = render(rawget(t, k), indent, seen, depth + 1)
		out[i] = (k == i and i <= n) and v or key_text(k) .. " = " .. v
	end
	if #keys > MAX_ITEMS then out[#out + 1] = "... (" .. #keys - MAX_ITEMS .. " more)" end
	return out
end

function render(v, indent, seen, depth)
	if type(v) == "string" then return quote(v) end
	if type(v) ~= "table" or own_tostring(v) then return tostring(v) end
	if seen[v] then return "<cycle: " .. tostring(v) .. ">" end
	local keys, n = sorted_keys(v)
	if #keys == 0 then return "{}" end
	if depth > MAX_DEPTH then return "{...}" end
	seen[v] = true
	local flat = true
	for _, k in ipairs(keys) do
		local x = rawget(v, k)
		if type(x) == "table" and not own_tostring(x) then flat = false break end
	end
	local items = entries(v, keys, n, indent .. "  ", seen, depth)
	seen[v] = nil
	local line = "{ " .. table.concat(items, ", ") .. " }"
	if flat and #line + #indent <= WIDTH then return line end
	local inner, lines, cur = indent .. "  ", {}, nil
	for _, item in ipairs(items) do	-- flat items fill lines; nested ones take their own
		if cur and flat and #inner + #cur + #item + 2 <= WIDTH then
			cur = cur .. " " .. item .. ","
		else
			if cur then lines[#lines + 1] = cur end
			cur = item .. ","
		end
	end
	lines[#lines + 1] = cur
	return "{\n" .. inner .. table.concat(lines, "\n" .. inner) .. "\n" .. indent .. "}"
end

-- show(...): the values of one REPL line, tab-separated as print() separates them.
return function(...)
	local out = table.pack(...)
	for i = 1, out.n do
		local v = out[i]
		out[i] = type(v) == "table" and render(v, "", {}, 0) or tostring(v)
	end
	io.write(table.concat(out, "\t", 1, out.n), "\n")
end
