"""Wire protocol over raw sockets: pipelining, partial frames, inline commands, malformed RESP, big values, many clients."""

import socket
import threading
import time

import pytest

from resp import RespSocket, encode_command as cmd

PROTO_ERR = b"-ERR Protocol error: "


# ---- pipelining --------------------------------------------------------------------------------------------

def test_pipeline_thousand_commands_in_one_send(raw):
    """1,000 commands in one write, fast-path and slow-path commands interleaved: replies in order."""
    reqs, expected = [], []
    for i in range(1000):
        k = b"k%d" % (i % 50)
        m = i % 10
        if m == 0:
            reqs.append(cmd(b"SET", k, b"v%d" % i))
            expected.append(b"+OK\r\n")
        elif m == 1:
            reqs.append(cmd(b"GET", k))
            expected.append(None)  # depends on history; checked by model below
        elif m == 2:
            reqs.append(cmd(b"INCR", b"counter"))
            expected.append(b":%d\r\n" % (i // 10 + 1))
        elif m == 3:
            reqs.append(cmd(b"PING"))
            expected.append(b"+PONG\r\n")
        elif m == 4:
            reqs.append(cmd(b"ECHO", b"e%d" % i))
            expected.append(b"$%d\r\ne%d\r\n" % (len(b"e%d" % i), i))
        elif m == 5:
            reqs.append(cmd(b"CONFIG", b"GET", b"appendonly"))  # slow path in the middle of a batch
            expected.append(b"*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n")
        elif m == 6:
            reqs.append(cmd(b"NOSUCH", b"x"))
            expected.append(b"-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n")
        elif m == 7:
            reqs.append(cmd(b"EXISTS", k, k))
            expected.append(None)
        elif m == 8:
            reqs.append(cmd(b"TTL", b"nokey"))
            expected.append(b":-2\r\n")
        else:
            reqs.append(b"PING\r\n")  # inline in the middle of multibulk
            expected.append(b"+PONG\r\n")
    raw.send(b"".join(reqs))
    got = raw.replies(1000, timeout=30)
    store: dict[bytes, bytes] = {}
    for i, (req, exp, rep) in enumerate(zip(reqs, expected, got)):
        k = b"k%d" % (i % 50)
        if i % 10 == 0:
            store[k] = b"v%d" % i
        if i % 10 == 1:
            exp = b"$%d\r\n%s\r\n" % (len(store[k]), store[k]) if k in store else b"$-1\r\n"
        if i % 10 == 7:
            exp = b":2\r\n" if k in store else b":0\r\n"
        assert rep == exp, f"reply {i} to {req!r}: expected {exp!r}, got {rep!r}"


def test_pipeline_large_batch_of_sets_then_gets(raw):
    n = 5000
    raw.send(b"".join(cmd("SET", f"key:{i}", f"value:{i}") for i in range(n)))
    assert raw.replies(n, timeout=30) == [b"+OK\r\n"] * n
    raw.send(b"".join(cmd("GET", f"key:{i}") for i in range(n)))
    got = raw.replies(n, timeout=30)
    for i, rep in enumerate(got):
        v = f"value:{i}".encode()
        assert rep == b"$%d\r\n%s\r\n" % (len(v), v)


# ---- partial frames ---------------------------------------------------------------------------------------

SPLIT_FRAMES = [
    (cmd("SET", "sk", "hello", "EX", "100"), b"+OK\r\n"),
    (cmd("GET", "sk"), b"$5\r\nhello\r\n"),
    (cmd("MGET", "sk", "nope"), b"*2\r\n$5\r\nhello\r\n$-1\r\n"),
    (cmd("INCRBY", "n", "10"), None),
    (cmd("CLIENT", "SETNAME", "split"), b"+OK\r\n"),  # slow path
    (b"ECHO 'a b'\r\n", b"$3\r\na b\r\n"),  # inline
    (cmd("PING"), b"+PONG\r\n"),
]


@pytest.mark.parametrize("frame, expected", SPLIT_FRAMES, ids=[f[0][:24].decode(errors="replace") for f in SPLIT_FRAMES])
def test_frame_split_at_every_byte_boundary(raw, frame, expected):
    raw.call("SET", "sk", "hello")
    for cut in range(1, len(frame)):
        raw.send(frame[:cut])
        time.sleep(0.003)
        raw.send(frame[cut:])
        rep = raw.reply(timeout=5)
        if expected is None:
            assert rep.startswith(b":"), (cut, rep)
        else:
            assert rep == expected, f"split at {cut}: {frame[:cut]!r} | {frame[cut:]!r} -> {rep!r}"
    assert raw.call("PING") == b"+PONG\r\n"


def test_pipeline_sent_byte_by_byte(raw):
    data = (cmd("SET", "a", "1") + cmd("INCR", "a") + b"GET a\r\n" + cmd("CONFIG", "GET", "save")
            + cmd("GET", "a") + cmd("DEL", "a"))
    for i in range(len(data)):
        raw.send(data[i:i + 1])
        time.sleep(0.001)
    assert raw.replies(6) == [b"+OK\r\n", b":2\r\n", b"$1\r\n2\r\n", b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n",
                              b"$1\r\n2\r\n", b":1\r\n"]


def test_no_reply_before_frame_complete(raw):
    raw.send(b"*2\r\n$4\r\nECHO\r\n$5\r\nhel")
    with pytest.raises(TimeoutError):
        raw.reply(timeout=0.3)
    raw.send(b"lo\r\n")
    assert raw.reply() == b"$5\r\nhello\r\n"


# ---- inline commands -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    (b"PING\r\n", [b"+PONG\r\n"]),
    (b"ping\n", [b"+PONG\r\n"]),
    (b"   PING   \r\n", [b"+PONG\r\n"]),
    (b"\r\n\r\nPING\r\n", [b"+PONG\r\n"]),  # empty lines are ignored
    (b"SET a b\r\nGET a\r\n", [b"+OK\r\n", b"$1\r\nb\r\n"]),
    (b"SET \"a b\" 'x y'\r\nGET \"a b\"\r\n", [b"+OK\r\n", b"$3\r\nx y\r\n"]),
    (b'ECHO "\\x41\\x42"\r\n', [b"$2\r\nAB\r\n"]),
    (b'ECHO "a\\nb\\t\\\\"\r\n', [b"$5\r\na\nb\t\\\r\n"]),
    (b"ECHO 'it\\'s'\r\n", [b"$4\r\nit's\r\n"]),
    (b'ECHO ""\r\n', [b"$0\r\n\r\n"]),
    (b"SET k v EX 100\r\nTTL k\r\n", [b"+OK\r\n", b":100\r\n"]),
    (b"GET\r\n", [b"-ERR wrong number of arguments for 'get' command\r\n"]),
    (b"NOSUCH a\r\n", [b"-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n"]),
])
def test_inline_commands(raw, line, expected):
    raw.send(line)
    assert raw.replies(len(expected)) == expected
    assert raw.call("PING") == b"+PONG\r\n"


