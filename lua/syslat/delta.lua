-- syslat.delta: what an in-kernel histogram gained since the previous look. The kernel
-- aggregates are never cleared (--metrics serves them as counters, which must not go
-- back), so an interval's report is the difference of two reads.
local M = {}

-- entries folded into t (entries by key), combining repeated keys (per-CPU copies).
local function fold(t, entries)
	for _, e in ipairs(entries) do
		local k = e.key == nil and "" or e.key
		local d = t[k]
		if not d then
			d = { key = e.key, count = 0, sum = 0, buckets = {} }
			t[k] = d
		end
		d.count, d.sum = d.count + e.count, d.sum + e.sum
		for s, n in pairs(e.buckets or {}) do d.buckets[s] = (d.buckets[s] or 0) + n end
	end
	return t
end

--- M.fold(t, entries) -> t: entries added into t (entries by key); M.entries(t) -> them
--- as an array again. An interval's report folds what each look at the kernel brought.
M.fold = fold
function M.entries(t)
	local out = {}
	for _, e in pairs(t) do out[#out + 1] = e end
	return out
end

--- M.new(p) -> a tracker of probe p's in-kernel histogram; tracker:take() -> the entries
--- ({key, count, sum, buckets}) that grew since the previous take (all of them the first
--- time), and remembers this read for the next one.
function M.new(p)
	local prev = {}
	return {
		take = function()
			local now, out = fold({}, p:read()), {}
			for k, e in pairs(now) do
				local before = prev[k]
				local d = { key = e.key, count = e.count - (before and before.count or 0),
				            sum = e.sum - (before and before.sum or 0), buckets = {} }
				for s, n in pairs(e.buckets) do
					local grown = n - (before and before.buckets[s] or 0)
					if grown > 0 then d.buckets[s] = grown end
				end
				if d.count > 0 then out[#out + 1] = d end
			end
			prev = now
			return out
		end,
	}
end

return M
