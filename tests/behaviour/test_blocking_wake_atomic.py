"""A write that fills a key someone is blocked on serves them in the same instant, as on Redis (the
pushing command, then serveClientsBlockedOnKeys, before any other client's command runs): no other
client, on any worker thread, ever sees the pushed element while a waiter on its key is still
blocked.  A waiter blocks on q (INFO says so), a pusher fills q, and observers on other connections
(spread over the server's worker threads by SO_REUSEPORT) poll q's length and existence the whole
time: since the waiter takes the only element, every observation must be 0."""

import threading
import time

import pytest

from behaviour.test_blocking_more import until_blocked
from resp import RespSocket, encode_command as cmd

OBSERVERS = 6      # connections polling q: some land on another worker than the pusher's
BATCH = 32         # pipelined reads per observer round trip
SECONDS = 2.0      # per form, or until ROUNDS
ROUNDS = 300

LIST_POLL = [("LLEN", "q"), ("EXISTS", "q")]
ZSET_POLL = [("ZCARD", "q"), ("EXISTS", "q")]

# form: (waiters' commands, each on its own connection and blocked in this order; the pusher's
# pipelined groups of commands, one group after the other; what the observers poll)
FORMS = {
    "blpop-rpush": ([("BLPOP", "q", "0")], [[("RPUSH", "q", "x")]], LIST_POLL),
    "brpop-lpush": ([("BRPOP", "q", "0")], [[("LPUSH", "q", "x")]], LIST_POLL),
    "blmpop-rpush": ([("BLMPOP", "0", "1", "q", "LEFT")], [[("RPUSH", "q", "x")]], LIST_POLL),
    "blmove-rpush": ([("BLMOVE", "q", "d{q}", "LEFT", "LEFT", "0")], [[("RPUSH", "q", "x"), ("DEL", "d{q}")]],
                     LIST_POLL),
    "blpop-lmove": ([("BLPOP", "q", "0")], [[("RPUSH", "s{q}", "x"), ("LMOVE", "s{q}", "q", "LEFT", "LEFT")]],
                    LIST_POLL),
    "blpop-rename": ([("BLPOP", "q", "0")], [[("RPUSH", "s{q}", "x"), ("RENAME", "s{q}", "q")]], LIST_POLL),
    "blpop-sort-store": ([("BLPOP", "q", "0")], [[("RPUSH", "s{q}", "x"), ("SORT", "s{q}", "ALPHA", "STORE", "q"),
                                                  ("DEL", "s{q}")]], LIST_POLL),
    "blpop-exec": ([("BLPOP", "q", "0")], [[("MULTI",), ("RPUSH", "q", "x"), ("EXEC",)]], LIST_POLL),
    "bzpopmin-zadd": ([("BZPOPMIN", "q", "0")], [[("ZADD", "q", "1", "x")]], ZSET_POLL),
    "bzpopmax-zadd": ([("BZPOPMAX", "q", "0")], [[("ZADD", "q", "1", "x")]], ZSET_POLL),
    "bzmpop-zadd": ([("BZMPOP", "0", "1", "q", "MIN")], [[("ZADD", "q", "1", "x")]], ZSET_POLL),
    "bzpopmin-zunionstore": ([("BZPOPMIN", "q", "0")], [[("ZADD", "s{q}", "1", "x"),
                                                         ("ZUNIONSTORE", "q", "1", "s{q}"), ("DEL", "s{q}")]],
                             ZSET_POLL),
    "bzpopmin-exec": ([("BZPOPMIN", "q", "0")], [[("MULTI",), ("ZADD", "q", "1", "x"), ("EXEC",)]], ZSET_POLL),
    # a served BLMOVE fills d{q}, whose own waiter is served in the same instant
    "blmove-chain": ([("BLMOVE", "q", "d{q}", "LEFT", "LEFT", "0"), ("BLPOP", "d{q}", "0")],
                     [[("RPUSH", "q", "x")]], LIST_POLL + [("EXISTS", "d{q}")]),
    # waiters of both types on q: the list push serves the BLPOP (the BZPOPMIN one stays blocked),
    # then a ZADD serves the BZPOPMIN one
    "mixed-types": ([("BZPOPMIN", "q", "0"), ("BLPOP", "q", "0")],
                    [[("RPUSH", "q", "x")], [("ZADD", "q", "1", "x")]], [("EXISTS", "q")]),
}


class _Observers:
    """Threads that poll (pipelined) until stopped; they record every non-zero answer."""

    def __init__(self, server, polls: list[tuple[str, ...]]) -> None:
        self.socks = [RespSocket(server.host, server.port, timeout=10) for _ in range(OBSERVERS)]
        self.request = b"".join(cmd(*polls[i % len(polls)]) for i in range(BATCH))
        self.stop = threading.Event()
        self.reads = 0
        self.seen: list[bytes] = []
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._poll, args=(s,), daemon=True) for s in self.socks]

    def _poll(self, s: RespSocket) -> None:
        try:
            while not self.stop.is_set():
                s.send(self.request)
                replies = s.replies(BATCH)
                self.reads += len(replies)
                self.seen += [r for r in replies if r != b":0\r\n"]
        except BaseException as e:  # reported by __exit__
            self.errors.append(e)

    def __enter__(self) -> "_Observers":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)
        for s in self.socks:
            s.close()
        assert not any(t.is_alive() for t in self.threads), "an observer is still running"
        assert not self.errors, self.errors[:3]


@pytest.mark.parametrize("form", list(FORMS))
def test_no_client_sees_a_pushed_element_while_its_waiter_is_blocked(server, form):
    waiter_cmds, pushes, polls = FORMS[form]
    admin = RespSocket(server.host, server.port, timeout=10)
    pusher = RespSocket(server.host, server.port, timeout=10)
    waiters = [RespSocket(server.host, server.port, timeout=10) for _ in waiter_cmds]
    rounds = 0
    try:
        assert admin.call("FLUSHALL") == b"+OK\r\n"
        until_blocked(admin, 0)
        with _Observers(server, polls) as obs:
            deadline = time.monotonic() + SECONDS
            while time.monotonic() < deadline and rounds < ROUNDS and not obs.seen:
                rounds += 1
                for i, (w, c) in enumerate(zip(waiters, waiter_cmds)):
                    w.send(cmd(*c))
                    until_blocked(admin, i + 1)
                for group in pushes:
                    pusher.send(b"".join(cmd(*c) for c in group))
                    replies = pusher.replies(len(group))
                    assert not [r for r in replies if r.startswith(b"-")], replies
                served = [w.reply(timeout=10) for w in waiters]
                assert all(b"x" in r for r in served), served
            reads = obs.reads
        assert not obs.seen, (f"{form}: another client saw a waited key filled while its waiter was "
                              f"blocked ({len(obs.seen)} of {reads} reads, {rounds} rounds): {obs.seen[:3]}")
        assert reads > rounds, (reads, rounds)   # the observers did poll meanwhile
    finally:
        for c in [admin, pusher] + waiters:
            c.close()
