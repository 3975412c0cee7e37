-- Start-up benchmark: one probe, counted in the kernel, printed at exit.
probe("uprobe:libc:abs", { agg = "count" })
