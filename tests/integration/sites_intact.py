#!/usr/bin/env python3
"""sites_intact.py PID SITES: whether the code at each site of SITES ("path offset" lines,
file offsets) reads in PID's memory as it does in the file: a uprobe still in place shows
its int3 (0xcc) there. Prints each site that differs; exits 1 if any does (or if none
is mapped: nothing was checked)."""
import sys


def mappings(pid):
    """(start, end, file offset, path) of PID's file mappings."""
    with open("/proc/%d/maps" % pid) as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and fields[5].startswith("/"):
                start, end = (int(x, 16) for x in fields[0].split("-"))
                yield start, end, int(fields[2], 16), fields[5]


def main():
    pid, bad, found = int(sys.argv[1]), 0, 0
    maps = list(mappings(pid))
    with open(sys.argv[2]) as sites, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in sites:
            path, off = line.split()[0], int(line.split()[1])
            with open(path, "rb") as f:
                f.seek(off)
                want = f.read(1)
            for start, end, pgoff, mpath in maps:
                if mpath == path and pgoff <= off < pgoff + end - start:
                    found += 1
                    mem.seek(start + off - pgoff)
                    got = mem.read(1)
                    if got != want:
                        bad += 1
                        print("%s+%#x: %s in memory, %s in the file" %
                              (path, off, got.hex(), want.hex()))
    if not found:
        print("no site of %s is mapped in pid %d" % (sys.argv[2], pid))
    return 1 if bad or not found else 0


sys.exit(main())
