"""The GEO commands (GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
GEORADIUSBYMEMBER and the _RO forms) against redis-server 7.0.15: reply bytes and the keys' state
(type, members, scores, encoding) afterwards must match.

Fixed cases cover each command's options and error order (argument errors, WRONGTYPE, a missing
key's early reply, the limits' error text), on a fresh keyspace, as they are (RESP2 and RESP3) and
queued inside MULTI/EXEC.  Seeded random sets then place points everywhere, near the poles and
along the antimeridian (and several members on one spot, so equal distances must come out in
Redis's order, also when COUNT sorts only part of them), and compare random searches of every
shape, unit and option byte for byte.  Run with the fast path on and with REDISTILL_FASTPATH=0.
"""

from __future__ import annotations

import random
import time

import pytest

from .test_bitops import hit_miss_stats
from .test_string_options import _run as run_case

SICILY = ["GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
          "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2"]
POLES = ["GEOADD", "p", "0", "85.05112878", "n0", "179.9999", "85", "n1", "-180", "-85.05112878", "s0",
         "180", "0", "am0", "-180", "0", "am1", "179.99", "0.01", "am2", "-179.99", "-0.01", "am3", "0", "0", "zero"]
SETUP = [SICILY, POLES, ["SET", "s", "x"], ["ZADD", "z", "-1", "neg", "1e20", "huge", "4.5e15", "top"],
         ["GEOADD", "same", "10", "10", "a", "10", "10", "b", "10", "10", "c", "10.0001", "10", "d"]]
KEYS = ["Sicily", "p", "s", "z", "same", "d", "new"]

GEOADD = [
    ["GEOADD", "new", "1", "2", "m"], ["GEOADD", "new", "NX", "1", "2", "m"], ["GEOADD", "new", "xx", "1", "2", "m"],
    ["GEOADD", "Sicily", "CH", "13", "38", "Palermo", "1", "1", "x"], ["GEOADD", "Sicily", "NX", "CH", "13", "38", "Palermo"],
    ["GEOADD", "Sicily", "XX", "CH", "13", "38", "Palermo", "1", "1", "nope"], ["GEOADD", "Sicily", "NX", "XX", "1", "2", "m"],
    ["GEOADD", "new", "1", "2"], ["GEOADD", "new", "ch", "ch", "ch"], ["GEOADD", "new", "nx", "xx", "ch"],
    ["GEOADD", "new", "200", "2", "m"], ["GEOADD", "new", "1", "86", "m"], ["GEOADD", "new", "-180.0001", "0", "m"],
    ["GEOADD", "new", "1e300", "-1e300", "m"], ["GEOADD", "new", "x", "2", "m"], ["GEOADD", "new", "1", "", "m"],
    ["GEOADD", "new", "1", "2", "m", "3", "x", "n"], ["GEOADD", "new", "1", "2", "m", "300", "4", "n"],
    ["GEOADD", "s", "1", "2", "m"], ["GEOADD", "s", "x", "2", "m"], ["GEOADD", "new", "GT", "1", "2", "m"],
    ["GEOADD", "new", "180", "85.05112878", "a", "-180", "-85.05112878", "b", "0", "0", "c", "inf", "0", "d"],
    ["GEOADD", "new", "nan", "0", "m"], ["GEOADD", "new", "1 ", "2", "m"], ["GEOADD", "new", "0x10", "2", "m"],
    ["GEOADD", "new", "-0", "-0", "m"], ["GEOADD", "new", "nx\0junk", "1", "2", "m"],
    ["GEOADD", "new"] + [str(v) for i in range(20) for v in (i * 9 - 90, i * 4 - 40, f"m{i}")],
]

