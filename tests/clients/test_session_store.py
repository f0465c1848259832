"""A session store as an application writes it with redis-py: one hash per session, EXPIRE on the
whole key, sliding expiry on access, field updates, and logout.  Every reply is checked."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

TTL = 2  # seconds; short so the expiry itself is observed


class SessionStore:
    def __init__(self, client: redis.Redis, ttl: int = TTL) -> None:
        self.r, self.ttl = client, ttl

    def _key(self, sid: str) -> str:
        return f"session:{sid}"

    def create(self, user: str, **data: str) -> str:
        sid = uuid.uuid4().hex
        with self.r.pipeline(transaction=True) as p:
            p.hset(self._key(sid), mapping={"user": user, "hits": 0, **data})
            p.expire(self._key(sid), self.ttl)
            assert p.execute() == [2 + len(data), True]
        return sid

    def load(self, sid: str) -> dict[str, str] | None:
        """The session (sliding expiry: each access renews the TTL), or None when gone."""
        with self.r.pipeline(transaction=True) as p:
            p.hgetall(self._key(sid))
            p.hincrby(self._key(sid), "hits", 1)
            p.expire(self._key(sid), self.ttl, xx=True)
            data, hits, renewed = p.execute()
        if not data:  # the session was gone and HINCRBY created a one-field hash: drop it
            self.r.delete(self._key(sid))
            return None
        assert renewed and hits == int(data["hits"]) + 1
        return data

    def update(self, sid: str, **fields: str) -> None:
        self.r.hset(self._key(sid), mapping=fields)

    def logout(self, sid: str) -> bool:
        return self.r.delete(self._key(sid)) == 1


@pytest.mark.parametrize("proto", [3, 2])
def test_session_lifecycle(server, proto):
    r = redis.Redis(host=server.host, port=server.port, protocol=proto, decode_responses=True)
    try:
        r.flushall()
        store = SessionStore(r)
        sid = store.create("alice", theme="dark")
        assert r.type(f"session:{sid}") == "hash"
        assert 0 < r.ttl(f"session:{sid}") <= TTL
        assert store.load(sid) == {"user": "alice", "hits": "0", "theme": "dark"}
        store.update(sid, theme="light", cart="3 items")
        data = store.load(sid)
        assert data["theme"] == "light" and data["cart"] == "3 items" and data["hits"] == "1"
        assert r.hmget(f"session:{sid}", ["user", "nope"]) == ["alice", None]
        other = store.create("bob")
        assert sorted(k for k in r.scan_iter(match="session:*", _type="hash")) == sorted(
            [f"session:{sid}", f"session:{other}"])
        assert store.logout(other) and not store.logout(other)
        # unused, the session expires as a whole (bounded wait)
        deadline = time.monotonic() + TTL + 5
        while r.exists(f"session:{sid}") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert r.exists(f"session:{sid}") == 0
        assert store.load(sid) is None and r.dbsize() == 0
    finally:
        r.close()
