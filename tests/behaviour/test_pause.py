"""CLIENT PAUSE / CLIENT UNPAUSE as Redis 7.0 does them: held commands wait and are served in
order afterwards, WRITE holds only writes (and EXEC of a queue with one), ALL holds everything,
the timeout ends a pause, expiry stands still; clients on both worker threads, fast path on or off."""

import re
import time

import pytest

from resp import parse


def info_field(client, section: str, name: str) -> str:
    text = parse(client.call("INFO", section)).decode()
    m = re.search(rf"^{name}:(.*)\r$", text, re.M)
    assert m, text
    return m.group(1)


def wait_blocked(admin, n: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if int(info_field(admin, "clients", "blocked_clients")) == n:
            return
        time.sleep(0.02)
    raise AssertionError(f"blocked_clients never reached {n}: {info_field(admin, 'clients', 'blocked_clients')}")


@pytest.fixture
def admin(raw, raw_factory):
    yield raw
    raw.call("CLIENT", "UNPAUSE")


def test_pause_write_holds_writes_of_every_thread_and_serves_reads(admin, raw_factory):
    """SET, served by C when nothing is paused, waits on every client (12: both threads) while
    GET, PING and INFO answer; UNPAUSE runs the held SETs and each client's pipelined commands."""
    assert admin.call("CLIENT", "PAUSE", "60000", "WRITE") == b"+OK\r\n"
    clients = [raw_factory() for _ in range(12)]
    for i, c in enumerate(clients):
        assert c.call("GET", f"k{i}") == b"$-1\r\n"
        c.send(b"SET k%d v%d\r\nGET k%d\r\n" % (i, i, i))
    wait_blocked(admin, 12)
    for c in clients:
        with pytest.raises(TimeoutError):
            c.reply(0.05)
    assert admin.call("PING") == b"+PONG\r\n"
    assert admin.call("GET", "k0") == b"$-1\r\n"     # nothing was written
    assert admin.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    for i, c in enumerate(clients):
        v = b"v%d" % i
        assert c.replies(2) == [b"+OK\r\n", b"$%d\r\n%s\r\n" % (len(v), v)]
    assert info_field(admin, "clients", "blocked_clients") == "0"


def test_pause_all_holds_every_command_until_its_timeout(raw, raw_factory):
    """ALL holds reads, PING and CLIENT UNPAUSE itself (as Redis: only the timeout ends it);
    then each client's commands run in order."""
    c, other = raw_factory(), raw_factory()
    assert c.call("SET", "a", "1") == b"+OK\r\n"
    assert raw.call("CLIENT", "PAUSE", "1500") == b"+OK\r\n"     # ALL is the default
    c.send(b"GET a\r\nINCR a\r\nGET a\r\n")
    other.send(b"PING\r\n")
    raw.send(b"CLIENT UNPAUSE\r\n")
    for client in (c, other, raw):
        with pytest.raises(TimeoutError):
            client.reply(0.2)
    assert c.replies(3, timeout=10) == [b"$1\r\n1\r\n", b":2\r\n", b"$1\r\n2\r\n"]
    assert other.reply(10) == b"+PONG\r\n"
    assert raw.reply(10) == b"+OK\r\n"


def test_pause_ends_at_its_timeout(raw, raw_factory):
    c = raw_factory()
    assert raw.call("CLIENT", "PAUSE", "300", "ALL") == b"+OK\r\n"
    start = time.monotonic()
    c.send(b"SET t 1\r\nGET t\r\n")
    assert c.replies(2, timeout=10) == [b"+OK\r\n", b"$1\r\n1\r\n"]
    assert time.monotonic() - start >= 0.2
    assert raw.call("PING") == b"+PONG\r\n"


def test_pause_errors_and_syntax_errors_answer_at_once(admin):
    assert admin.call("CLIENT", "PAUSE", "abc") == b"-ERR timeout is not an integer or out of range\r\n"
    assert admin.call("CLIENT", "PAUSE", "-1") == b"-ERR timeout is negative\r\n"
    assert admin.call("CLIENT", "PAUSE", "10", "READ") == b"-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"
    assert admin.call("CLIENT", "PAUSE", "10", "WRITE", "x") == (
        b"-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n")
    assert admin.call("CLIENT", "PAUSE") == b"-ERR wrong number of arguments for 'client|pause' command\r\n"
    assert admin.call("CLIENT", "UNPAUSE", "x") == b"-ERR wrong number of arguments for 'client|unpause' command\r\n"
    assert admin.call("CLIENT", "PAUSE", "60000", "WRITE") == b"+OK\r\n"
    assert admin.call("SET", "a") == b"-ERR wrong number of arguments for 'set' command\r\n"
    assert admin.call("NOSUCH") == b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n"


def test_pause_write_and_transactions(admin, raw_factory):
    """Reads in MULTI/EXEC run; an EXEC whose queue writes is held; a write queued while paused
    is held at queueing (Redis checks before queueing); PAUSE inside EXEC starts after it."""
    admin.call("SET", "foo", "bar")
    early = raw_factory()
    early.send(b"MULTI\r\nSET foo changed\r\n")
    assert early.replies(2) == [b"+OK\r\n", b"+QUEUED\r\n"]
    assert admin.call("CLIENT", "PAUSE", "60000", "WRITE") == b"+OK\r\n"
    reader = raw_factory()
    reader.send(b"MULTI\r\nGET foo\r\nPING\r\nEXEC\r\n")
    assert reader.replies(4) == [b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n", b"*2\r\n$3\r\nbar\r\n+PONG\r\n"]
    early.send(b"EXEC\r\n")
    late = raw_factory()
    late.send(b"MULTI\r\nSET other 1\r\n")
    assert late.reply() == b"+OK\r\n"
    wait_blocked(admin, 2)
    assert admin.call("GET", "foo") == b"$3\r\nbar\r\n"
    assert admin.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    assert early.reply() == b"*1\r\n+OK\r\n"
    assert late.reply() == b"+QUEUED\r\n"
    assert late.call("EXEC") == b"*1\r\n+OK\r\n"
    # CLIENT PAUSE inside a transaction: the commands after it in the same EXEC still run.
    admin.send(b"MULTI\r\nSET in1 a\r\nCLIENT PAUSE 60000 WRITE\r\nSET in2 b\r\nEXEC\r\n")
    assert admin.replies(5)[4] == b"*3\r\n+OK\r\n+OK\r\n+OK\r\n"
    after = raw_factory()
    after.send(b"SET in3 c\r\n")
    wait_blocked(admin, 1)
    assert admin.call("MGET", "in1", "in2", "in3") == b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$-1\r\n"
    assert admin.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    assert after.reply() == b"+OK\r\n"


def test_pause_keeps_expired_keys_until_it_ends(admin):
    """Neither lazy nor active expiry reclaims a key while paused; it reads as absent, and is
    reclaimed (expired_keys counts it) once the pause is over (unit/pause)."""
    before = int(info_field(admin, "stats", "expired_keys"))
    admin.send(b"MULTI\r\nSET foo bar PX 10\r\nSET baz qux PX 10\r\nCLIENT PAUSE 60000 WRITE\r\nEXEC\r\n")
    admin.replies(5)
    time.sleep(0.5)   # several cron ticks
    assert admin.call("GET", "foo") == b"$-1\r\n"
    assert admin.call("EXISTS", "baz") == b":0\r\n"
    assert int(info_field(admin, "stats", "expired_keys")) == before
    assert admin.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    admin.call("GET", "foo")
    admin.call("GET", "baz")
    assert int(info_field(admin, "stats", "expired_keys")) == before + 2


def test_monitor_is_not_paused(admin, raw_factory):
    """Redis never pauses replicas, and a monitor is one: it keeps receiving and answering."""
    mon = raw_factory()
    assert mon.call("MONITOR") == b"+OK\r\n"
    c = raw_factory()
    assert admin.call("CLIENT", "PAUSE", "60000", "ALL") == b"+OK\r\n"
    c.send(b"PING\r\n")
    assert mon.call("PING") == b"+PONG\r\n"
    assert mon.reply().endswith(b'"PING"\r\n')    # its own PING, shown
    assert mon.call("CLIENT", "UNPAUSE") == b"+OK\r\n"   # nobody else could end an ALL pause
    assert c.reply() == b"+PONG\r\n"