@pytest.mark.parametrize("line", [b'ECHO "unbalanced\r\n', b"ECHO 'un\r\n", b'ECHO "a"b\r\n'])
def test_inline_unbalanced_quotes_error_then_close(raw, line):
    raw.send(line)
    assert raw.expect_closed() == PROTO_ERR + b"unbalanced quotes in request\r\n"


def test_inline_too_big(raw):
    raw.send(b"x" * (65 * 1024))
    assert raw.expect_closed() == PROTO_ERR + b"too big inline request\r\n"


def test_inline_just_under_limit_is_fine(raw):
    value = b"v" * 60_000
    raw.send(b"SET big " + value + b"\r\n")
    assert raw.reply() == b"+OK\r\n"
    assert raw.call("GET", "big") == b"$60000\r\n" + value + b"\r\n"


# ---- malformed RESP: Redis's error, then the connection is closed ------------------------------------------------

MALFORMED = [
    (b"*abc\r\n", b"invalid multibulk length"),
    (b"*\r\n", b"invalid multibulk length"),
    (b"*+1\r\n$4\r\nPING\r\n", b"invalid multibulk length"),
    (b"*1\r\n$abc\r\n", b"invalid bulk length"),
    (b"*1\r\n$\r\n", b"invalid bulk length"),
    (b"*1\r\n$-1\r\n", b"invalid bulk length"),
    (b"*1\r\n$-2\r\n", b"invalid bulk length"),
    (b"*1\r\n$+1\r\n", b"invalid bulk length"),
    (b"*1\r\n$536870913\r\n", b"invalid bulk length"),  # over 512 MB
    (b"*1\r\n$99999999999999999999\r\n", b"invalid bulk length"),
    (b"*1\r\nfoo\r\n", b"expected '$', got 'f'"),
    (b"*1\r\n:1\r\n", b"expected '$', got ':'"),
    (b"*1\r\n*1\r\n", b"expected '$', got '*'"),
    (b"*2\r\n$3\r\nGET\r\n+x\r\n", b"expected '$', got '+'"),
]


