"""rd_conn framing through rd_conn_feed / rd_conn_run: pipelining, partial frames, protocol errors,
inline commands, the RD_SLOW hand-off, RESP3 nil and backpressure."""

import pytest
from corehelp import cmd
from redistill._core import lib

PIPELINE = (
    cmd("SET", "a", "1") + b"GET a\r\n" + cmd("INCR", "a") + b"PING\r\n" + cmd("CONFIG", "GET", "save")
    + b'ECHO "x y"\r\n' + cmd("MSET", "k1", "v1", "k2", "") + cmd("MGET", "k1", "k2", "nope")
    + b"*0\r\n*-1\r\n\r\n   \r\n" + cmd("DEL", "k1", "k2", "k1") + cmd("EXISTS", "a", "a", "b")
    + b"*2\r\n$4\r\nECHO\r\n$3\r\nb\x00c\r\n" + cmd("HELLO", "3") + cmd("GET", "a")
)
PIPELINE_OUT = (
    b"+OK\r\n$1\r\n1\r\n:2\r\n+PONG\r\n+SLOW\r\n$3\r\nx y\r\n+OK\r\n*3\r\n$2\r\nv1\r\n$0\r\n\r\n$-1\r\n"
    b":2\r\n:2\r\n$3\r\nb\x00c\r\n+SLOW\r\n$1\r\n2\r\n"
)


def test_pipeline(conn):
    out, frames, st = conn.session(PIPELINE)
    assert out == PIPELINE_OUT
    assert frames == [cmd("CONFIG", "GET", "save"), cmd("HELLO", "3")]
    assert st == lib.RD_OK
    assert conn.stats()[lib.RD_W_COMMANDS] == 11


def test_split_at_every_byte_boundary(conn_factory):
    for cut in range(1, len(PIPELINE)):
        c = conn_factory()
        out, frames, _ = c.session(None, chunks=[PIPELINE[:cut], PIPELINE[cut:]])
        assert out == PIPELINE_OUT, cut
        assert frames == [cmd("CONFIG", "GET", "save"), cmd("HELLO", "3")]
    c = conn_factory()
    out, _, _ = c.session(None, chunks=[PIPELINE[i:i + 1] for i in range(len(PIPELINE))])
    assert out == PIPELINE_OUT


def test_everything_to_python_when_not_fast(conn_factory):
    c = conn_factory(fast=False)
    out, frames, _ = c.session(cmd("GET", "a") + b"PING\r\n")
    assert out == b"+SLOW\r\n+SLOW\r\n"
    assert frames == [cmd("GET", "a"), cmd("PING")]


def test_slow_frame_is_canonical(conn_factory):
    c = conn_factory(fast=False)
    # Redis skips the two bytes after a payload and after a header's '\r' unchecked.
    _, frames, _ = c.session(b"*2\r\n$4\r\nINFOxx$1\rxaXX*1\r\n$4\r\nPING\r\n")
    assert frames == [cmd("INFO", "a"), cmd("PING")]


@pytest.mark.parametrize("line,args", [
    (b"set a b", [b"set", b"a", b"b"]),
    (b"  set\t a   b  ", [b"set", b"a", b"b"]),
    (b'set "a b" c', [b"set", b"a b", b"c"]),
    (b'echo "\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\"\\q"', [b"echo", b"AJ\n\r\t\b\a\\\"q"]),
    (b'echo "\\x4g"', [b"echo", b"x4g"]),
    (b"echo 'it\\'s' 'a\\nb'", [b"echo", b"it's", b"a\\nb"]),
    (b'echo ""', [b"echo", b""]),
    (b"echo ''", [b"echo", b""]),
    (b'echo a"b c"', [b"echo", b"ab c"]),
    (b"echo \x0bx", [b"echo", b"x"]),
    (b"echo a\x0bb", [b"echo", b"a\x0bb"]),
    (b"echo a\rb", [b"echo", b"a", b"b"]),
])
def test_inline_quoting(conn_factory, line, args):
    c = conn_factory(fast=False)
    _, frames, _ = c.session(line + b"\r\n")
    assert frames == [cmd(*args)]
    c2 = conn_factory(fast=False)
    _, frames, _ = c2.session(line + b"\n")  # a bare LF ends the line too
    assert frames == [cmd(*args)]