READS = [
    ["GEOPOS", "Sicily", "Palermo", "Catania", "nope"], ["GEOPOS", "p", "n0", "n1", "s0", "am0", "am1", "am2", "am3", "zero"],
    ["GEOPOS", "nokey", "a", "b"], ["GEOPOS", "s", "a"], ["GEOPOS", "Sicily"], ["GEOPOS", "z", "neg", "huge", "top"],
    ["GEOHASH", "Sicily", "Palermo", "Catania", "nope"], ["GEOHASH", "p", "n0", "n1", "s0", "am0", "am1", "am2", "am3", "zero"],
    ["GEOHASH", "nokey", "a"], ["GEOHASH", "s", "a"], ["GEOHASH", "Sicily"], ["GEOHASH", "z", "neg", "huge", "top"],
    ["GEODIST", "Sicily", "Palermo", "Catania"], ["GEODIST", "Sicily", "Palermo", "Catania", "km"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "MI"], ["GEODIST", "Sicily", "Palermo", "Catania", "ft"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "m"], ["GEODIST", "Sicily", "Palermo", "Catania", "yd"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "km", "x"], ["GEODIST", "Sicily", "Palermo", "nope"],
    ["GEODIST", "nokey", "a", "b"], ["GEODIST", "nokey", "a", "b", "bad"], ["GEODIST", "s", "a", "b"],
    ["GEODIST", "s", "a", "b", "bad"], ["GEODIST", "Sicily", "Palermo", "Palermo"], ["GEODIST", "p", "n0", "s0"],
    ["GEODIST", "p", "am0", "am1"], ["GEODIST", "p", "am2", "am3", "km"], ["GEODIST", "p", "zero", "am0"],
    ["GEODIST", "same", "a", "d"], ["GEODIST", "z", "neg", "huge"], ["GEODIST", "Sicily", "Palermo", "Catania", "km\0x"],
]

