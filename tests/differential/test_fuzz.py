"""The differential fuzzer (fuzz.py) on a fixed budget: a few seeded sequences, bounded in steps and seconds,
to a real redis-server and to Redistill (`make test` runs this file with the fast path on and off;
`make fuzz SEED=... N=...` runs longer). Own servers, because the fuzzer changes CONFIG parameters."""

from __future__ import annotations

import pytest

from servers import start_server, stop_and_check

from . import fuzz

SEEDS = [1, 2, 3, 4]
STEPS = 1500          # per seed
SECONDS = 4.0         # per seed, whichever comes first


@pytest.fixture(scope="module")
def pair():
    ref = start_server("redis")
    sut = start_server("redistill")
    yield (ref.host, ref.port), (sut.host, sut.port)
    stop_and_check(sut)
    stop_and_check(ref)


@pytest.fixture(scope="module")
def known(pair):
    return fuzz.known_commands(*pair[1], fuzz.template_names())


def test_templates_are_redis_commands(pair):
    """Every template's command exists in real Redis (a typo would otherwise silently skip a template)."""
    on_redis = fuzz.known_commands(*pair[0], fuzz.template_names())
    missing = {n for n in fuzz.template_names() - on_redis if not n.startswith("config:")}
    assert not missing, f"templates name commands Redis does not know: {sorted(missing)}"


def test_core_commands_are_fuzzed(known):
    """The issue-2 commands are on every Redistill: their templates must never be skipped."""
    core = {"get", "set", "mget", "mset", "incr", "incrby", "del", "exists", "expire", "ttl", "persist", "dbsize",
            "flushall", "ping", "echo", "hello", "client|setname", "config|get", "command|info"}
    assert core <= known, sorted(core - known)


@pytest.mark.parametrize("seed", SEEDS)
def test_fuzz(pair, known, seed):
    failure, ran, _ = fuzz.fuzz(seed, STEPS, *pair, time_budget=SECONDS, shrink_budget=30, known=known)
    assert failure is None, failure
    assert ran >= min(STEPS, 200), f"only {ran} steps ran in {SECONDS}s"


@pytest.mark.parametrize("seed", [5, 6])
def test_fuzz_pipelined(pair, known, seed):
    """64 commands per write: the fast path and the Python path take turns inside one read."""
    failure, ran, _ = fuzz.fuzz(seed, STEPS, *pair, shrink_budget=30, known=known, pipeline=True)
    assert failure is None, failure
    assert ran >= STEPS // 2


def test_generator_is_seeded():
    names = fuzz.template_names()
    assert fuzz.generate(fuzz.random.Random(5), 300, names) == fuzz.generate(fuzz.random.Random(5), 300, names)
    assert fuzz.generate(fuzz.random.Random(5), 300, names) != fuzz.generate(fuzz.random.Random(6), 300, names)


def test_unknown_commands_are_skipped():
    """A server that knows only GET and SET gets only GET/SET steps (and the unknown-command probes)."""
    steps = fuzz.generate(fuzz.random.Random(1), 500, {"get", "set"})
    names = {args[0].upper() for _, args in steps}
    assert {b"GET", b"SET"} <= names
    assert not names & {b"MULTI", b"SCAN", b"GETEX", b"INCR", b"HELLO", b"CLIENT"}, names


def test_normalisation_is_not_blind():
    same = fuzz.same
    assert not same([b"GET", b"k"], b"$1\r\nv\r\n", b"$1\r\nw\r\n")
    assert not same([b"SET", b"k", b"v"], b"+OK\r\n", b"-ERR x\r\n")
    assert same([b"TTL", b"k"], b":100\r\n", b":99\r\n")
    assert not same([b"TTL", b"k"], b":100\r\n", b":98\r\n")
    assert not same([b"PEXPIRETIME", b"k"], b":-1\r\n", b":0\r\n")
    assert same([b"KEYS", b"*"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n", b"*2\r\n$1\r\nb\r\n$1\r\na\r\n")
    assert not same([b"KEYS", b"*"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n", b"*1\r\n$1\r\na\r\n")
    scan = b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n"
    assert not same([b"SCAN", b"0"], scan, scan.replace(b"$1\r\n0", b"$1\r\n7"))
    assert not same([b"RANDOMKEY"], b"$1\r\na\r\n", b"$-1\r\n")
    assert not same([b"MEMORY", b"USAGE", b"k"], b":56\r\n", b"_\r\n")
    ks = b"$44\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n\r\n"
    assert same([b"INFO", b"keyspace"], ks, ks.replace(b"avg_ttl=0", b"avg_ttl=9"))
    assert not same([b"INFO", b"keyspace"], ks, ks.replace(b"keys=1", b"keys=2"))
    assert not same([b"TIME"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n", b"*1\r\n$1\r\n1\r\n")
    cg = b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    assert same([b"CONFIG", b"GET", b"a", b"b"], cg, b"*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n")
    assert not same([b"CONFIG", b"GET", b"a", b"b"], cg, cg.replace(b"$1\r\n2", b"$1\r\n3"))
    # EXEC: each queued reply by its own command's rule
    ex = b"*2\r\n:100\r\n$1\r\nv\r\n"
    q = [[b"TTL", b"k"], [b"GET", b"k"]]
    assert same([b"EXEC"], ex, b"*2\r\n:99\r\n$1\r\nv\r\n", q)
    assert not same([b"EXEC"], ex, b"*2\r\n:100\r\n$1\r\nw\r\n", q)
    assert not same([b"EXEC"], ex, b"*-1\r\n", q)


def test_shrink_finds_minimal_reproducer(pair, known):
    """A planted difference (a key only one server has) is reduced to the steps that cause it."""
    ref, sut = pair
    steps = fuzz.generate(fuzz.random.Random(9), 60, {"get", "set", "ping", "echo"})
    steps += [(0, [b"GET", b"planted"])]

    # plant: the key exists on Redistill only, written after the reset that run() does
    orig_reset = fuzz.reset_server

    def reset_and_plant(host, port, known_):
        orig_reset(host, port, known_)
        if (host, port) == sut:
            s = fuzz.RespSocket(host, port)
            try:
                assert s.call("SET", "planted", "x") == b"+OK\r\n"
            finally:
                s.close()

    fuzz.reset_server = reset_and_plant
    try:
        small = fuzz.shrink(steps, ref, sut, known, budget_s=60)
        mm = fuzz.run(small, ref, sut, known)[0]
    finally:
        fuzz.reset_server = orig_reset
    assert small == [(0, [b"GET", b"planted"])], small
    assert mm is not None and mm.redistill == b"$1\r\nx\r\n"
    assert "GET planted" in fuzz.report(small, mm)
