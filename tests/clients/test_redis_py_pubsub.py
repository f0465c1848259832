"""redis-py's PubSub against the server, as applications use it: sync get_message and listen(),
psubscribe with handlers and run_in_thread, sharded pub/sub, RESP2 and RESP3, and the asyncio client;
publishers and subscribers on separate connections (so on both worker threads too)."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis
import redis.asyncio


def _next(ps, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = ps.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if m is not None:
            return m
    raise AssertionError("no message in time")


@pytest.mark.parametrize("proto", [2, 3])
def test_sync_get_message_listen_and_patterns(server, proto):
    r = redis.Redis(host=server.host, port=server.port, protocol=proto, decode_responses=True)
    ps = r.pubsub()
    try:
        ps.subscribe("news", "sport")
        ps.psubscribe("weather.*")
        confirmations = [ps.get_message(timeout=5) for _ in range(3)]
        assert [(m["type"], m["channel"], m["data"]) for m in confirmations] == [
            ("subscribe", "news", 1), ("subscribe", "sport", 2), ("psubscribe", "weather.*", 3)]
        assert r.publish("news", "hello") == 1
        assert r.publish("weather.paris", "rain") == 1
        m = _next(ps)
        assert (m["type"], m["channel"], m["data"]) == ("message", "news", "hello")
        m = _next(ps)
        assert (m["type"], m["pattern"], m["channel"], m["data"]) == ("pmessage", "weather.*", "weather.paris", "rain")
        assert r.pubsub_numsub("news", "sport", "none") == [("news", 1), ("sport", 1), ("none", 0)]
        assert r.pubsub_numpat() == 1
        assert sorted(r.pubsub_channels()) == ["news", "sport"]
        for i in range(50):
            r.publish("sport", f"goal {i}")
        got = []
        for m in ps.listen():
            if m["type"] == "message":
                got.append(m["data"])
                if len(got) == 50:
                    break
        assert got == [f"goal {i}" for i in range(50)]
        ps.unsubscribe()
        ps.punsubscribe()
        assert _wait_for(lambda: r.pubsub_numsub("news") == [("news", 0)])
        assert r.publish("news", "nobody") == 0
    finally:
        ps.close()
        r.close()


def _wait_for(pred, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_handlers_in_a_thread_and_sharded(server):
    r = redis.Redis(host=server.host, port=server.port, decode_responses=True)
    ps = r.pubsub()
    seen: list[tuple[str, str]] = []
    ps.psubscribe(**{"orders.*": lambda m: seen.append((m["channel"], m["data"]))})
    ps.ssubscribe(**{"shard-a": lambda m: seen.append((m["channel"], m["data"]))})
    worker = ps.run_in_thread(sleep_time=0.05, daemon=True)
    try:
        assert _wait_for(lambda: r.pubsub_numpat() == 1)
        for i in range(20):
            assert r.publish(f"orders.{i % 3}", str(i)) == 1
        assert _wait_for(lambda: len(seen) == 20)
        assert seen == [(f"orders.{i % 3}", str(i)) for i in range(20)]
        assert r.spublish("shard-a", "s") == 1
        assert _wait_for(lambda: len(seen) == 21) and seen[-1] == ("shard-a", "s")
        assert r.pubsub_shardnumsub("shard-a") == [("shard-a", 1)]
        assert r.pubsub_shardchannels() == ["shard-a"]
    finally:
        worker.stop()
        worker.join(10)
        ps.close()
        r.close()


def test_asyncio_pubsub(server):
    async def main() -> None:
        r = redis.asyncio.Redis(host=server.host, port=server.port, protocol=3, decode_responses=True)
        ps = r.pubsub()
        try:
            await ps.subscribe("async-ch")
            await ps.psubscribe("async-*")
            assert (await ps.get_message(timeout=5))["type"] == "subscribe"
            assert (await ps.get_message(timeout=5))["type"] == "psubscribe"
            assert await r.publish("async-ch", "a") == 2
            kinds = []
            while len(kinds) < 2:
                m = await ps.get_message(ignore_subscribe_messages=True, timeout=5)
                assert m is not None
                kinds.append((m["type"], m["data"]))
            assert sorted(kinds) == [("message", "a"), ("pmessage", "a")]
            await ps.unsubscribe("async-ch")
            await ps.punsubscribe()
            assert (await ps.get_message(timeout=5))["type"] == "unsubscribe"
            assert (await ps.get_message(timeout=5))["type"] == "punsubscribe"   # both confirmed: both done
            assert await r.publish("async-ch", "b") == 0
        finally:
            await ps.aclose()
            await r.aclose()

    asyncio.run(asyncio.wait_for(main(), 30))


@pytest.mark.parametrize("proto", [2, 3])
def test_keyspace_notifications(server, proto):
    """The everyday use of keyspace notifications: invalidate or react on writes and expiry, with
    redis-py's psubscribe on __keyevent@0__:* (its documented recipe)."""
    r = redis.Redis(host=server.host, port=server.port, protocol=proto, decode_responses=True)
    ps = r.pubsub()
    try:
        r.config_set("notify-keyspace-events", "Eg$x")
        assert r.config_get("notify-keyspace-events") == {"notify-keyspace-events": "g$xE"}
        ps.psubscribe("__keyevent@0__:*")
        assert ps.get_message(timeout=5)["type"] == "psubscribe"
        r.incr("hits")
        r.delete("hits")
        r.set("session:1", "a", px=50)
        seen = [(m["channel"], m["data"]) for m in (_next(ps) for _ in range(5))]
        assert seen == [("__keyevent@0__:incrby", "hits"), ("__keyevent@0__:del", "hits"),
                        ("__keyevent@0__:set", "session:1"), ("__keyevent@0__:expire", "session:1"),
                        ("__keyevent@0__:expired", "session:1")]   # the active cycle finds it
    finally:
        r.config_set("notify-keyspace-events", "")
        ps.close()
        r.close()
