"""A real-time leaderboard as an application writes it with redis-py: ZINCRBY on each score
event, the top N with ZREVRANGE WITHSCORES, a player's position with ZREVRANK, and a reset.  Every reply
is checked against a model kept in Python."""

from __future__ import annotations

import random

import pytest
import redis

BOARD = "leaderboard:weekly"


def pairs(reply) -> list[tuple[str, float]]:
    """redis-py gives RESP3's [member, score] pairs as lists and RESP2's as tuples."""
    return [tuple(x) for x in reply]


class Leaderboard:
    def __init__(self, client: redis.Redis, key: str = BOARD) -> None:
        self.r, self.key = client, key

    def score(self, player: str, points: float) -> float:
        return self.r.zincrby(self.key, points, player)

    def top(self, n: int) -> list[tuple[str, float]]:
        return pairs(self.r.zrevrange(self.key, 0, n - 1, withscores=True))

    def position(self, player: str) -> int | None:
        """1-based position, best first; None for a player without a score."""
        rank = self.r.zrevrank(self.key, player)
        return None if rank is None else rank + 1

    def around(self, player: str, k: int) -> list[tuple[str, float]]:
        rank = self.r.zrevrank(self.key, player)
        return pairs(self.r.zrevrange(self.key, max(rank - k, 0), rank + k, withscores=True))


def expected_order(model: dict[str, float]) -> list[tuple[str, float]]:
    # ZREVRANGE: highest score first; equal scores in reverse lexicographic order of the member
    return sorted(model.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)


@pytest.mark.parametrize("proto", [3, 2])
def test_leaderboard(server, proto):
    r = redis.Redis(host=server.host, port=server.port, protocol=proto, decode_responses=True)
    rng = random.Random(8)
    try:
        r.flushall()
        board = Leaderboard(r)
        players = [f"player{i:03d}" for i in range(200)]  # past the listpack threshold: a skiplist
        model: dict[str, float] = {}
        for _ in range(3000):
            p = rng.choice(players)
            pts = rng.choice([1, 5, 10, 25, 0.5])
            model[p] = model.get(p, 0) + pts
            assert board.score(p, pts) == model[p]
        order = expected_order(model)
        assert board.top(10) == order[:10]
        for i, (p, _) in enumerate(order):
            assert board.position(p) == i + 1
        assert board.position("nobody") is None
        mid = order[50][0]
        assert board.around(mid, 2) == order[48:53]
        assert r.zcard(BOARD) == len(model) and r.type(BOARD) == "zset"
        assert r.object("encoding", BOARD) == "skiplist"
        # a penalty moves a player down; a tie keeps reverse-lexicographic order
        leader, best = order[0]
        assert board.score(leader, -best) == 0
        model[leader] = 0
        assert board.top(3) == expected_order(model)[:3]
        assert board.position(leader) == expected_order(model).index((leader, 0)) + 1
        # the weekly reset archives the board and starts empty
        assert r.zunionstore("leaderboard:archive", [BOARD]) == len(model)
        assert r.delete(BOARD) == 1 and board.top(10) == [] and board.position(leader) is None
        assert pairs(r.zrevrange("leaderboard:archive", 0, 0, withscores=True)) == expected_order(model)[:1]
    finally:
        r.close()
