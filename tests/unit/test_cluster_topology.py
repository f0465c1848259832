"""Emulated cluster mode without sockets: the configuration keys (each source, one-line errors), the slot
split and the routing rules of redistill/cluster.py.  tests/scaleout/test_cluster.py drives real nodes."""

import pytest
from redis.crc import key_slot as redis_py_key_slot  # an independent CRC16 implementation

from redistill import cluster
from redistill.config import ConfigError, load_config
from redistill.errors import CROSSSLOT
from redistill.keyspace import key_slot

NODES3 = "127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002"


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def error_of(argv=(), env=None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(list(argv), env or {})
    assert "\n" not in str(info.value)
    return str(info.value)


def test_each_source_sets_the_keys(tmp_path):
    toml = tmp_path / "r.toml"
    toml.write_text('[server]\nport = 7001\ncluster_mode = "emulated"\n'
                    'cluster_nodes = ["127.0.0.1:7000", "127.0.0.1:7001"]\n')
    cfg = load_config(["--config", str(toml)], {})
    assert (cfg.cluster_mode, cfg.cluster_nodes, cfg.cluster_announce) == (
        "emulated", ("127.0.0.1:7000", "127.0.0.1:7001"), None)
    env = {"REDISTILL_CLUSTER_MODE": "emulated", "REDISTILL_CLUSTER_NODES": "a.example:1, b.example:2",
           "REDISTILL_CLUSTER_ANNOUNCE": "b.example:2"}
    cfg = load_config([], env)
    assert cfg.cluster_nodes == ("a.example:1", "b.example:2") and cfg.cluster_announce == "b.example:2"
    cfg = load_config(["--cluster-mode", "off"], env)  # CLI over environment
    assert cfg.cluster_mode == "off"
    assert load_config([], {}).cluster_mode == "off"


@pytest.mark.parametrize("argv, env, expected", [
    (["--cluster-mode", "emulated"], {}, "server.cluster_nodes: required when cluster_mode is emulated"),
    (["--cluster-mode", "emulated", "--cluster-nodes", NODES3], {},
     "--cluster-nodes: this node (127.0.0.1:6379, from bind:port"),
    (["--port", "7000", "--cluster-mode", "emulated", "--cluster-nodes", "127.0.0.1:7000,127.0.0.1:7000"], {},
     '--cluster-nodes: "127.0.0.1:7000" is listed twice'),
    (["--cluster-nodes", "127.0.0.1:x"], {}, '--cluster-nodes: invalid entry "127.0.0.1:x"'),
    ([], {"REDISTILL_CLUSTER_NODES": "127.0.0.1:7000,"}, 'REDISTILL_CLUSTER_NODES: invalid entry ""'),
    (["--cluster-announce", "host-without-port"], {}, '--cluster-announce: invalid address "host-without-port"'),
    (["--cluster-mode", "gossip"], {}, '--cluster-mode: invalid value "gossip"; expected one of: off, emulated'),
    (["--cluster-mode", "emulated", "--cluster-nodes", NODES3, "--cluster-announce", "127.0.0.1:7009"], {},
     '--cluster-announce: "127.0.0.1:7009" is not in --cluster-nodes; expected this node\'s own entry'),
])
def test_bad_values_are_one_line_errors(argv, env, expected):
    assert error_of(argv, env).startswith(expected)


def test_toml_nodes_must_be_an_array_of_strings(tmp_path):
    toml = tmp_path / "r.toml"
    toml.write_text('[server]\ncluster_nodes = "127.0.0.1:7000"\n')
    assert error_of(["--config", str(toml)]).startswith('server.cluster_nodes: got a string "127.0.0.1:7000"')
    toml.write_text('[server]\ncluster_nodes = [7000]\n')
    assert error_of(["--config", str(toml)]).startswith("server.cluster_nodes: invalid entry 7000")


def test_slots_are_split_like_redis_cli_cluster_create():
    # The ranges a real `redis-cli --cluster create` printed for 3 and 7 masters.
    assert cluster.split_slots(3) == [(0, 5460), (5461, 10922), (10923, 16383)]
    assert cluster.split_slots(7) == [(0, 2340), (2341, 4680), (4681, 7021), (7022, 9361), (9362, 11702),
                                      (11703, 14042), (14043, 16383)]
    for n in (1, 2, 5, 10, 99, 1000):
        ranges = cluster.split_slots(n)
        assert ranges[0][0] == 0 and ranges[-1][1] == 16383
        assert all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:]))
        sizes = [last - first + 1 for first, last in ranges]
        assert max(sizes) - min(sizes) <= 1, n


def test_keyslot_is_redis_crc16_with_hash_tags():
    for key in (b"", b"a", b"{a}b", b"a{}{b}", b"{}", b"{a", b"}{a}", b"\x00\xff", b"user:1000" * 50):
        assert key_slot(key) == redis_py_key_slot(key), key
    assert key_slot(b"{user}.a") == key_slot(b"{user}.b") == key_slot(b"user")
    assert key_slot(b"a{}{b}") != key_slot(b"b")  # an empty tag hashes the whole key


def test_topology_routes_like_get_node_by_query():
    t = cluster.Topology([("127.0.0.1", 7000), ("127.0.0.1", 7001), ("127.0.0.1", 7002)], 1)
    assert t.me.id == cluster.node_id("127.0.0.1:7001") and len(t.me.id) == 40
    mine = next(k for k in (b"k%d" % i for i in range(10000)) if 5461 <= key_slot(k) <= 10922)
    theirs = next(k for k in (b"k%d" % i for i in range(10000)) if key_slot(k) > 10922)
    assert t.redirect([[mine]]) is None and t.redirect([[]]) is None
    assert t.redirect([[theirs]]).line == f"-MOVED {key_slot(theirs)} 127.0.0.1:7002"
    assert t.redirect([[mine], [theirs]]).line == CROSSSLOT  # two commands of one EXEC
    owned = t.owned_bitmap()
    assert [s for s in range(16384) if owned[s >> 3] >> (s & 7) & 1] == list(range(5461, 10923))
