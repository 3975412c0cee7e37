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

function T.done()
	print(string.format("%d passed, %d failed", T.passed, T.failed))
	if T.failed > 0 then
		error(T.failed .. " test(s) failed", 0)
	end
end

return T