@pytest.mark.parametrize("data, message", MALFORMED, ids=[m[0][:20].decode(errors="replace") for m in MALFORMED])
def test_malformed_resp_error_then_close(raw, data, message):
    raw.send(data)
    assert raw.expect_closed() == PROTO_ERR + message + b"\r\n"


def test_replies_before_protocol_error_are_flushed(raw):
    raw.send(b"PING\r\n" + cmd("SET", "a", "1") + cmd("GET", "a") + b"*x\r\n" + cmd("PING"))
    assert raw.expect_closed() == b"+PONG\r\n+OK\r\n$1\r\n1\r\n" + PROTO_ERR + b"invalid multibulk length\r\n"


def test_bulk_exactly_512mb_header_is_accepted(raw):
    """A 512 MB bulk length is legal: the server waits for the data (we don't send it) instead of erroring."""
    raw.send(b"*1\r\n$536870912\r\n")
    data, closed = raw.read_until_closed(timeout=0.5)
    assert (data, closed) == (b"", False)


@pytest.mark.parametrize("prefix", [b"*-1\r\n", b"*-10\r\n", b"*0\r\n"])
def test_empty_or_negative_multibulk_is_ignored(raw, prefix):
    raw.send(prefix + cmd("PING") + prefix + b"PING\r\n")
    assert raw.replies(2) == [b"+PONG\r\n", b"+PONG\r\n"]


def test_protocol_error_does_not_affect_other_clients(raw, raw_factory):
    other = raw_factory()
    other.call("SET", "shared", "1")
    raw.send(b"*1\r\n$abc\r\n")
    raw.expect_closed()
    assert other.call("GET", "shared") == b"$1\r\n1\r\n"


# ---- disconnects ---------------------------------------------------------------------------------------------------

def test_disconnect_mid_frame(server, raw, raw_factory):
    for partial in (b"*3\r\n$3\r\nSET\r\n$1\r\na", b"*2\r\n$3\r\nGET\r\n$10\r\n12345", b"SET a b", b"*5\r\n"):
        s = raw_factory()
        s.send(partial)
        time.sleep(0.02)
        s.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
        s.close()
    assert raw.call("PING") == b"+PONG\r\n"
    assert raw.call("EXISTS", "a") == b":0\r\n"
    assert raw.call("SET", "a", "ok") == b"+OK\r\n"


def test_disconnect_mid_reply(server, raw, raw_factory):
    big = b"z" * (8 << 20)
    raw.call("SET", "big", big, timeout=30)
    for _ in range(3):
        s = raw_factory()
        s.send(cmd("GET", "big") * 4)  # 32 MB of replies the client never reads
        time.sleep(0.05)
        s.close()
    t0 = time.monotonic()
    assert raw.call("PING") == b"+PONG\r\n"
    assert time.monotonic() - t0 < 2
    assert raw.call("GET", "big", timeout=30) == b"$%d\r\n%s\r\n" % (len(big), big)


