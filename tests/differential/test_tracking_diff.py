"""Client-side caching against real redis-server: the same conversation on both servers gives the
same bytes for the tracking client (RESP3 `invalidate` pushes after its own replies), for a RESP2
redirection target subscribed to __redis__:invalidate, and for CLIENT TRACKING's errors and state.
Each scenario uses fresh connections on both servers.  Client ids differ between the two servers,
so a REDIRECT names each server's own id."""

from __future__ import annotations

import time

from .pairs import Pair


def _quiet(tracker: Pair, writer: Pair, key: str) -> None:
    """Nothing was pending for tracker: the next thing it reads is the invalidation of a fresh key."""
    tracker.call("GET", key)
    writer.call("SET", key, "sentinel")
    assert tracker.same() == [b">2\r\n$10\r\ninvalidate\r\n*1\r\n$%d\r\n%s\r\n" % (len(key), key.encode())]


def test_resp3_invalidation_of_another_clients_write(pair):
    pair(2).call("FLUSHALL")
    t, w = pair(3), pair()
    t.call("CLIENT", "TRACKING", "on")
    t.call("GET", "tk1")
    t.call("MGET", "tk2", "tk3")
    w.call("SET", "tk1", "v")
    t.same()                              # invalidate [tk1]
    w.call("MSET", "tk2", "a", "tk3", "b")
    t.same(2)                             # one message per key, in the write's order
    w.call("SET", "tk1", "again")         # no longer tracked: nothing
    _quiet(t, w, "tk-sentinel1")


def test_resp3_own_write_invalidation_follows_the_reply(pair):
    pair(2).call("FLUSHALL")
    t = pair(3)
    t.call("CLIENT", "TRACKING", "on")
    t.call("HSET", "th", "f", "1")
    t.call("HGET", "th", "f")
    t.call("HDEL", "th", "f", n=2)        # :1, then invalidate [th]
    t.call("GET", "tk")
    t.send("SET", "tk", "1")
    t.send("PING")
    t.same(3)                             # +OK, invalidate [tk], +PONG
    t.send("GET", "tk")                   # one pipeline: read, own write, read again
    t.send("SET", "tk", "2")
    t.send("GET", "tk")
    t.same(4)                             # $1 1, +OK, invalidate [tk], $1 2


def test_noloop_skips_own_writes(pair):
    pair(2).call("FLUSHALL")
    t, w = pair(3), pair()
    t.call("CLIENT", "TRACKING", "on", "NOLOOP")
    t.call("GET", "nl")
    t.call("SET", "nl", "mine")           # no message for its own change
    t.call("GET", "nl")
    w.call("SET", "nl", "theirs")
    t.same()


def test_resp2_redirect_to_a_subscriber(pair):
    pair(2).call("FLUSHALL")
    r, t, w = pair(), pair(), pair()
    ra, rb = r.ids()
    r.call("SUBSCRIBE", "__redis__:invalidate")
    t.call_each(("CLIENT", "TRACKING", "on", "REDIRECT", ra), ("CLIENT", "TRACKING", "on", "REDIRECT", rb))
    t.call("GET", "rk")
    w.call("SET", "rk", "1")
    r.same()                              # message __redis__:invalidate [rk]
    t.call("GET", "rk")
    t.call("DEL", "rk")                   # the tracking client's own write goes to the target too
    r.same()
    t.call("GET", "rk2")
    w.call("FLUSHALL")
    r.same()                              # RESP2 null: message __redis__:invalidate $-1
    assert [s.call("CLIENT", "GETREDIR") for s in (t.a, t.b)] == [b":%s\r\n" % i for i in (ra, rb)]


def test_resp3_flushall_and_flushdb_send_a_null(pair):
    t, w = pair(3), pair()
    t.call("CLIENT", "TRACKING", "on")
    t.call("GET", "fk")
    w.call("FLUSHALL")
    t.same()                              # invalidate _
    w.call("FLUSHDB")                     # every tracking client, tracked keys or not
    t.same()
    t.call("FLUSHALL", n=2)               # its own: +OK then the null


def test_bcast_prefixes_one_message_sorted(pair):
    pair(2).call("FLUSHALL")
    t, w = pair(3), pair()
    t.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "bp:", "PREFIX", "other:")
    w.call("MSET", "bp:2", "x", "bp:1", "y", "zz", "z", "bp:2", "again")
    t.same()                              # one message, each key once, in byte order
    w.call("SET", "other:k", "1")
    t.same()
    t.call("CLIENT", "TRACKINGINFO")
    t.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "bp:x")   # overlaps an existing prefix
    t.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "n", "PREFIX", "no")
    t.call("CLIENT", "TRACKING", "on")    # switching BCAST off needs OFF first


