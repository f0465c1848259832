"""redis-py as an application uses it: the product description's example (with a password), sync and asyncio
clients, pipelines, a connection pool shared by threads, Redis.from_url, and the cache patterns (cache-aside,
SET EX, INCR+EXPIRE rate limiting, MGET). Every reply is checked; a wrong one fails the test."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
import redis
import redis.asyncio
from redis.backoff import NoBackoff
from redis.retry import Retry

from .conftest import PASSWORD, has_command


def test_spec_example_with_password(secured):
    r = redis.Redis(host=secured.host, port=secured.port, password=PASSWORD)
    try:
        assert r.set("key", "value") is True
        assert r.get("key") == b"value"
    finally:
        r.close()
    no_retry = Retry(NoBackoff(), 0)  # redis-py 8 retries connection setup with backoff by default
    bad = redis.Redis(host=secured.host, port=secured.port, password="wrong", retry=no_retry)
    with pytest.raises(redis.AuthenticationError):
        bad.ping()
    bad.close()
    anon = redis.Redis(host=secured.host, port=secured.port, protocol=2, retry=no_retry)
    with pytest.raises(redis.AuthenticationError, match="Authentication required"):
        anon.get("key")
    anon.close()


@pytest.mark.parametrize("proto", [3, 2])
def test_sync_basics_and_errors(server, proto):
    r = redis.Redis(host=server.host, port=server.port, protocol=proto, decode_responses=True)
    try:
        r.flushall()
        assert r.ping() is True
        assert r.set("greeting", "hello world") is True
        assert r.get("greeting") == "hello world"
        assert r.get("missing") is None
        assert r.set("greeting", "x", nx=True) is None
        assert r.incr("counter") == 1 and r.incrby("counter", 41) == 42 and r.decr("counter") == 41
        assert r.exists("greeting", "counter", "missing") == 2
        assert r.delete("greeting", "missing") == 1
        with pytest.raises(redis.ResponseError, match="^value is not an integer or out of range$"):
            r.incr("greeting2") if r.set("greeting2", "abc") else None
        with pytest.raises(redis.ResponseError, match="unknown command 'NOSUCH'"):
            r.execute_command("NOSUCH", "x")
        assert r.echo("a\r\nb") == "a\r\nb"
        assert r.client_setname("app-1") is True and r.client_getname() == "app-1"
        info = r.info("keyspace")
        assert info["db0"]["keys"] == 2, info
        assert r.config_get("maxmemory") == {"maxmemory": "0"}
    finally:
        r.close()


def test_binary_values(r):
    blob = bytes(range(256)) * 4 + b"\x00\r\n"
    assert r.set(b"bin\x00key", blob) is True
    assert r.get(b"bin\x00key") == blob
    assert r.set("empty", b"") is True and r.get("empty") == b""
    big = b"v" * (1 << 20)
    assert r.set("big", big) is True and r.get("big") == big


def test_set_ex_ttl(r):
    assert r.set("session:1", json.dumps({"user": 7}), ex=3600) is True
    assert 3599 <= r.ttl("session:1") <= 3600
    assert 3_598_000 <= r.pttl("session:1") <= 3_600_000
    assert r.set("tmp", "v", px=1) is True
    assert r.persist("session:1") is True and r.ttl("session:1") == -1
    assert r.ttl("nope") == -2


def test_cache_aside(r):
    computed = []

    def expensive(user_id: int) -> dict:
        computed.append(user_id)
        return {"id": user_id, "name": f"user{user_id}"}

    def get_user(user_id: int) -> dict:
        key = f"user:{user_id}"
        cached = r.get(key)
        if cached is not None:
            return json.loads(cached)
        value = expensive(user_id)
        r.set(key, json.dumps(value), ex=300)
        return value

    assert get_user(1) == {"id": 1, "name": "user1"}
    assert get_user(1) == {"id": 1, "name": "user1"}
    assert get_user(2)["name"] == "user2"
    assert computed == [1, 2]
    r.delete("user:1")  # invalidation
    get_user(1)
    assert computed == [1, 2, 1]


def test_rate_limit_incr_expire(r):
    def allowed(client_ip: str, limit: int = 5, window: int = 60) -> bool:
        key = f"rate:{client_ip}"
        n = r.incr(key)
        if n == 1:
            r.expire(key, window)
        return n <= limit

    results = [allowed("10.0.0.1") for _ in range(8)]
    assert results == [True] * 5 + [False] * 3
    assert allowed("10.0.0.2") is True
    assert 0 < r.ttl("rate:10.0.0.1") <= 60
    assert r.get("rate:10.0.0.1") == b"8"


def test_mget_mset(r):
    assert r.mset({"a": "1", "b": "2", "c": ""}) is True
    assert r.mget(["a", "b", "missing", "c"]) == [b"1", b"2", None, b""]
    assert r.mget("a") == [b"1"]


def test_pipeline_without_transaction(r):
    with r.pipeline(transaction=False) as p:
        p.set("p1", "v1").get("p1").incr("pc").incr("pc").get("missing").mget("p1", "pc")
        p.execute_command("NOSUCH")
        out = p.execute(raise_on_error=False)
    assert out[:6] == [True, b"v1", 1, 2, None, [b"v1", b"2"]]
    assert isinstance(out[6], redis.ResponseError) and "unknown command" in str(out[6])
    with r.pipeline(transaction=False) as p:
        for i in range(500):
            p.set(f"k{i}", i)
        assert p.execute() == [True] * 500
    assert r.dbsize() == 502  # p1, pc, k0..k499


def test_pipeline_with_transaction(server, r):
    if not has_command(server, "multi"):
        pytest.skip("MULTI/EXEC not on this server: pipeline(transaction=True) "
                    "needs them")
    with r.pipeline() as p:  # transaction=True is redis-py's default: MULTI ... EXEC
        p.set("t1", "a").incr("tc").get("t1")
        assert p.execute() == [True, 1, b"a"]
    # WATCH-based optimistic locking, the redis-py recipe
    r.set("balance", 100)
    with r.pipeline() as p:
        p.watch("balance")
        current = int(p.get("balance"))
        p.multi()
        p.set("balance", current - 30)
        assert p.execute() == [True]
    assert r.get("balance") == b"70"
    with r.pipeline() as p:
        p.watch("balance")
        r.set("balance", 1)  # another client changes it: EXEC must fail
        p.multi()
        p.set("balance", 999)
        with pytest.raises(redis.WatchError):
            p.execute()
    assert r.get("balance") == b"1"


def test_connection_pool_threads(server, r):
    pool = redis.ConnectionPool(host=server.host, port=server.port, max_connections=8)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        c = redis.Redis(connection_pool=pool)
        try:
            for i in range(300):
                c.incr("pool:counter")
                c.set(f"pool:{n}:{i}", i)
                assert c.get(f"pool:{n}:{i}") == str(i).encode()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    pool.disconnect()
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    assert r.get("pool:counter") == b"1800"
    assert r.dbsize() == 1 + 6 * 300


@pytest.mark.parametrize("proto", [3, 2])
def test_from_url(server, proto):
    c = redis.Redis.from_url(f"redis://{server.host}:{server.port}/0?protocol={proto}", decode_responses=True)
    try:
        c.flushall()
        assert c.set("url", "ok") is True and c.get("url") == "ok"
        assert c.connection_pool.connection_kwargs["protocol"] == proto
    finally:
        c.close()


def test_from_url_with_password(secured):
    c = redis.Redis.from_url(f"redis://:{PASSWORD}@{secured.host}:{secured.port}/0")
    try:
        assert c.set("k", "v") is True and c.get("k") == b"v"
    finally:
        c.close()


def test_asyncio(server):
    async def main() -> None:
        c = redis.asyncio.Redis(host=server.host, port=server.port)
        try:
            await c.flushall()
            assert await c.set("ak", "av", ex=100) is True
            assert await c.get("ak") == b"av"
            assert 99 <= await c.ttl("ak") <= 100
            async def incr_many() -> list[int]:
                return [await c.incr("acount") for _ in range(20)]

            results = await asyncio.gather(*(incr_many() for _ in range(10)))  # 10 connections at once
            assert sorted(n for part in results for n in part) == list(range(1, 201))
            assert await c.mget("ak", "acount", "nope") == [b"av", b"200", None]
            async with c.pipeline(transaction=False) as p:
                p.set("ap", 1).incrby("ap", 9).get("ap")
                assert await p.execute() == [True, 10, b"10"]
        finally:
            await c.aclose()

    asyncio.run(asyncio.wait_for(main(), timeout=60))