def test_slow_reader_does_not_block_others(server, raw, raw_factory):
    """A client that pipelines a lot and reads nothing must not stall another client."""
    raw.call("SET", "v", b"x" * 100_000)
    hog = raw_factory()
    hog.send(cmd("GET", "v") * 500)  # ~50 MB of replies, unread
    other = raw_factory()
    t0 = time.monotonic()
    for i in range(20):
        assert other.call("INCR", "c") == b":%d\r\n" % (i + 1)
    assert time.monotonic() - t0 < 3


# ---- big values, many clients --------------------------------------------------------------------------------------

def test_ten_megabyte_value_roundtrip(raw):
    value = bytes(range(256)) * (10 * 4096)  # 10 MiB
    assert raw.call(b"SET", b"ten", value, timeout=30) == b"+OK\r\n"
    assert raw.call(b"GET", b"ten", timeout=30) == b"$%d\r\n%s\r\n" % (len(value), value)
    assert raw.call(b"MGET", b"ten", b"ten", timeout=30) == b"*2\r\n" + (b"$%d\r\n%s\r\n" % (len(value), value)) * 2


def test_ten_megabyte_value_redis_py(rc):
    value = b"\x00\xff" * (5 << 20)
    assert rc.set("ten", value)
    assert rc.get("ten") == value


def test_two_hundred_clients_at_once(server, raw):
    n = 200
    conns = []
    try:
        for _ in range(n):
            conns.append(RespSocket(server.host, server.port, timeout=10))
        for i, c in enumerate(conns):
            c.send(cmd("SET", f"c:{i}", str(i)) + cmd("INCR", "clients") + cmd("GET", f"c:{i}"))
        incrs = []
        for i, c in enumerate(conns):
            a, b, g = c.replies(3, timeout=10)
            assert a == b"+OK\r\n"
            incrs.append(int(b[1:-2]))
            assert g == b"$%d\r\n%d\r\n" % (len(str(i)), i)
        assert sorted(incrs) == list(range(1, n + 1))
        assert raw.call("GET", "clients") == b"$3\r\n200\r\n"
        assert raw.call("DBSIZE") == b":201\r\n"
    finally:
        for c in conns:
            c.close()


def test_two_hundred_clients_concurrently_in_threads(server, r):
    n = 200
    errors = []
    barrier = threading.Barrier(n, timeout=30)

    def work(i):
        try:
            c = RespSocket(server.host, server.port, timeout=20)
            try:
                barrier.wait()
                for j in range(20):
                    assert c.call("INCR", "tc")[:1] == b":"
            finally:
                c.close()
        except BaseException as e:
            errors.append(e)

    ts = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in ts)
    assert not errors, errors[:3]
    assert r.get("tc") == b"4000"


def test_unauthenticated_size_limits(start_extra):
    """With a password, Redis 7 caps what an unauthenticated client may announce (anti-DoS)."""
    srv = start_extra(["--requirepass", "pw"], password="pw")
    for data, message in [
        (b"*11\r\n", b"unauthenticated multibulk length"),
        (b"*1\r\n$16385\r\n", b"unauthenticated bulk length"),
    ]:
        c = RespSocket(srv.host, srv.port)
        try:
            c.send(data)
            data_back, closed = c.read_until_closed(timeout=5)
            assert (data_back, closed) == (PROTO_ERR + message + b"\r\n", True)
        finally:
            c.close()
    c = RespSocket(srv.host, srv.port)
    try:
        assert c.call("AUTH", "pw") == b"+OK\r\n"
        c.send(b"*1\r\n$16385\r\n")  # allowed once authenticated: the server waits for the data
        data_back, closed = c.read_until_closed(timeout=0.5)
        assert (data_back, closed) == (b"", False)
    finally:
        c.close()


@pytest.mark.parametrize("data, message", [
    (b"*2147483648\r\n", b"invalid multibulk length"),
    (b"*" + b"1" * 70_000, b"too big mbulk count string"),
    (b"*1\r\n$" + b"1" * 70_000, b"too big bulk count string"),
    (b'ECHO "a""b"\r\n', b"unbalanced quotes in request"),
])
def test_more_malformed(raw, data, message):
    raw.send(data)
    assert raw.expect_closed() == PROTO_ERR + message + b"\r\n"


