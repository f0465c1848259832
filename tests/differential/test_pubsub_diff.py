"""Pub/Sub against real redis-server: the same conversation on both servers gives the same bytes, in
RESP2 and RESP3 (pushes), for the subscriber, the publisher and PUBSUB's introspection.  Each scenario
uses fresh connections on both servers; orders Redis leaves to its dicts (UNSUBSCRIBE without names
over several channels, PUBSUB CHANNELS) are compared as sorted sets."""

from __future__ import annotations

import time

import pytest

ERR_CTX = (b"-ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
           b"are allowed in this context\r\n")


@pytest.mark.parametrize("proto", [2, 3])
def test_subscribe_confirmations_and_messages(pair, proto):
    sub, pub = pair(proto), pair()
    sub.call("SUBSCRIBE", "dc1", "dc2", "dc1", n=3)
    sub.call("PSUBSCRIBE", "d*", "d?1", n=2)
    sub.call("SSUBSCRIBE", "ds1", "ds2", n=2)
    assert pub.call("PUBLISH", "dc1", "hello") == [b":3\r\n"]   # the channel and both patterns
    sub.same(3, unordered=True)
    pub.call("PUBLISH", "dp-x", "")          # an empty message, a pattern only
    sub.same(1)
    pub.call("PUBLISH", "nobody", "x")
    pub.call("SPUBLISH", "ds2", "shard")
    sub.same(1)
    pub.call("SPUBLISH", "dc1", "x")         # a shard publish reaches no plain subscriber
    big = b"v" * 100_000
    pub.call("PUBLISH", "dc2", big)
    sub.same(1)
    sub.call("UNSUBSCRIBE", "dc2", "nope")
    sub.call("PUNSUBSCRIBE", "d?1")
    sub.call("PUNSUBSCRIBE")                 # one pattern left: its name, then count
    sub.call("SUNSUBSCRIBE", "ds1")
    sub.call("SUNSUBSCRIBE")
    sub.call("UNSUBSCRIBE")
    sub.call("UNSUBSCRIBE")                  # nothing left: Redis's nil-named confirmation
    sub.call("PUNSUBSCRIBE")
    sub.call("SUNSUBSCRIBE")
    sub.call("PING")                         # out of subscribed mode: +PONG again
    sub.call("GET", "x")


def test_resp2_subscribed_mode(pair):
    sub = pair()
    sub.call("SUBSCRIBE", "m1")
    sub.call("PING")
    sub.call("PING", "hi")
    sub.call("PING", "a", "b")
    for cmd in (["GET", "k"], ["SET", "k", "v"], ["CLIENT", "LIST"], ["CLIENT", "INFO"], ["HELLO", "3"],
                ["MULTI"], ["PUBLISH", "m1", "x"], ["PUBSUB", "NUMSUB", "m1"], ["CONFIG", "GET", "x"],
                ["NOSUCHCOMMAND"], ["GET"]):
        sub.call(*cmd)
    assert sub.call("SET", "k", "v") == [ERR_CTX % b"set"]
    assert sub.call("CLIENT", "LIST") == [ERR_CTX % b"client|list"]
    sub.call("SSUBSCRIBE", "m2")
    sub.call("UNSUBSCRIBE", "m1")
    sub.call("GET", "k")                     # a shard channel still keeps subscribed mode
    sub.call("SUNSUBSCRIBE", "m2")
    sub.call("GET", "k")
    sub.call("SUBSCRIBE", "m3")
    sub.call("RESET")                        # RESET leaves subscribed mode and every channel
    sub.call("PUBSUB", "NUMSUB", "m3")
    sub.call("QUIT")


def test_resp3_subscriber_runs_anything(pair):
    sub, pub = pair(3), pair()
    sub.call("SUBSCRIBE", "r3")
    sub.call("PING")
    sub.call("SET", "r3k", "v")
    sub.call("GET", "r3k")
    sub.call("PUBLISH", "r3", "to-self")     # its own message, as a push before the count
    pub.call("PUBLISH", "r3", "other")
    sub.same(1)
    sub.call("PSUBSCRIBE", "r*")
    sub.send("PUBLISH", "r3", "both")
    sub.same(3, unordered=True)
    sub.call("MULTI")
    sub.call("PUBLISH", "r3", "in-multi")
    sub.call("EXEC")                         # Redis 7.0 writes the pushes inside EXEC's array
    sub.call("DEL", "r3k")