@pytest.mark.parametrize("line", [b'echo "abc', b"echo 'abc", b'echo "a"b', b"echo 'a'b", b'echo "a\\"'])
def test_inline_unbalanced_quotes(conn, line):
    out, _, st = conn.session(b"PING\r\n" + line + b"\r\nPING\r\n")
    assert out == b"+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n"
    assert st == lib.RD_CLOSE


@pytest.mark.parametrize("data,err", [
    (b"*abc\r\n", b"invalid multibulk length"),
    (b"*\r\n", b"invalid multibulk length"),
    (b"*+1\r\n", b"invalid multibulk length"),
    (b"*01\r\n", b"invalid multibulk length"),
    (b"*2147483648\r\n", b"invalid multibulk length"),
    (b"*1\r\nfoo\r\n", b"expected '$', got 'f'"),
    (b"*1\r\n\r\n", b"expected '$', got ' '"),
    (b"*1\r\n$-1\r\n", b"invalid bulk length"),
    (b"*1\r\n$x\r\n", b"invalid bulk length"),
    (b"*1\r\n$536870913\r\n", b"invalid bulk length"),
    (b"*" + b"1" * 70000, b"too big mbulk count string"),
    (b"*1\r\n$" + b"1" * 70000, b"too big bulk count string"),
    (b"GET " + b"a" * 70000, b"too big inline request"),
])
def test_protocol_errors(conn, data, err):
    # "too big" errors come only while no line end has arrived (Redis finds a later one and judges that line).
    tail = b"" if err.startswith(b"too big") else b"\r\n" + cmd("PING")
    out, _, st = conn.session(cmd("PING") + data + tail)
    assert out == b"+PONG\r\n-ERR Protocol error: " + err + b"\r\n"
    assert st == lib.RD_CLOSE


def test_long_line_with_an_end_is_judged_not_too_big(conn):
    out, _, st = conn.session(b"*" + b"1" * 70000 + b"\r\n")
    assert out == b"-ERR Protocol error: invalid multibulk length\r\n" and st == lib.RD_CLOSE


def test_max_bulk_length_is_accepted(conn):
    out, _, st = conn.session(b"*1\r\n$536870912\r\nab")
    assert out == b"" and st == lib.RD_OK  # waits for the payload


def test_unauthenticated_limits(conn_factory):
    c = conn_factory(authenticated=False)
    out, _, st = c.session(cmd(*["a"] * 10) + b"*11\r\n")
    assert out == b"+SLOW\r\n-ERR Protocol error: unauthenticated multibulk length\r\n" and st == lib.RD_CLOSE
    c = conn_factory(authenticated=False)
    out, _, st = c.session(cmd("AUTH", "x" * 16384) + b"*2\r\n$4\r\nAUTH\r\n$16385\r\n")
    assert out == b"+SLOW\r\n-ERR Protocol error: unauthenticated bulk length\r\n" and st == lib.RD_CLOSE


def test_nul_before_line_end_waits_like_strchr(conn):
    # Redis finds line ends with strchr: a NUL hides them, and the frame waits.
    out, _, st = conn.session(b"PI\x00NG\r\n")
    assert out == b"" and st == lib.RD_OK


def test_resp3_nil(conn_factory):
    script = cmd("GET", "x") + cmd("MGET", "x", "y") + cmd("SET", "x", "1", "GET") + cmd("SET", "x", "2", "NX")
    c2 = conn_factory(resp=2)
    assert c2.session(script)[0] == b"$-1\r\n*2\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n"
    c3 = conn_factory(resp=3)
    lib.rd_conn_set_resp(c3.c, 3)
    assert c3.session(script.replace(b"$1\r\nx", b"$1\r\nz"))[0] == b"_\r\n*2\r\n_\r\n_\r\n_\r\n_\r\n"


def test_close_after_reply(conn):
    conn.feed(cmd("QUIT") + cmd("PING"))
    assert conn.run() == lib.RD_SLOW
    lib.rd_conn_close_after_reply(conn.c)
    conn.reply(b"+OK\r\n")
    assert conn.run() == lib.RD_CLOSE
    assert conn.output() == b"+OK\r\n"


def test_command_without_pending(conn):
    assert conn.command() is None


