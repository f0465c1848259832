"""Blocking stream reads: XREAD BLOCK and XREADGROUP BLOCK served by XADD from another connection
(the server runs two workers, so writer and waiter are often on different threads), `$` as the last
id when the command blocked, every XREAD waiter served but one XREADGROUP waiter per entry (FIFO),
timeouts (RESP2 *-1, RESP3 _), a destroyed group's -NOGROUP, a deleted or overwritten stream's
-UNBLOCKED.  Every wait is bounded; "is it blocked yet" is read from INFO.  Also runs against Redis
itself (--target redis), which fixes the expected bytes."""

import pytest

from resp import RespSocket
from .test_blocking_more import blocked, wait_blocked_count  # noqa: F401  (blocked is a fixture)


def entry(id_: bytes, *fv: bytes) -> bytes:
    out = b"*2\r\n$%d\r\n%s\r\n*%d\r\n" % (len(id_), id_, len(fv))
    return out + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in fv)


def one_stream(key: bytes, *entries: bytes, resp3: bool = False) -> bytes:
    head = b"%1\r\n" if resp3 else b"*1\r\n*2\r\n"
    return head + b"$%d\r\n%s\r\n*%d\r\n" % (len(key), key, len(entries)) + b"".join(entries)


def test_xadd_wakes_xread_at_dollar(blocked, r):
    r.xadd("s", {"old": "1"}, id="1-1")
    a = blocked("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    r.xadd("s", {"f": "v"}, id="2-1")
    assert a.reply() == one_stream(b"s", entry(b"2-1", b"f", b"v"))


def test_every_xread_waiter_gets_the_entry_resp2_and_resp3(blocked, r):
    a = blocked("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    b = blocked("XREAD", "BLOCK", "0", "STREAMS", "other", "s", "0", "$", resp3=True)
    r.xadd("s", {"f": "v"}, id="3-1")
    assert a.reply() == one_stream(b"s", entry(b"3-1", b"f", b"v"))
    assert b.reply() == one_stream(b"s", entry(b"3-1", b"f", b"v"), resp3=True)


def test_xread_served_count_and_the_ids_after_the_waiters(blocked, r):
    r.xadd("s", {"a": "1"}, id="1-1")
    a = blocked("XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", "1-1")
    r.execute_command("MULTI")
    r.execute_command("XADD", "s", "2-1", "b", "2")
    r.execute_command("XADD", "s", "3-1", "c", "3")
    r.execute_command("EXEC")
    assert a.reply() == one_stream(b"s", entry(b"2-1", b"b", b"2"))


def test_xreadgroup_waiters_are_served_in_fifo_order(blocked, r):
    r.xgroup_create("s", "g", id="$", mkstream=True)
    first = blocked("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">")
    second = blocked("XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "STREAMS", "s", ">")
    r.xadd("s", {"f": "1"}, id="1-1")
    assert first.reply() == one_stream(b"s", entry(b"1-1", b"f", b"1"))
    wait_blocked_count(r, 1)   # the second waits on: the group's last id moved past the entry
    r.xadd("s", {"f": "2"}, id="2-1")
    assert second.reply() == one_stream(b"s", entry(b"2-1", b"f", b"2"))
    assert r.xpending("s", "g")["pending"] == 2


def test_timeouts_give_null_in_both_protocols(server):
    s = RespSocket(server.host, server.port, timeout=10)
    try:
        assert s.call("XREAD", "BLOCK", "50", "STREAMS", "nokey", "$") == b"*-1\r\n"
        s.call("XGROUP", "CREATE", "gs", "g", "$", "MKSTREAM")
        assert s.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "50", "STREAMS", "gs", ">") == b"*-1\r\n"
        s.call("HELLO", "3")
        assert s.call("XREAD", "BLOCK", "50", "STREAMS", "nokey", "$") == b"_\r\n"
        assert s.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "50", "STREAMS", "gs", ">") == b"_\r\n"
    finally:
        s.call("DEL", "gs")
        s.close()


def test_block_argument_errors(r, server):
    s = RespSocket(server.host, server.port, timeout=10)
    try:
        assert s.call("XREAD", "BLOCK", "-1", "STREAMS", "s", "$") == b"-ERR timeout is negative\r\n"
        assert s.call("XREAD", "BLOCK", "x", "STREAMS", "s", "$") == \
            b"-ERR timeout is not an integer or out of range\r\n"
    finally:
        s.close()


def test_xgroup_destroy_answers_the_waiter_nogroup(blocked, r):
    r.xgroup_create("s", "g", id="$", mkstream=True)
    a = blocked("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    r.xgroup_destroy("s", "g")
    assert a.reply() == b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n"


@pytest.mark.parametrize("change", [["DEL", "s"], ["SET", "s", "v"], ["FLUSHALL"]])
def test_a_stream_that_goes_answers_the_waiter_unblocked(blocked, r, change):
    r.xgroup_create("s", "g", id="$", mkstream=True)
    a = blocked("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    r.execute_command(*change)
    assert a.reply() == b"-UNBLOCKED the stream key no longer exists\r\n"


def test_xread_waiter_outlives_a_deleted_stream(blocked, r):
    r.xadd("s", {"f": "1"}, id="5-1")
    a = blocked("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    r.delete("s")
    r.xadd("s", {"f": "2"}, id="6-1")
    assert a.reply() == one_stream(b"s", entry(b"6-1", b"f", b"2"))