SEARCHES = [
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "DESC", "WITHDIST", "WITHCOORD", "WITHHASH"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "ASC", "WITHDIST"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "withcoord", "withhash"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "2000", "km", "COUNT", "2"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "2000", "km", "COUNT", "2", "ANY"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "2000", "km", "COUNT", "3", "DESC"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "mi", "ANY"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "0"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "-1"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "x"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "-1", "km"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "x", "km"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "yd"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "x", "1", "km"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "x", "km"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "1", "yd"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "1"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMMEMBER", "Catania", "BYRADIUS", "100", "km"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "nope", "BYRADIUS", "100", "km"],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "200", "37", "BYRADIUS", "100", "km"],
    ["GEOSEARCH", "Sicily", "BYRADIUS", "100", "km", "ASC"], ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "ASC"],
    ["geosearch", "Sicily", "BYRADIUS", "100", "km", "ASC"], ["GeoSearch", "Sicily", "FROMMEMBER", "Palermo", "asc"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km", "ANY"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km", "STORE", "d"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km", "STOREDIST"],
    ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km", "BAD"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "Palermo", "BYRADIUS", "-1", "km"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "Palermo", "ASC"],
    ["GEOSEARCH", "s", "FROMMEMBER", "Palermo", "BYRADIUS", "-1", "km"],
    ["GEOSEARCH", "z", "FROMMEMBER", "neg", "BYRADIUS", "10000", "km", "WITHCOORD", "WITHDIST"],
    ["GEOSEARCH", "same", "FROMLONLAT", "10", "10", "BYRADIUS", "100", "km", "WITHDIST"],
    ["GEOSEARCH", "same", "FROMLONLAT", "10", "10", "BYRADIUS", "100", "km", "DESC", "COUNT", "2"],
    ["GEOSEARCH", "p", "FROMLONLAT", "180", "0", "BYRADIUS", "5000", "km", "ASC", "WITHDIST", "WITHCOORD"],
    ["GEOSEARCH", "p", "FROMLONLAT", "-180", "0", "BYBOX", "10000", "3000", "km", "ASC", "WITHDIST"],
    ["GEOSEARCH", "p", "FROMLONLAT", "0", "85", "BYRADIUS", "30000", "km", "ASC", "WITHDIST"],
    ["GEOSEARCH", "p", "FROMLONLAT", "90", "-85", "BYBOX", "40000", "40000", "km", "DESC", "WITHDIST"],
    ["GEOSEARCH", "p", "FROMLONLAT", "0", "0", "BYRADIUS", "0", "m", "WITHDIST"],
    ["GEOSEARCH", "p", "FROMLONLAT", "0", "0", "BYBOX", "0", "0", "m", "WITHDIST"],
    ["GEOSEARCH", "p", "FROMMEMBER", "zero", "BYRADIUS", "1e300", "m", "WITHDIST"],
    ["GEOSEARCH", "p", "FROMMEMBER", "zero", "BYRADIUS", "inf", "km", "COUNT", "3"],
    ["GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
    ["GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"],
    ["GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "2000", "mi", "STOREDIST", "COUNT", "2", "DESC"],
    ["GEOSEARCHSTORE", "Sicily", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "storedist"],
    ["GEOSEARCHSTORE", "s", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
    ["GEOSEARCHSTORE", "s", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"],
    ["GEOSEARCHSTORE", "s", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"],
    ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"],
    ["GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST"],
    ["GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STORE", "x"],
    ["GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "1", "ANY"],
    ["GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37"],
]

RADIUS = [
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km"], ["GEORADIUS", "Sicily", "15", "37", "200", "KM", "COUNT", "1"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "ANY", "DESC"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "d"], ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "d"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "d", "STOREDIST", "d"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "d", "STORE", "d"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "d", "WITHDIST"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE"], ["GEORADIUS", "Sicily", "15", "37", "1", "m", "STORE", "Sicily"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "s"], ["GEORADIUS", "nokey", "15", "37", "200", "km", "STORE", "s"],
    ["GEORADIUS", "nokey", "15", "37", "200", "km"], ["GEORADIUS", "nokey", "15", "37", "-1", "km"],
    ["GEORADIUS", "nokey", "200", "37", "1", "km"], ["GEORADIUS", "s", "200", "37", "1", "km"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "FROMMEMBER", "Palermo"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "BYRADIUS", "1", "km"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"], ["GEORADIUS", "Sicily", "15", "37", "x", "km"],
    ["GEORADIUS", "Sicily", "15", "x", "200", "km"], ["GEORADIUS", "Sicily", "15", "37", "200", "parsec"],
    ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC"],
    ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "d"],
    ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STOREDIST", "d"],
    ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST", "ASC"],
    ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "ft", "WITHDIST", "ASC", "STORE", "d"],
    ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "500", "km", "STOREDIST", "d", "DESC"],
    ["GEORADIUSBYMEMBER", "Sicily", "nope", "200", "km"], ["GEORADIUSBYMEMBER", "Sicily", "nope", "-1", "km"],
    ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "-1", "km"], ["GEORADIUSBYMEMBER", "nokey", "Palermo", "-1", "km"],
    ["GEORADIUSBYMEMBER", "nokey", "Palermo", "1", "km", "STORE", "s"],
    ["GEORADIUSBYMEMBER", "nokey", "Palermo", "1", "km", "COUNT", "0"],
    ["GEORADIUSBYMEMBER", "nokey", "Palermo", "1", "km", "BAD"], ["GEORADIUSBYMEMBER", "s", "Palermo", "-1", "km"],
    ["GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "WITHCOORD"],
    ["GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "STORE", "d"],
]

GROUPS = {"geoadd": GEOADD, "reads": READS, "geosearch": SEARCHES, "georadius": RADIUS}


def _state(sock, keys=KEYS) -> list:
    """Each key's type, and a sorted set's encoding and members with scores."""
    out = []
    for k in keys:
        kind = sock.call("TYPE", k)
        if kind == b"+zset\r\n":
            out.append((k, sock.call("OBJECT", "ENCODING", k), sock.call("ZRANGE", k, "0", "-1", "WITHSCORES")))
        else:
            out.append((k, kind))
    return out


def _run(sock, args, mode: str) -> tuple:
    """args on a fresh keyspace made by SETUP (RESP2, RESP3 or queued in MULTI): reply and _state."""
    reply, _ = run_case(sock, args, mode, SETUP, [])
    return reply, _state(sock)


@pytest.mark.parametrize("mode", ["resp2", "resp3", "multi"])
@pytest.mark.parametrize("group", list(GROUPS))
def test_geo_commands_match_redis(socks, group, mode):
    ref, sut = socks
    diffs = []
    for args in GROUPS[group]:
        want, got = _run(ref, args, mode), _run(sut, args, mode)
        if want != got:
            diffs.append(f"{args!r}\n    redis    : {want!r:.800}\n    redistill: {got!r:.800}")
    assert not diffs, f"{len(diffs)} of {len(GROUPS[group])} cases differ:\n" + "\n".join(diffs)


# ---- seeded random points and searches -------------------------------------------------------------


def _lon(rnd: random.Random) -> float:
    r = rnd.random()
    if r < 0.3:  # along the antimeridian
        return rnd.choice([-1, 1]) * (180 - rnd.random() ** 3 * 5)
    if r < 0.4:
        return rnd.choice([-180.0, 180.0, 0.0])
    return rnd.uniform(-180, 180)


def _lat(rnd: random.Random) -> float:
    r = rnd.random()
    if r < 0.3:  # near the poles' limits
        return rnd.choice([-1, 1]) * (85.05112878 - rnd.random() ** 3 * 10)
    if r < 0.35:
        return rnd.choice([-85.05112878, 85.05112878, 0.0])
    return rnd.uniform(-85.05112878, 85.05112878)


def _num(rnd: random.Random, v: float) -> str:
    return repr(v) if rnd.random() < 0.8 else f"{v:.{rnd.randrange(7)}f}"


def _points(rnd: random.Random, n: int) -> list[list[str]]:
    """GEOADD commands of n points; every tenth member shares a spot with an earlier one."""
    cmds, spots = [], []
    for i in range(n):
        if spots and rnd.random() < 0.1:
            lon, lat = rnd.choice(spots)
        else:
            lon, lat = _lon(rnd), _lat(rnd)
            spots.append((lon, lat))
        cmds.append(["GEOADD", "g", _num(rnd, lon), _num(rnd, lat), f"m{i}"])
    return cmds


UNITS = ["m", "km", "mi", "ft", "KM"]


def _search(rnd: random.Random, n: int) -> list[str]:
    unit = rnd.choice(UNITS)
    scale = {"m": 1, "km": 1000, "mi": 1609.34, "ft": 0.3048, "KM": 1000}[unit]
    meters = 10 ** rnd.uniform(2, 7.3)
    size = f"{meters / scale:.{rnd.randrange(4)}f}"
    opts = []
    for word in ("WITHDIST", "WITHCOORD", "WITHHASH"):
        if rnd.random() < 0.4:
            opts.append(word)
    if rnd.random() < 0.6:
        opts.append(rnd.choice(["ASC", "DESC"]))
    if rnd.random() < 0.5:
        opts += ["COUNT", str(rnd.randint(1, n))]
        if rnd.random() < 0.3:
            opts.append("ANY")
    if rnd.random() < 0.5:
        center = ["FROMMEMBER", f"m{rnd.randrange(n)}"]
    else:
        center = ["FROMLONLAT", _num(rnd, _lon(rnd)), _num(rnd, _lat(rnd))]
    kind = rnd.randrange(6)
    if kind < 2:
        shape = ["BYRADIUS", size, unit]
    elif kind < 4:
        other = f"{10 ** rnd.uniform(2, 7.3) / scale:.2f}"
        shape = ["BYBOX", size, other, unit]
    elif kind == 4:
        if center[0] == "FROMMEMBER":
            return ["GEORADIUSBYMEMBER", "g", center[1], size, unit] + opts
        return ["GEORADIUS", "g", center[1], center[2], size, unit] + opts
    else:
        store = [w for w in opts if w not in ("WITHDIST", "WITHCOORD", "WITHHASH")]
        return ["GEOSEARCHSTORE", "dst", "g"] + center + ["BYRADIUS", size, unit] + store + rnd.choice([[], ["STOREDIST"]])
    return ["GEOSEARCH", "g"] + center + shape + opts


@pytest.mark.parametrize("seed", range(4))
def test_random_searches_match_redis(socks, seed):
    rnd = random.Random(seed)
    n = rnd.choice([60, 200])  # a listpack-sized set and a skiplist one (the search does not care)
    adds = _points(rnd, n)
    steps = [_search(rnd, n) for _ in range(150)]
    for i in range(0, n, 7):
        steps.append(["GEODIST", "g", f"m{i}", f"m{rnd.randrange(n)}", rnd.choice(UNITS)])
        steps.append(["GEOPOS", "g", f"m{i}"])
        steps.append(["GEOHASH", "g", f"m{i}"])
    replies = []
    for sock in socks:
        sock.call("FLUSHALL")
        got = [sock.call(*a) for a in adds]
        for s in steps:
            got.append(sock.call(*s))
            if s[0] == "GEOSEARCHSTORE":
                got.append(sock.call("ZRANGE", "dst", "0", "-1", "WITHSCORES"))
        replies.append(got)
    labels = adds + [s for s in steps for _ in (range(2) if s[0] == "GEOSEARCHSTORE" else range(1))]
    for i, (want, got) in enumerate(zip(*replies)):
        assert want == got, f"step {i}: {labels[i]!r}\n redis: {want!r:.1500}\n redistill: {got!r:.1500}"


def test_ties_under_count_come_out_in_redis_order(socks):
    """Many members on a few spots: equal distances, sorted whole (libc's qsort) and partly (COUNT:
    Redis's pqsort), ascending and descending, must list the same members in the same order."""
    rnd = random.Random(7)
    spots = [(rnd.uniform(-1, 1), rnd.uniform(-1, 1)) for _ in range(5)]
    adds = [["GEOADD", "t", repr(lon), repr(lat), f"t{i}"] for i, (lon, lat) in
            ((i, spots[rnd.randrange(5)]) for i in range(300))]
    steps = [["GEOSEARCH", "t", "FROMLONLAT", "0", "0", "BYRADIUS", "500", "km", order] + count
             for order in ("ASC", "DESC") for count in ([], ["COUNT", "1"], ["COUNT", "7"], ["COUNT", "59"],
                                                         ["COUNT", "150"], ["COUNT", "299"], ["COUNT", "300"])]
    replies = []
    for sock in socks:
        sock.call("FLUSHALL")
        for a in adds:
            sock.call(*a)
        replies.append([sock.call(*s) for s in steps])
    for s, want, got in zip(steps, *replies):
        assert want == got, s


def test_keyspace_hits_and_misses_match_redis(socks):
    """The reads count a hit or a miss on their source key (GEOADD, a write, counts none)."""
    steps = [["GEOADD", "g", "1", "1", "a"], ["GEOPOS", "g", "a"], ["GEOPOS", "x", "a"], ["GEODIST", "g", "a", "a"],
             ["GEODIST", "x", "a", "a"], ["GEOHASH", "g", "a"], ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "m"],
             ["GEOSEARCH", "x", "FROMMEMBER", "a", "BYRADIUS", "1", "m"], ["GEORADIUS", "g", "1", "1", "1", "m", "STORE", "d"],
             ["GEOSEARCHSTORE", "d", "x", "FROMMEMBER", "a", "BYRADIUS", "1", "m"]]
    stats = [hit_miss_stats(sock, steps) for sock in socks]
    assert len(stats[0]) == 2 and stats[0] == stats[1], stats


def test_geoadd_and_stores_wake_a_blocked_zset_pop(redis_server, server):
    """GEOADD and GEOSEARCHSTORE create a sorted set: a client blocked in BZPOPMIN on that key gets
    its member, as on Redis."""
    from resp import RespSocket
    out = []
    for srv in (redis_server, server):
        a, b = RespSocket(srv.host, srv.port, timeout=10), RespSocket(srv.host, srv.port, timeout=10)
        try:
            a.call("FLUSHALL")
            a.call("GEOADD", "src", "1", "2", "m")
            got = []
            for write in (["GEOADD", "w", "1", "2", "m"], ["GEOSEARCHSTORE", "w", "src", "FROMLONLAT", "1", "2",
                                                        "BYRADIUS", "1", "km", "STOREDIST"]):
                b.send(b"*3\r\n$8\r\nBZPOPMIN\r\n$1\r\nw\r\n$2\r\n10\r\n")
                deadline = time.monotonic() + 5
                while b"cmd=bzpopmin" not in a.call("CLIENT", "LIST") and time.monotonic() < deadline:
                    time.sleep(0.01)  # until the pop waits (bounded)
                got += [a.call(*write), b.replies(1)]
            out.append(got)
        finally:
            a.close()
            b.close()
    assert out[0] == out[1] and out[0][1] != [b"*-1\r\n"], out
