"""Helpers for the reliability tests: process sampling from /proc, raw sockets with small buffers."""

from __future__ import annotations

import os
import resource
import socket
import time


def status_bytes(pid: int, field: str) -> int:
    """A size from /proc/<pid>/status (VmRSS, VmHWM: peak RSS...), in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} for pid {pid}")


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (VmRSS)."""
    return status_bytes(pid, "VmRSS")


def under_asan(pid: int) -> bool:
    """The process runs with AddressSanitizer (make sanitize): its allocator keeps freed memory in a
    quarantine and ignores malloc_trim, so RSS-returns-to-baseline checks do not apply."""
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read()


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def thread_count(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise RuntimeError(f"no Threads for pid {pid}")


def small_socket(host: str, port: int, rcvbuf: int = 4096, timeout: float = 10.0) -> socket.socket:
    """A client socket whose receive buffer is set before connecting (so the window stays small)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(s: socket.socket, n: int, deadline: float) -> bytes:
    """n bytes from s, or AssertionError naming how many arrived before the deadline/EOF."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        left = deadline - time.monotonic()
        assert left > 0, f"only {got} of {n} bytes before the deadline"
        s.settimeout(left)
        k = s.recv_into(view[got:], min(n - got, 1 << 20))
        assert k, f"connection closed after {got} of {n} bytes"
        got += k
    return bytes(buf)


def raise_nofile(want: int) -> int:
    """Raises this process's soft RLIMIT_NOFILE towards `want` (up to the hard limit); returns the new soft."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used, from /proc/<pid>/stat (every thread)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime, stime