def test_big_values(conn):
    for size in (1 << 20, 100 << 20):
        val = bytes(range(256)) * (size // 256)
        out, _, _ = conn.session(cmd("SET", "big", val) + cmd("GET", "big"))
        assert out == b"+OK\r\n$%d\r\n" % size + val + b"\r\n"


def test_big_value_in_small_chunks_parses_once(conn):
    val = b"v" * (8 << 20)
    frame = cmd("SET", "big", val)
    chunks = [frame[i:i + 65536] for i in range(0, len(frame), 65536)]
    out, _, _ = conn.session(None, chunks=chunks)
    assert out == b"+OK\r\n"


def test_output_soft_limit(conn):
    val = b"x" * (1 << 20)
    conn.session(cmd("SET", "v", val))
    conn.feed(cmd("GET", "v") * 10)
    assert conn.run() == lib.RD_NEED_MORE  # stopped past 4 MB unsent
    first = conn.output()
    assert 4 << 20 < len(first) < 6 << 20
    while conn.run() == lib.RD_NEED_MORE:
        first += conn.output()
    first += conn.output()
    assert first == (b"$1048576\r\n" + val + b"\r\n") * 10


def test_counters(conn):
    conn.session(cmd("PING") + cmd("PING"))
    st = conn.stats()
    assert st[lib.RD_W_COMMANDS] == 2 and st[lib.RD_W_NET_IN] == 2 * len(cmd("PING"))
    assert st[lib.RD_W_NET_OUT] == 14


def test_trim_keeps_what_is_pending(conn):
    """rd_conn_trim frees idle buffers but never a partial frame, a frame Python holds, or unsent output."""
    big = b"t" * (512 << 10)
    out, _, st = conn.session(cmd("SET", "t", big) + cmd("GET", "t"))
    assert out == b"+OK\r\n$%d\r\n" % len(big) + big + b"\r\n" and st == lib.RD_OK
    assert lib.rd_conn_trim(conn.c) >= 2 * len(big)  # input and output capacity kept for reuse
    assert lib.rd_conn_trim(conn.c) == 0
    conn.feed(cmd("GET", "t")[:9])                   # partial frame survives a trim
    assert conn.run() == lib.RD_OK
    lib.rd_conn_trim(conn.c)
    conn.feed(cmd("GET", "t")[9:] + cmd("CONFIG", "GET", "x"))
    assert conn.run() == lib.RD_SLOW                 # GET ran; CONFIG waits for Python
    lib.rd_conn_trim(conn.c)                         # neither the frame nor the GET reply may go
    assert conn.command() == cmd("CONFIG", "GET", "x")
    conn.reply(b"*0\r\n")
    assert conn.run() == lib.RD_OK
    assert conn.output() == b"$%d\r\n" % len(big) + big + b"\r\n*0\r\n"
    lib.rd_release_free_memory()


def test_output_hard_limit_drops_the_connection(conn_factory):
    c = conn_factory()
    lib.rd_conn_set_output_limit(c.c, 100_000)
    val = b"h" * 60_000
    out, _, st = c.session(cmd("SET", "h", val) + cmd("GET", "h"))
    assert st == lib.RD_OK and out.endswith(val + b"\r\n")  # 60 KB pending at most: under the limit
    c.feed(cmd("GET", "h") * 2)                              # 120 KB unsent: over it
    assert c.run() == lib.RD_CLOSE
    assert c.output() == b""                                 # unsent replies are dropped, as Redis


def test_output_hard_limit_applies_to_python_replies(conn_factory):
    c = conn_factory(fast=False)
    lib.rd_conn_set_output_limit(c.c, 1000)
    c.feed(cmd("PING"))
    assert c.run() == lib.RD_SLOW
    assert lib.rd_conn_reply(c.c, b"+" + b"p" * 2000 + b"\r\n", 2003) != lib.RD_OK
    assert c.run() == lib.RD_CLOSE


def test_query_buffer_limit(conn_factory):
    c = conn_factory()
    lib.rd_conn_set_input_limit(c.c, 1 << 20)
    head = b"*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$2000000\r\n"
    assert lib.rd_conn_feed(c.c, head, len(head)) == lib.RD_OK
    chunk = b"q" * (512 << 10)
    assert lib.rd_conn_feed(c.c, chunk, len(chunk)) == lib.RD_OK
    assert lib.rd_conn_run(c.c) == lib.RD_OK                 # partial, 512 KB buffered
    assert lib.rd_conn_feed(c.c, chunk, len(chunk)) != lib.RD_OK  # past 1 MB
    assert lib.rd_conn_run(c.c) == lib.RD_CLOSE