def test_subscribe_inside_multi(pair):
    c = pair()
    c.call("MULTI")
    c.call("SUBSCRIBE", "mx")
    c.call("PUBLISH", "mx", "q")
    c.call("EXEC")
    c.call("GET", "x")                       # subscribed now


def test_publish_inside_multi_reaches_subscribers(pair):
    sub, pub = pair(), pair()
    sub.call("SUBSCRIBE", "tx")
    pub.call("MULTI")
    pub.call("PUBLISH", "tx", "one")
    pub.call("SPUBLISH", "tx", "two")
    pub.call("PUBLISH", "tx", "three")
    pub.call("EXEC")
    sub.same(2)


def test_client_reply_off_still_pushes(pair):
    sub, pub = pair(3), pair()
    sub.send("CLIENT", "REPLY", "OFF")
    sub.call("SUBSCRIBE", "ro")
    sub.call("PSUBSCRIBE", "r*")
    pub.call("PUBLISH", "ro", "x")
    sub.same(2)
    sub.call("UNSUBSCRIBE", "ro")


def test_pubsub_introspection(pair):
    subs = [pair() for _ in range(3)]
    subs[0].call("SUBSCRIBE", "ia", "ib")
    subs[1].call("SUBSCRIBE", "ia", n=1)
    subs[1].call("PSUBSCRIBE", "i*", "i*", n=2)
    subs[2].call("PSUBSCRIBE", "i*", "j*", n=2)
    subs[2].call("SSUBSCRIBE", "isa", "isb", n=2)
    q = pair()
    q.call("PUBSUB", "NUMSUB", "ib", "ia", "none", "ib")   # in the order asked, repeats included
    q.call("PUBSUB", "NUMSUB")
    q.call("PUBSUB", "SHARDNUMSUB", "isa", "ia")
    q.call("PUBSUB", "NUMPAT")
    for cmd in (("CHANNELS",), ("CHANNELS", "i?"), ("CHANNELS", "*b"), ("SHARDCHANNELS",),
                ("SHARDCHANNELS", "*a")):
        q.send("PUBSUB", *cmd)
        ra, rb = q.a.reply(), q.b.reply()
        assert sorted(rb.split(b"\r\n")[1:]) == sorted(ra.split(b"\r\n")[1:]), cmd
    for cmd in (("CHANNELS", "a", "b"), ("NUMPAT", "x"), ("HELP",), ("NOPE",), ()):
        q.call("PUBSUB", *cmd)
    for cmd in (["SUBSCRIBE"], ["PSUBSCRIBE"], ["SSUBSCRIBE"], ["PUBLISH", "x"], ["SPUBLISH", "x", "y", "z"]):
        q.call(*cmd)
    for s in subs:
        s.close()


def test_info_and_client_list_fields(pair, server):
    sub = pair()
    sub.call("SUBSCRIBE", "fa", "fb")
    sub.call("PSUBSCRIBE", "f*")
    sub.call("SSUBSCRIBE", "fs")
    q = pair()
    want = (b"pubsub_channels:2\r\n", b"pubsub_patterns:1\r\n", b"pubsubshard_channels:1\r\n")
    for s in (q.a, q.b):
        # The counts are server-wide: the subscribers the previous test closed leave them once the
        # server has read those closes (on either server, a moment after), so wait for that, bounded.
        deadline = time.monotonic() + 5
        info = s.call("INFO", "stats")
        while not all(w in info for w in want) and time.monotonic() < deadline:
            time.sleep(0.02)
            info = s.call("INFO", "stats")
        assert all(w in info for w in want), info
        lines = s.call("CLIENT", "LIST", "TYPE", "pubsub").split(b"\n")
        line = [x for x in lines if b"cmd=ssubscribe" in x]
        assert len(line) == 1
        assert b" flags=P " in line[0] and b" sub=2 psub=1 ssub=1 " in line[0]
        assert b"cmd=ssubscribe" not in s.call("CLIENT", "LIST", "TYPE", "normal")
