-- The harness the Lua library tests share: test(name, fn) runs one case, eq / near /
-- raises assert, done() prints "N passed, M failed" and fails the run on any failure.
-- Found by require("testlib"): --lua-test puts the test's own directory on package.path.
local T = { passed = 0, failed = 0 }

function T.test(name, fn)
	local ok, err = pcall(fn)
	if ok then
		T.passed = T.passed + 1
	else
		T.failed = T.failed + 1
		print("FAIL " .. name .. ": " .. tostring(err))
	end
end

function T.eq(got, want, what)
	if got ~= want then
		error(string.format("%s:\n  want %q\n  got  %q", what or "value", tostring(want),
			tostring(got)), 2)
	end
end

function T.near(got, want, eps, what)
	if type(got) ~= "number" or math.abs(got - want) > eps then
		error(string.format("%s: want %s +- %s, got %s", what or "value", want, eps,
			tostring(got)), 2)
	end
end

function T.raises(fn, pattern)
	local ok, err = pcall(fn)
	if ok then
		error("expected an error matching '" .. pattern .. "'", 2)
	end
	if not tostring(err):find(pattern, 1, true) then
		error(string.format("error %q does not contain %q", tostring(err), pattern), 2)
	end
end

-- Run a module's loader again (package.preload under the binary, the file otherwise)
-- and report any global it creates or changes: the modules must set none, even where
-- the prelude has already exported some of them.
function T.globals_set_by(name)
	local before = {}
	for k, v in pairs(_G) do
		before[k] = v
	end
	for _, searcher in ipairs(package.searchers) do
		local loader, extra = searcher(name)
		if type(loader) == "function" then
			loader(name, extra)
			local changed = {}
			for k, v in pairs(_G) do
				if before[k] ~= v then
					changed[#changed + 1] = tostring(k)
				end
			end
			return table.concat(changed, " ")
		end
	end
	error("module " .. name .. " not found")
end

-- The lines of t, joined as printed output.
function T.lines(t)
	return table.concat(t, "\n")
end

function T.done()
	print(string.format("%d passed, %d failed", T.passed, T.failed))
	if T.failed > 0 then
		error(T.failed .. " test(s) failed", 0)
	end
end

return T
