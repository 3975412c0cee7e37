-- The built-in demo: trace every cache lookup of examples/demo with its argument,
-- return value and duration, and keep latency histograms in the kernel.
--   build/ltrace-ebpf examples/demo.lua -- build/examples/demo [requests]
-- "libdemo" is found the way the loader will find it for the demo: through its DT_NEEDED
-- list and run path.
local lib = arg[1] or "libdemo"

local shown, limit = 0, 12
probe("call:" .. lib .. ":demo_lookup", { args = { "str" } }, function(c)
  shown = shown + 1
  if shown <= limit then
    printf("%-6s [%d] demo_lookup(%q) = %d  <%s>\n", c.comm, c.tid, c.args[1], c.ret,
           fmt.duration(c.duration))
  elseif shown == limit + 1 then
    print("...")
  end
end)

-- The same calls aggregated in the kernel: nothing crosses to user space for these.
local latency = probe("call:" .. lib .. ":demo_lookup",
                      { agg = "hist", of = "duration", name = "lookup_ns", print = false })
local evictions = probe("call:" .. lib .. ":demo_evict",
                        { agg = "count", by = "ret", name = "evict", print = false })

on("end", function()
  printf("%d calls traced\n\n", shown)
  print("demo_lookup latency, ns (in-kernel log2 histogram):")
  print(latency:agg())
  print("demo_evict calls by return value (1 = the key was cached):")
  print(evictions:agg())
end)
