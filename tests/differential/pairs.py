"""Pair: the same conversation on a redis-server connection and a server-under-test connection, the
replies compared as they come (the Pub/Sub and client-side-caching differential tests); the `pair`
fixture (conftest.py) opens them and closes them after the test."""

from __future__ import annotations

from resp import RespSocket, encode_command


class Pair:
    """The same commands on a redis-server connection and a server-under-test connection."""

    def __init__(self, redis_server, server):
        self.a = RespSocket(redis_server.host, redis_server.port, timeout=10)
        self.b = RespSocket(server.host, server.port, timeout=10)

    def send(self, *args) -> None:
        for s in (self.a, self.b):
            s.send(encode_command(*args))

    def same(self, n: int = 1, unordered: bool = False) -> list[bytes]:
        """The next n replies (or pushes), asserted equal on both servers (unordered: as multisets,
        for one PUBLISH's pmessages, which Redis sends in its pattern dict's order)."""
        ra, rb = self.a.replies(n), self.b.replies(n)
        if unordered:
            assert sorted(rb) == sorted(ra)
        else:
            assert rb == ra
        return ra

    def call(self, *args, n: int = 1) -> list[bytes]:
        self.send(*args)
        return self.same(n)

    def ids(self) -> tuple[bytes, bytes]:
        """This connection's CLIENT ID on each server."""
        return tuple(s.call("CLIENT", "ID")[1:-2] for s in (self.a, self.b))

    def call_each(self, a_args, b_args) -> list[bytes]:
        """Per-server arguments (a client id), the replies compared."""
        self.a.send(encode_command(*a_args))
        self.b.send(encode_command(*b_args))
        return self.same()

    def close(self) -> None:
        self.a.close()
        self.b.close()
