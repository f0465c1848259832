"""INFO text format and counter merging (redistill/metrics.py), with a stand-in server: no sockets."""
from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest

from redistill import metrics
from redistill.metrics import Stats, build_info, bytes_to_human, parse_sections

LINE = re.compile(r"^[a-z0-9_]+:[^\r\n]*$")


class FakeKeyspace:
    def __init__(self, keys=0, expires=0, used=0):
        self._stats = {"keys": keys, "expires": expires, "used_memory": used, "peak_memory": used,
                       "expired": 4, "evicted": 5, "hits": 6, "misses": 7}

    def stats(self):
        return dict(self._stats)

    def totals(self):
        return self._stats.get("keys", 0), self._stats.get("expires", 0), 0


def make_server(keys=0, expires=0, used=0, nworkers=2):
    cfg = SimpleNamespace(port=6390, threads=nworkers, max_connections=123, max_memory=0,
                          eviction_policy="allkeys-lru", fastpath=True)
    from redistill.persistence import Persistence
    server = SimpleNamespace(
        config=cfg, keyspace=FakeKeyspace(keys, expires, used), start_time=time.time() - 90000,
        run_id="ab" * 20, stats=Stats(nworkers), clients=lambda: [object(), object()],
    )
    server.persistence = Persistence(server)
    return server


def sections_of(text):
    return [line[2:] for line in text.split("\r\n") if line.startswith("# ")]


def fields(text):
    out = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#"):
            k, _, v = line.partition(":")
            out[k] = v
    return out


@pytest.mark.parametrize("n, text", [
    (0, "0B"), (1023, "1023B"), (1024, "1.00K"), (1536, "1.50K"), (1048576, "1.00M"),
    (1048575, "1024.00K"), (3 * 1024 ** 3, "3.00G"), (1024 ** 4, "1.00T"),
])
def test_bytes_to_human_matches_redis(n, text):
    assert bytes_to_human(n) == text


def test_default_sections_in_redis_order():
    text = build_info(make_server(), [])
    assert sections_of(text) == ["Server", "Clients", "Memory", "Persistence", "Stats",
                                 "Replication", "CPU", "Modules", "Errorstats", "Cluster",
                                 "Keyspace"]


def test_all_and_everything_add_commandstats():
    for arg in ("all", "EVERYTHING"):
        names = sections_of(build_info(make_server(), [arg]))
        assert "Commandstats" in names and "Latencystats" in names
    assert "Commandstats" not in sections_of(build_info(make_server(), ["default"]))


def test_framing_lines_and_separators():
    text = build_info(make_server(keys=1), [])
    assert text.startswith("# Server\r\n")
    assert text.endswith("\r\n") and not text.endswith("\r\n\r\n")
    blocks = text.split("\r\n\r\n")
    assert len(blocks) == 11  # one blank line between sections, none after the last
    for block in blocks:
        lines = block.rstrip("\r\n").split("\r\n")
        assert lines[0].startswith("# ")
        assert all(LINE.match(line) for line in lines[1:]), lines


def test_sections_case_insensitive_in_redis_order_and_unknown_empty():
    text = build_info(make_server(), ["CLIENTS", "server"])
    assert sections_of(text) == ["Server", "Clients"]
    assert build_info(make_server(), ["nosuchsection"]) == ""
    assert sections_of(build_info(make_server(), [b"keyspace"])) == ["Keyspace"]


def test_keyspace_line_only_with_keys():
    assert build_info(make_server(keys=0), ["keyspace"]) == "# Keyspace\r\n"
    assert (build_info(make_server(keys=3, expires=1), ["keyspace"])
            == "# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n")


def test_required_fields_and_values():
    server = make_server(keys=2, used=1048576)
    f = fields(build_info(server, ["everything"]))
    assert f["redis_version"] == "7.0.0"
    assert f["redis_mode"] == "standalone"
    assert f["multiplexing_api"] in ("epoll", "kqueue", "poll", "select", "devpoll")
    assert f["run_id"] == "ab" * 20
    assert f["tcp_port"] == "6390"
    assert int(f["uptime_in_seconds"]) >= 90000 and f["uptime_in_days"] == "1"
    assert f["hz"] == "10" and f["io_threads_active"] == "0"
    assert f["connected_clients"] == "2" and f["maxclients"] == "123"
    assert f["blocked_clients"] == "0"
    assert f["used_memory"] == "1048576" and f["used_memory_human"] == "1.00M"
    assert f["used_memory_peak_human"] == "1.00M"
    assert int(f["used_memory_rss"]) > 0
    assert f["maxmemory"] == "0" and f["maxmemory_human"] == "0B"
    assert f["maxmemory_policy"] == "allkeys-lru" and f["mem_allocator"] == "libc"
    assert re.fullmatch(r"\d+\.\d\d", f["mem_fragmentation_ratio"])
    assert (f["expired_keys"], f["evicted_keys"], f["keyspace_hits"], f["keyspace_misses"]) == \
        ("4", "5", "6", "7")
    for name in ("total_connections_received", "total_commands_processed",
                 "instantaneous_ops_per_sec", "total_net_input_bytes", "total_net_output_bytes",
                 "rejected_connections"):
        assert f[name] == "0", name
    assert f["role"] == "master" and f["cluster_enabled"] == "0"
    assert re.fullmatch(r"\d+\.\d{6}", f["used_cpu_sys"])


def test_python_counters_merge_across_workers():
    server = make_server(nworkers=3)
    for i, slot in enumerate(server.stats.slots):
        slot.commands += i + 1
        slot.connections_received += 10
        slot.rejected_connections += i
    f = fields(build_info(server, ["stats"]))
    assert f["total_commands_processed"] == "6"
    assert f["total_connections_received"] == "30"
    assert f["rejected_connections"] == "3"


def test_instantaneous_ops_averages_the_last_samples():
    stats = Stats(1)
    slot = stats.slots[0]
    t = 1000.0
    stats.sample(t)                       # first sample only sets the baseline
    for _ in range(16):
        t += 0.1
        slot.commands += 100              # 1000 ops/s
        stats.sample(t)
    assert stats.ops_per_sec() == 1000
    for _ in range(16):                   # idle for 1.6 s: the average decays to 0
        t += 0.1
        stats.sample(t)
    assert stats.ops_per_sec() == 0


def test_parse_sections():
    assert parse_sections([]) == metrics.DEFAULT_SECTIONS
    assert parse_sections(["default", "commandstats"]) == metrics.DEFAULT_SECTIONS | {"commandstats"}
    assert parse_sections(["all"]) == metrics.ALL_SECTIONS


def test_c_worker_counters_through_the_binding():
    core = pytest.importorskip("redistill._core")
    lib = core.lib
    ks = lib.rd_keyspace_new(1)
    w = lib.rd_worker_new(ks)
    try:
        stats = Stats(1)
        stats.attach(0, w)
        stats.slots[0].commands = 2
        t = stats.totals()
        assert t["total_commands_processed"] == 2 + t["fast_commands"]
        stats.detach(0)
        assert stats.totals() == t
    finally:
        lib.rd_worker_free(w)
        lib.rd_keyspace_free(ks)
