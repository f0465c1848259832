"""Emulated cluster mode: three Redistill nodes started independently with the same static
node list behave as a Redis Cluster to cluster-aware clients (redis-py's RedisCluster, `redis-cli -c`).

Every test of the three-node cluster runs twice: C fast path on, and REDISTILL_FASTPATH=0 (everything
through Python), since the C path must hand foreign-slot and cross-slot commands to Python.  Reply
formats and error texts are compared with a real `redis-server --cluster-enabled yes`.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import time

import pytest
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import MovedError
from redis.crc import key_slot  # redis-py's own CRC16: an implementation independent of ours

from resp import encode_command, parse
from servers import RawClient, free_port, make_client, start_server, stop_and_check

NODES = 3
KEYS = 3000
REDIS_CLI = shutil.which("redis-cli")
CROSSSLOT = b"-CROSSSLOT Keys in request don't hash to the same slot\r\n"
DISABLED = b"-ERR This instance has cluster support disabled\r\n"


def cluster_args(ports: list[int], port: int) -> list[str]:
    return ["--cluster-mode", "emulated", "--cluster-nodes", ",".join(f"127.0.0.1:{p}" for p in ports),
            "--port", str(port)]


@pytest.fixture(scope="module", params=["fastpath", "python"])
def nodes(request):
    env = {"REDISTILL_FASTPATH": "0" if request.param == "python" else "1"}
    ports = [free_port() for _ in range(NODES)]
    started = []
    try:
        for p in ports:
            started.append(start_server("redistill", cluster_args(ports, p), env=env, port=p))
        yield started
    finally:
        for sp in started:
            stop_and_check(sp)


@pytest.fixture
def raws(nodes):
    clients = [RawClient(n.host, n.port) for n in nodes]
    for c in clients:
        assert c.call("FLUSHALL") == b"+OK\r\n"
    yield clients
    for c in clients:
        c.close()


def owner(slot: int) -> int:
    """The node index that owns slot, from the three ranges `redis-cli --cluster create` assigns."""
    return 0 if slot <= 5460 else 1 if slot <= 10922 else 2


def key_on(node: int, prefix: str = "k") -> str:
    return next(f"{prefix}{i}" for i in range(100_000) if owner(key_slot(f"{prefix}{i}".encode())) == node)


# ---- a real Redis Cluster node to compare with ---------------------------------------------------------

@pytest.fixture(scope="module")
def redis_cluster_node():
    """One real cluster node owning all 16384 slots (cluster_state:ok)."""
    port = next(p for p in (free_port() for _ in range(200)) if p <= 55535)  # Redis: bus port = port + 10000
    sp = start_server("redis", ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                  "--cluster-announce-ip", "127.0.0.1"], port=port)
    try:
        c = RawClient(sp.host, sp.port)
        assert c.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383") == b"+OK\r\n"
        deadline = time.monotonic() + 10
        while b"cluster_state:ok" not in c.call("CLUSTER", "INFO"):
            assert time.monotonic() < deadline, "the real cluster node never reached cluster_state:ok"
            time.sleep(0.05)
        c.close()
        yield sp
    finally:
        stop_and_check(sp)


@pytest.fixture(scope="module")
def single_node():
    """A one-node emulated cluster: the same topology as redis_cluster_node (all slots, one master)."""
    port = free_port()
    sp = start_server("redistill", cluster_args([port], port), port=port)
    yield sp
    stop_and_check(sp)


KEYSLOT_KEYS = [b"", b"a", b"{}", b"{a}b", b"a{}{b}", b"{a", b"a}", b"}{a}", b"{{a}}", b"{}{a}",
                b"foo{bar}{zap}", b"{user1000}.following", b"{user1000}.followers", b"\x00\xff{\x01}z",
                b"a" * 1000, b"{" * 5 + b"}" * 5, b"123456789"]


def test_keyslot_matches_redis(redis_cluster_node, single_node):
    rng = random.Random(9)
    keys = KEYSLOT_KEYS + [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))) for _ in range(300)]
    batch = b"".join(encode_command("CLUSTER", "KEYSLOT", k) for k in keys)
    replies = []
    for sp in (redis_cluster_node, single_node):
        c = RawClient(sp.host, sp.port)
        c.send(batch)
        replies.append([c.reply() for _ in keys])
        c.close()
    assert replies[0] == replies[1]
    assert replies[1][keys.index(b"123456789")] == b":%d\r\n" % (0x31C3 & 16383)  # CRC16/XMODEM check value


@pytest.mark.parametrize("cmd", [
    ["CLUSTER", "KEYSLOT"], ["CLUSTER", "KEYSLOT", "a", "b"], ["CLUSTER", "COUNTKEYSINSLOT", "16384"],
    ["CLUSTER", "COUNTKEYSINSLOT", "-1"], ["CLUSTER", "COUNTKEYSINSLOT", "x"], ["CLUSTER", "GETKEYSINSLOT", "1", "-1"],
    ["CLUSTER", "GETKEYSINSLOT", "16384", "1"], ["CLUSTER", "GETKEYSINSLOT", "1", "x"], ["CLUSTER"],
    ["CLUSTER", "NOSUCH"], ["CLUSTER", "MYID", "x"], ["READONLY", "x"], ["READONLY"], ["READWRITE"], ["ASKING"],
    ["SELECT", "1"], ["SELECT", "0"], ["CLUSTER", "COUNTKEYSINSLOT", "7"], ["CLUSTER", "GETKEYSINSLOT", "7", "3"],
])
def test_errors_and_simple_replies_match_redis(redis_cluster_node, single_node, cmd):
    replies = []
    for sp in (redis_cluster_node, single_node):
        c = RawClient(sp.host, sp.port)
        replies.append(c.call(*cmd))
        c.close()
    assert replies[0] == replies[1]


def _same_node(raw: bytes, node_id: bytes, port: int) -> bytes:
    """raw with the node's id and port replaced by fixed tokens, so two nodes' replies compare."""
    raw = raw.replace(node_id, b"<id>").replace(b":%d\r\n" % port, b":<port>\r\n")
    return raw.replace(b"%d@%d" % (port, port + 10000), b"<port>@<cport>")


@pytest.mark.parametrize("resp", [2, 3])
@pytest.mark.parametrize("sub", ["SLOTS", "SHARDS", "INFO", "NODES", "MYID"])
def test_topology_replies_have_redis_shapes(redis_cluster_node, single_node, resp, sub):
    replies = []
    for sp in (redis_cluster_node, single_node):
        c = RawClient(sp.host, sp.port)
        if resp == 3:
            assert c.call("HELLO", "3").startswith(b"%7\r\n")
        node_id = c.call("CLUSTER", "MYID").split(b"\r\n")[1]
        raw = _same_node(c.call("CLUSTER", sub), node_id, sp.port)
        # Gossip state a static cluster has no equivalent for: epochs (Redis: 0 until a failover or a
        # --cluster create bumps them; here each node's list position) and the last-pong clock.
        raw = re.sub(rb"(cluster_(current|my)_epoch):\d+", rb"\1:E", raw)
        raw = re.sub(rb"master - 0 \d+ \d+ connected", b"master - 0 T E connected", raw)
        replies.append(raw)
        c.close()
    if sub in ("INFO", "NODES"):  # the only length change comes from the digits normalized above
        replies = [re.sub(rb"^([$=])\d+", rb"\1N", r) for r in replies]
    assert replies[0] == replies[1]


# ---- cluster_mode off answers like a Redis without cluster support ------------------------------------

def test_cluster_mode_off_answers_like_plain_redis():
    redis_sp, ours = start_server("redis"), start_server("redistill")
    try:
        clients = [RawClient(sp.host, sp.port) for sp in (redis_sp, ours)]
        for cmd in (["CLUSTER", "INFO"], ["CLUSTER", "KEYSLOT", "a"], ["CLUSTER", "SLOTS"], ["CLUSTER", "MYID"],
                    ["CLUSTER", "NOSUCH"], ["CLUSTER"], ["READONLY"], ["READWRITE"], ["ASKING"], ["SELECT", "1"],
                    ["MGET", "a", "b"]):
            got = [c.call(*cmd) for c in clients]
            assert got[0] == got[1], cmd
        assert clients[1].call("CLUSTER", "INFO") == DISABLED
        for c in clients:
            c.close()
        info = make_client(ours).info("cluster")
        assert info == {"cluster_enabled": 0}
    finally:
        stop_and_check(redis_sp)
        stop_and_check(ours)


# ---- three nodes -----------------------------------------------------------------------------------------

def test_redis_py_cluster_spreads_keys_by_slot(nodes):
    rc = RedisCluster(startup_nodes=[ClusterNode(nodes[0].host, nodes[0].port)], socket_timeout=10)
    try:
        rc.flushall(target_nodes=RedisCluster.ALL_NODES)
        keys = [f"key:{i}" for i in range(KEYS)]
        pipe = rc.pipeline()
        for i, k in enumerate(keys):
            pipe.set(k, i)
        assert pipe.execute() == [True] * KEYS
        assert all(rc.get(k) == str(i).encode() for i, k in enumerate(keys[:300]))
        pipe = rc.pipeline()
        for k in keys:
            pipe.get(k)
        assert pipe.execute() == [str(i).encode() for i in range(KEYS)]
    finally:
        rc.close()
    expected = [0] * NODES
    for k in keys:
        expected[owner(key_slot(k.encode()))] += 1
    held = [make_client(n).dbsize() for n in nodes]
    assert held == expected and all(held), (held, expected)


def test_hash_tags_land_together_and_mget_works(nodes, raws):
    rc = RedisCluster(startup_nodes=[ClusterNode(nodes[1].host, nodes[1].port)], socket_timeout=10)
    try:
        tagged = [f"{{user:42}}:{field}" for field in ("name", "mail", "age", "city")]
        for i, k in enumerate(tagged):
            rc.set(k, i)
        assert rc.mget(tagged) == [b"0", b"1", b"2", b"3"]
        assert rc.delete(*tagged[:2]) == 2  # one DEL for a single slot
        assert rc.exists(*tagged) == 2
    finally:
        rc.close()
    home = owner(key_slot(b"user:42"))
    assert [make_client(n).dbsize() for n in nodes] == [2 if i == home else 0 for i in range(NODES)]


def test_wrong_node_replies_moved_bytes(nodes, raws):
    key = key_on(2)
    slot = key_slot(key.encode())
    moved = b"-MOVED %d 127.0.0.1:%d\r\n" % (slot, nodes[2].port)
    c = raws[0]
    for cmd in (["GET", key], ["SET", key, "v"], ["INCR", key], ["DEL", key], ["EXISTS", key], ["MGET", key],
                ["HSET", key, "f", "v"], ["LPUSH", key, "x"], ["ZADD", key, "1", "m"], ["EXPIRE", key, "10"],
                ["GETDEL", key], ["TYPE", key], ["OBJECT", "ENCODING", key], ["MEMORY", "USAGE", key],
                ["WATCH", key], ["ZUNION", "1", key], ["MSET", key, "1", "{%s}x" % key, "2"],
                ["LMPOP", "1", key, "LEFT"], ["BLMPOP", "0", "1", key, "LEFT"], ["BLPOP", key, "0"],
                ["BZPOPMIN", key, "0"]):  # blocking ones: redirected before they could block
        assert c.call(*cmd) == moved, cmd
    assert c.call("DBSIZE") == b":0\r\n"  # nothing was written on the wrong node
    with pytest.raises(MovedError, match=f"^{slot} 127.0.0.1:{nodes[2].port}$"):
        make_client(nodes[0]).get(key)  # a plain redis-py client sees Redis's error
    assert raws[2].call("SET", key, "v") == b"+OK\r\n"


def test_cross_slot_commands_are_refused(nodes, raws):
    a, b = key_on(0, "a"), key_on(0, "b")  # both owned by node 0, in different slots
    assert key_slot(a.encode()) != key_slot(b.encode())
    c = raws[0]
    for cmd in (["MGET", a, b], ["MSET", a, "1", b, "2"], ["DEL", a, b], ["EXISTS", a, b], ["UNLINK", a, b],
                ["SINTER", a, b], ["SUNIONSTORE", a, b], ["RENAME", a, b], ["ZUNION", "2", a, b],
                ["LMOVE", a, b, "LEFT", "RIGHT"], ["MSETNX", a, "1", b, "2"], ["LMPOP", "2", a, b, "LEFT"],
                ["BLPOP", a, b, "0"]):
        assert c.call(*cmd) == CROSSSLOT, cmd
    assert c.call("DBSIZE") == b":0\r\n"
    # keys of another node's slots and of ours together: Redis reports CROSSSLOT, not MOVED
    assert c.call("MGET", a, key_on(1)) == CROSSSLOT
    assert c.call("MSET", "{%s}1" % a, "x", "{%s}2" % a, "y") == b"+OK\r\n"  # one slot: fine


def test_pipelined_batch_mixes_local_and_redirected_commands(nodes, raws):
    mine, theirs = key_on(0), key_on(1)
    c = raws[0]
    c.send(b"".join(encode_command(*cmd) for cmd in (
        ["SET", mine, "1"], ["GET", theirs], ["INCR", mine], ["MGET", mine, theirs], ["GET", mine])))
    assert [c.reply() for _ in range(5)] == [
        b"+OK\r\n", b"-MOVED %d 127.0.0.1:%d\r\n" % (key_slot(theirs.encode()), nodes[1].port), b":2\r\n",
        CROSSSLOT, b"$1\r\n2\r\n"]


def test_transactions_follow_redis(nodes, raws):
    mine, other_slot, theirs = key_on(0, "a"), key_on(0, "b"), key_on(2)
    c = raws[0]
    moved = b"-MOVED %d 127.0.0.1:%d\r\n" % (key_slot(theirs.encode()), nodes[2].port)
    # a foreign key is refused when queued, which dooms the EXEC
    assert [c.call(*cmd) for cmd in (["MULTI"], ["SET", mine, "1"], ["GET", theirs], ["EXEC"])] == [
        b"+OK\r\n", b"+QUEUED\r\n", moved, b"-EXECABORT Transaction discarded because of previous errors.\r\n"]
    # keys of two slots across the queue: EXEC itself replies CROSSSLOT and discards the transaction
    assert [c.call(*cmd) for cmd in (["MULTI"], ["SET", mine, "1"], ["SET", other_slot, "1"], ["EXEC"],
                                     ["EXEC"])] == [
        b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n", CROSSSLOT, b"-ERR EXEC without MULTI\r\n"]
    assert c.call("DBSIZE") == b":0\r\n"
    assert [c.call(*cmd) for cmd in (["MULTI"], ["SET", mine, "1"], ["PING"], ["EXEC"])] == [
        b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n", b"*2\r\n+OK\r\n+PONG\r\n"]


def test_node_state_replies(nodes, raws):
    ids = [c.call("CLUSTER", "MYID").split(b"\r\n")[1] for c in raws]
    assert len(set(ids)) == NODES and all(re.fullmatch(rb"[0-9a-f]{40}", i) for i in ids)
    slots = [c.call("CLUSTER", "SLOTS") for c in raws]
    assert slots[0] == slots[1] == slots[2]  # every node describes the same cluster
    assert parse(slots[0]) == [
        [first, last, [b"127.0.0.1", n.port, i, []]]
        for (first, last), n, i in zip([(0, 5460), (5461, 10922), (10923, 16383)], nodes, ids)]
    lines = parse(raws[1].call("CLUSTER", "NODES")).decode().splitlines()
    assert [ln.split()[:3] for ln in lines] == [
        [i.decode(), f"127.0.0.1:{n.port}@{n.port + 10000}", flags]
        for i, n, flags in zip(ids, nodes, ["master", "myself,master", "master"])]
    assert [ln.split()[7:] for ln in lines] == [["connected", "0-5460"], ["connected", "5461-10922"],
                                                ["connected", "10923-16383"]]
    rc = make_client(nodes[1])
    assert rc.info("cluster") == {"cluster_enabled": 1}
    assert rc.info("server")["redis_mode"] == "cluster"
    info = rc.execute_command("CLUSTER", "INFO").decode()
    assert "cluster_state:ok" in info and "cluster_known_nodes:3" in info and "cluster_my_epoch:2" in info
    mine = key_on(1)
    rc.set(mine, "v")
    slot = key_slot(mine.encode())
    assert rc.execute_command("CLUSTER", "COUNTKEYSINSLOT", slot) == 1
    assert rc.execute_command("CLUSTER", "GETKEYSINSLOT", slot, 10) == [mine.encode()]
    assert b"$4\r\nmode\r\n$7\r\ncluster\r\n" in raws[1].call("HELLO", "3")


def test_keys_scan_dbsize_stay_node_local(nodes, raws):
    for node in range(NODES):
        raws[node].call("SET", key_on(node), "v")
    for c, n in zip(raws, range(NODES)):
        assert c.call("DBSIZE") == b":1\r\n"
        assert c.call("KEYS", "*") == b"*1\r\n$%d\r\n%s\r\n" % (len(key_on(n)), key_on(n).encode())


@pytest.mark.skipif(REDIS_CLI is None, reason="redis-cli not found (apt-get install redis-tools)")
def test_redis_cli_follows_redirects(nodes, raws):
    key = key_on(2)

    def cli(*args: str) -> str:
        r = subprocess.run([REDIS_CLI, "-c", "-h", "127.0.0.1", "-p", str(nodes[0].port), *args],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    assert cli("SET", key, "hello") == "OK"
    assert raws[2].call("GET", key) == b"$5\r\nhello\r\n"
    assert cli("GET", key) == "hello"
    assert raws[0].call("DBSIZE") == b":0\r\n"


@pytest.mark.skipif(REDIS_CLI is None, reason="redis-cli not found (apt-get install redis-tools)")
def test_redis_cli_cluster_check_accepts_the_topology(nodes, raws):
    """redis-cli's own consistency check reads CLUSTER NODES / INFO of every node and compares them."""
    r = subprocess.run([REDIS_CLI, "--cluster", "check", f"127.0.0.1:{nodes[0].port}"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[OK] All nodes agree about slots configuration." in r.stdout
    assert "[OK] All 16384 slots covered." in r.stdout
    assert r.stdout.count("master") >= NODES


def test_config_set_port_or_bind_is_refused_in_emulated_cluster_mode(single_node):
    """The other nodes redirect clients to the address in cluster_nodes: it cannot move at runtime."""
    c = RawClient(single_node.host, single_node.port, 10)
    try:
        for name, value in (("port", str(free_port())), ("bind", "127.0.0.1 -::1")):
            assert c.call("CONFIG", "SET", name, value) == (
                b"-ERR CONFIG SET failed (possibly related to argument '%s') - in emulated cluster mode this "
                b"node's address is fixed at start (cluster_nodes)\r\n" % name.encode())
        assert c.call("CONFIG", "GET", "port") == b"*2\r\n$4\r\nport\r\n$%d\r\n%d\r\n" % (
            len(str(single_node.port)), single_node.port)
    finally:
        c.close()
