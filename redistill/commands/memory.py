"""MEMORY STATS, DOCTOR, PURGE and MALLOC-STATS (MEMORY USAGE and HELP run in C: cmd_keys.c's
tx_memory).  Redis 7.0's reply shapes, filled with this server's own figures: used_memory is the
keyspace's exact byte count, the allocator is glibc's malloc (Redis's "libc" allocator)."""
from __future__ import annotations

from typing import Any

from redistill import metrics
from redistill.core import script_stats
from redistill.protocol import Verbatim

# Redis's getMemoryDoctorReport thresholds.
_SMALL = 5 * 1024 * 1024
_BIG_BYTES = 10 << 20


def _figures(server: Any) -> dict[str, Any]:
    """The numbers both STATS and DOCTOR read (Redis's getMemoryOverheadData)."""
    ks = metrics._ks_stats(server)
    used = ks["used_memory"]
    peak = max(ks["peak_memory"], used)
    startup = min(getattr(server, "startup_memory", 0), used)
    clients = sum(c.memory()[4] for c in server.clients())
    _, _, scripts = script_stats()
    rss = metrics._rss_bytes()
    # used_memory counts the keyspace alone (INFO's): its growth past start-up is the dataset, and the
    # overhead is what Redis would count besides it (start-up, client buffers, the script cache).
    return {"used": used, "peak": peak, "startup": startup, "clients": clients, "nclients": len(server.clients()),
            "scripts": scripts, "overhead": startup + clients + scripts, "keys": ks["keys"], "rss": rss,
            "dataset": used - startup}


# MEMORY STATS
def stats(client: Any, args: list[bytes]) -> dict:
    f = _figures(client.server)
    used, dataset, rss = f["used"], f["dataset"], f["rss"]
    out: dict[bytes, Any] = {
        b"peak.allocated": f["peak"], b"total.allocated": used, b"startup.allocated": f["startup"],
        b"replication.backlog": 0, b"clients.slaves": 0, b"clients.normal": f["clients"],
        b"cluster.links": 0, b"aof.buffer": 0, b"lua.caches": f["scripts"], b"functions.caches": 0,
    }
    if f["keys"]:
        out[b"db.0"] = {b"overhead.hashtable.main": 0, b"overhead.hashtable.expires": 0,
                        b"overhead.hashtable.slot-to-keys": 0}
    out.update({
        b"overhead.total": f["overhead"], b"keys.count": f["keys"],
        b"keys.bytes-per-key": dataset // f["keys"] if f["keys"] else 0, b"dataset.bytes": dataset,
        b"dataset.percentage": 100.0 if dataset > 0 else 0.0,
        b"peak.percentage": used * 100.0 / f["peak"] if f["peak"] else 0.0,
        b"allocator.allocated": used, b"allocator.active": used, b"allocator.resident": rss,
        b"allocator-fragmentation.ratio": 1.0, b"allocator-fragmentation.bytes": 0,
        b"allocator-rss.ratio": rss / used if used else 0.0, b"allocator-rss.bytes": rss - used,
        b"rss-overhead.ratio": 1.0, b"rss-overhead.bytes": 0,
        b"fragmentation": rss / used if used else 0.0, b"fragmentation.bytes": rss - used,
    })
    return out


_EMPTY = ("Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used "
          "in these conditions. Please, leave for your mission on Earth and fill it with some data. The new "
          "Sam and I will be back to our programming as soon as I finished rebooting.\n")
_FINE = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
_PEAK = (" * Peak memory: In the past this instance used more than 150% the memory that is currently using. The "
         "allocator is normally not able to release memory after a peak, so you can expect to see a big "
         "fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if "
         "the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used "
         "as soon as you fill the Redis instance with more data. If the memory peak was only occasional and "
         "you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other "
         "option is to shutdown and restart the instance.\n\n")
_FRAG = (" * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this "
         "means that the Resident Set Size of the Redis process is much larger than the sum of the logical "
         "allocations Redis performed). This problem is usually due either to a large peak memory (check if "
         "there is a peak memory entry above in the report) or may result from a workload that causes the "
         "allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. "
         "Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The "
         "currently used allocator is \"libc\".\n\n")
_BIG_CLIENTS = (" * Big client buffers: The clients output buffers are in general too big for your instance, "
                "bigger than 200k per client on average. It is possible that you are using a Pub/Sub pattern "
                "and subscribers are not consuming messages fast enough.\n\n")


# MEMORY DOCTOR
def doctor(client: Any, args: list[bytes]) -> Verbatim:
    return Verbatim("txt", report(_figures(client.server)))


def report(f: dict[str, Any]) -> str:
    """getMemoryDoctorReport's checks that apply here (no replicas, no jemalloc internals)."""
    if f["used"] < _SMALL:
        return _EMPTY
    issues = []
    if f["peak"] / f["used"] > 1.5:
        issues.append(_PEAK)
    if f["rss"] / f["used"] > 1.4 and f["rss"] - f["used"] > _BIG_BYTES:
        issues.append(_FRAG)
    if f["nclients"] and f["clients"] / f["nclients"] > 200 * 1024:
        issues.append(_BIG_CLIENTS)
    if not issues:
        return _FINE
    return ("Sam, I detected a few issues in this Redis instance memory implants:\n\n" + "".join(issues)
            + "I'm here to keep you safe, Sam. I want to help you.\n")


# MEMORY PURGE: glibc's malloc_trim (Redis purges only with jemalloc; under libc it answers OK)
def purge(client: Any, args: list[bytes]) -> str:
    from redistill.core import release_free_memory
    release_free_memory()
    return "OK"


# MEMORY MALLOC-STATS: Redis's reply under an allocator without a stats report
def malloc_stats(client: Any, args: list[bytes]) -> bytes:
    return b"Stats not supported for the current allocator"
