#!/usr/bin/env python3
"""link_holder.py PID SITES HOLD_S: holds every uprobe_multi link filtered on PID, as
`bpftool link show` or a reader of /proc/TOOL/fdinfo does for a moment, but for HOLD_S
seconds. Writes the links' sites to SITES ("path offset" lines, for sites_intact.py) once
it holds them. Exits 1 if it finds none."""
import ctypes
import os
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
NR_BPF = 321  # x86_64
BPF_OBJ_GET_INFO_BY_FD, BPF_LINK_GET_FD_BY_ID, BPF_LINK_GET_NEXT_ID = 15, 30, 31
BPF_LINK_TYPE_UPROBE_MULTI = 12


class IdAttr(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("next_id", ctypes.c_uint32),
                ("open_flags", ctypes.c_uint32), ("pad", ctypes.c_uint32 * 29)]


class InfoAttr(ctypes.Structure):
    _fields_ = [("fd", ctypes.c_uint32), ("len", ctypes.c_uint32), ("info", ctypes.c_uint64),
                ("pad", ctypes.c_uint32 * 28)]


def bpf(cmd, attr):
    return libc.syscall(NR_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr))


def u32(buf, off):
    return int.from_bytes(bytes(buf[off:off + 4]), "little")


def sites_of(fd, pid):
    """The (path, offsets) of a uprobe_multi link on pid, None for any other link."""
    info = (ctypes.c_uint8 * 256)()
    path = ctypes.create_string_buffer(4096)
    offsets = (ctypes.c_uint64 * 4096)()
    # struct bpf_link_info: type, id, prog_id, then uprobe_multi at 16: path, offsets,
    # ref_ctr_offsets, cookies (pointers), path_size, count, flags, pid
    ctypes.c_uint64.from_buffer(info, 16).value = ctypes.addressof(path)
    ctypes.c_uint64.from_buffer(info, 24).value = ctypes.addressof(offsets)
    ctypes.c_uint32.from_buffer(info, 48).value = len(path)
    ctypes.c_uint32.from_buffer(info, 52).value = len(offsets)
    attr = InfoAttr(fd=fd, len=len(info), info=ctypes.addressof(info))
    if bpf(BPF_OBJ_GET_INFO_BY_FD, attr) or u32(info, 0) != BPF_LINK_TYPE_UPROBE_MULTI:
        return None
    if u32(info, 60) != pid:
        return None
    return path.value.decode(), list(offsets[:u32(info, 52)])


def main():
    pid, sites_file, hold = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    held, lines, cur = [], [], 0
    while True:
        attr = IdAttr(id=cur)
        if bpf(BPF_LINK_GET_NEXT_ID, attr):
            break
        cur = attr.next_id
        fd = bpf(BPF_LINK_GET_FD_BY_ID, IdAttr(id=cur))
        if fd < 0:
            continue
        sites = sites_of(fd, pid)
        if sites is None:
            os.close(fd)
            continue
        held.append(fd)
        lines += ["%s %d" % (sites[0], off) for off in sites[1]]
    if not held:
        print("link_holder: no uprobe_multi link on pid %d" % pid, file=sys.stderr)
        return 1
    with open(sites_file + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(sites_file + ".tmp", sites_file)
    time.sleep(hold)
    return 0


sys.exit(main())