def test_optin_and_optout(pair):
    pair(2).call("FLUSHALL")
    t, w = pair(3), pair()
    t.call("CLIENT", "CACHING", "yes")    # not tracking
    t.call("CLIENT", "TRACKING", "on", "OPTIN")
    t.call("CLIENT", "CACHING", "no")
    t.call("GET", "oi1")                  # not remembered without CACHING yes
    t.call("CLIENT", "CACHING", "yes")
    t.call("GET", "oi2")
    t.call("CLIENT", "TRACKINGINFO")
    w.call("MSET", "oi1", "a", "oi2", "b")
    t.same()                              # oi2 only
    t.call("CLIENT", "TRACKING", "on", "OPTOUT")   # switching needs OFF first
    t.call("CLIENT", "TRACKING", "off")
    t.call("CLIENT", "TRACKING", "on", "OPTOUT")
    t.call("CLIENT", "CACHING", "no")
    t.call("GET", "oo1")                  # not remembered
    t.call("GET", "oo2")
    w.call("MSET", "oo1", "a", "oo2", "b")
    t.same()                              # oo2 only


def test_option_errors_and_info(pair):
    t = pair(3)
    for args in (("CLIENT", "TRACKING", "on", "PREFIX", "p"),
                 ("CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
                 ("CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
                 ("CLIENT", "TRACKING", "on", "REDIRECT", "999999"),
                 ("CLIENT", "TRACKING", "on", "REDIRECT", "x"),
                 ("CLIENT", "TRACKING", "on", "REDIRECT", "1", "REDIRECT", "2"),
                 ("CLIENT", "TRACKING", "maybe"),
                 ("CLIENT", "TRACKING", "on", "NOSUCH"),
                 ("CLIENT", "CACHING", "maybe"),
                 ("CLIENT", "GETREDIR"),
                 ("CLIENT", "TRACKINGINFO")):
        t.call(*args)
    t.call("CLIENT", "TRACKING", "on", "OPTIN", "NOLOOP")
    t.call("CLIENT", "CACHING", "no")
    t.call("CLIENT", "CACHING", "yes")
    t.call("CLIENT", "TRACKINGINFO")
    t.call("CLIENT", "GETREDIR")


def test_redirect_broken(pair):
    pair(2).call("FLUSHALL")
    r, t, w = pair(), pair(3), pair()
    ra, rb = r.ids()
    t.call_each(("CLIENT", "TRACKING", "on", "REDIRECT", ra), ("CLIENT", "TRACKING", "on", "REDIRECT", rb))
    t.call("GET", "bk")
    r.call("QUIT")
    # QUIT's +OK comes before its worker closes the connection: the SET (maybe on the other worker) waits
    # until the redirection target is gone on each server, as Redis's single thread orders them.
    for s, rid in ((w.a, ra), (w.b, rb)):
        deadline = time.monotonic() + 10
        while b"id=" + rid + b" " in s.call("CLIENT", "LIST") and time.monotonic() < deadline:
            time.sleep(0.02)
    w.call("SET", "bk", "1")
    pushes = [s.reply() for s in (t.a, t.b)]   # tracking-redir-broken with each server's own id
    assert pushes == [b">2\r\n$21\r\ntracking-redir-broken\r\n:%s\r\n" % i for i in (ra, rb)]
    info = [s.call("CLIENT", "TRACKINGINFO") for s in (t.a, t.b)]
    assert [x.replace(b":" + i + b"\r\n", b"ID") for x, i in zip(info, (ra, rb))] == \
        [info[0].replace(b":" + ra + b"\r\n", b"ID")] * 2


def test_writes_in_transactions_and_scripts(pair):
    pair(2).call("FLUSHALL")
    t, w = pair(3), pair()
    t.call("CLIENT", "TRACKING", "on")
    t.call("MSET", "xa", "1", "xb", "2")
    t.call("GET", "xa")
    t.call("MULTI")
    t.call("INCR", "xa")
    t.call("GET", "xb")
    t.call("EXEC", n=2)                   # the reply, then invalidate [xa]
    t.call("GET", "xb")
    w.call("EVAL", "redis.call('set', KEYS[1], 'x')", "1", "xb")
    t.same()
    t.call("EVAL", "return redis.call('get', KEYS[1])", "1", "xs")   # a script's read remembers its keys
    w.call("SET", "xs", "1")
    t.same()


def test_expiry_invalidates(pair):
    pair(2).call("FLUSHALL")
    t, w = pair(3), pair()
    t.call("CLIENT", "TRACKING", "on")
    w.call("SET", "ek", "v", "PX", "100")
    t.call("GET", "ek")
    time.sleep(0.3)
    w.call("GET", "ek")                   # lazily expired here, or actively before: either way
    t.same()                              # invalidate [ek]
