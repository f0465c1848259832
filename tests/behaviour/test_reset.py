"""RESET as Redis 7.0's clearClientConnectionState: MULTI, MONITOR, CLIENT REPLY, name, RESP, db;
the exact bytes a pipelined session gets (the same on redis-server)."""

import pytest

from resp import parse


@pytest.mark.parametrize("pipeline, expected", [
    # SKIP applies to RESET itself (Redis clears REPLY_OFF and SKIP_NEXT, not the current SKIP).
    (b"CLIENT REPLY SKIP\r\nRESET\r\nPING\r\n", b"+PONG\r\n"),
    (b"CLIENT REPLY OFF\r\nPING\r\nRESET\r\nPING\r\n", b"+RESET\r\n+PONG\r\n"),
    (b"CLIENT REPLY SKIP\r\nPING\r\nRESET\r\nPING\r\n", b"+RESET\r\n+PONG\r\n"),
    (b"MULTI\r\nSET a 1\r\nRESET\r\nEXEC\r\n", b"+OK\r\n+QUEUED\r\n+RESET\r\n-ERR EXEC without MULTI\r\n"),
    (b"MONITOR\r\nRESET\r\nGET a\r\n", b"+OK\r\n+RESET\r\n$-1\r\n"),
    # A monitor with CLIENT REPLY OFF gets no lines either (its own commands', here).
    (b"MONITOR\r\nCLIENT REPLY OFF\r\nPING\r\nRESET\r\nPING\r\n", b"+OK\r\n+RESET\r\n+PONG\r\n"),
    (b"HELLO 3\r\nRESET\r\nGET a\r\n", None),
    (b"RESET x\r\n", b"-ERR wrong number of arguments for 'reset' command\r\n"),
])
def test_reset_pipelines(raw, pipeline, expected):
    raw.send(pipeline)
    if expected is None:   # HELLO 3's map, then RESET, then a RESP2 nil
        replies = [raw.reply() for _ in range(3)]
        assert replies[0].startswith(b"%") and replies[1:] == [b"+RESET\r\n", b"$-1\r\n"]
        return
    got = b""
    while len(got) < len(expected):
        got += raw.reply()
    assert got == expected
    with pytest.raises(TimeoutError):
        raw.reply(0.3)


def test_reset_clears_name_and_monitor_flag_keeps_no_evict(raw):
    raw.send(b"CLIENT SETNAME x\r\nCLIENT NO-EVICT on\r\nMONITOR\r\nRESET\r\n")
    assert [raw.reply() for _ in range(4)] == [b"+OK\r\n", b"+OK\r\n", b"+OK\r\n", b"+RESET\r\n"]
    info = parse(raw.call("CLIENT", "INFO")).decode()
    assert " name= " in info and " flags=e " in info and " db=0 " in info and info.endswith(" resp=2\n")
