# A stand-in for a JIT runtime: code written into anonymous executable memory and run
# there (a jump to itself), its address printed so a test can write /tmp/perf-PID.map.
import ctypes
import mmap

m = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
              prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m.write(b"\xeb\xfe")  # jmp .
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
print("%x" % addr, flush=True)
ctypes.CFUNCTYPE(None)(addr)()