def test_pipelined_big_replies_are_all_delivered(raw):
    """500 GETs of a 100 KB value in one send (~50 MB of replies): every reply arrives, in order, intact."""
    value = bytes(range(256)) * 400  # 102,400 bytes
    raw.call(b"SET", b"v", value)
    raw.send(cmd("GET", "v") * 250 + cmd("INCR", "after") + cmd("GET", "v") * 250)
    expected = b"$%d\r\n%s\r\n" % (len(value), value)
    got = raw.replies(501, timeout=60)
    assert got[250] == b":1\r\n"
    bad = [i for i, rep in enumerate(got) if i != 250 and rep != expected]
    assert not bad, f"{len(bad)} damaged replies, first at {bad[0]}"


def test_pipelined_big_requests(raw):
    """1,000 SETs of 10 KB each in one send (10 MB of input, larger than any read buffer)."""
    raw.send(b"".join(cmd("SET", f"big:{i}", bytes([65 + i % 26]) * 10_000) for i in range(1000)))
    assert raw.replies(1000, timeout=60) == [b"+OK\r\n"] * 1000
    assert raw.call("GET", "big:999") == b"$10000\r\n" + b"L" * 10_000 + b"\r\n"


def test_command_with_two_hundred_thousand_arguments(raw):
    n = 100_000
    args = [b"MSET"]
    for i in range(n):
        args += [b"mk%d" % i, b"%d" % i]
    assert raw.call(*args, timeout=60) == b"+OK\r\n"
    assert raw.call("DBSIZE") == b":%d\r\n" % n
    rep = raw.call(*([b"MGET"] + [b"mk%d" % i for i in range(n)]), timeout=60)
    assert rep.startswith(b"*%d\r\n$1\r\n0\r\n$1\r\n1\r\n" % n)
    assert rep.endswith(b"$5\r\n99999\r\n")
    assert raw.call(*([b"DEL"] + [b"mk%d" % i for i in range(0, n, 2)]), timeout=60) == b":%d\r\n" % (n // 2)
    assert raw.call(*([b"EXISTS"] + [b"mk%d" % i for i in range(n)]), timeout=60) == b":%d\r\n" % (n // 2)


def test_many_inline_commands_in_one_send(raw):
    """20,000 short inline commands (120 KB) in one write: the 64 KB inline limit is per line, not per buffer."""
    raw.send(b"PING\r\n" * 10_000 + b"INCR n\r\n" * 10_000)
    got = raw.replies(20_000, timeout=60)
    assert got[:10_000] == [b"+PONG\r\n"] * 10_000
    assert got[10_000:] == [b":%d\r\n" % i for i in range(1, 10_001)]


def test_inline_line_split_across_sends_near_limit(raw):
    line = b"ECHO " + b"y" * 50_000 + b"\r\n"
    raw.send(line[:30_000])
    time.sleep(0.05)
    raw.send(line[30_000:])
    assert raw.reply() == b"$50000\r\n" + b"y" * 50_000 + b"\r\n"


def test_announced_huge_bulks_do_not_eat_memory(server, raw, raw_factory):
    """8 clients announce 512 MB bulks and send nothing more: the server keeps serving and its resident memory
    does not grow by anything like the announced sizes (no eager zero-filled buffers)."""

    def rss_mb():
        if server.proc is None:
            return None
        with open(f"/proc/{server.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
        return None

    before = rss_mb()
    conns = [raw_factory() for _ in range(8)]
    for c in conns:
        c.send(b"*2\r\n$3\r\nGET\r\n$536870912\r\n" + b"x" * 1000)
    time.sleep(0.5)
    assert raw.call("PING") == b"+PONG\r\n"
    after = rss_mb()
    for c in conns:
        c.close()
    if before is not None:
        assert after - before < 512, f"RSS grew from {before} MB to {after} MB"
