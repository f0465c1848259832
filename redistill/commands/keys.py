"""Keyspace commands (Redis's db.c / expire.c): DEL, EXISTS, EXPIRE, PEXPIRE, TTL, PTTL, PERSIST,
DBSIZE, FLUSHDB, FLUSHALL."""
from __future__ import annotations

from typing import Any

from redistill import errors
from redistill.commands.args import LLONG_MAX, LLONG_MIN, parse_ll, word
from redistill.commands.string import now_ms
from redistill.errors import CommandError
from redistill.keyspace import EXPIRE_GT, EXPIRE_LT, EXPIRE_NX, EXPIRE_XX

_EXPIRE_OPTIONS = {b"nx": EXPIRE_NX, b"xx": EXPIRE_XX, b"gt": EXPIRE_GT, b"lt": EXPIRE_LT}


# DEL key [key ...]
def del_(client: Any, args: list[bytes]) -> int:
    ks = client.server.keyspace
    return sum(ks.delete(key) for key in args[1:])


# EXISTS key [key ...]   (a key named twice counts twice)
def exists(client: Any, args: list[bytes]) -> int:
    ks = client.server.keyspace
    return sum(ks.exists(key) for key in args[1:])


def parse_expire_options(args: list[bytes]) -> int:
    """EXPIRE's trailing NX|XX|GT|LT (parseExtendedExpireArgumentsOrReply) as RD_EXP_* flags."""
    flags = 0
    for arg in args[3:]:
        flag = _EXPIRE_OPTIONS.get(word(arg))
        if flag is None:
            raise CommandError(errors.unsupported_option(arg))
        flags |= flag
    if flags & EXPIRE_NX and flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT):
        raise CommandError(errors.EXPIRE_FLAGS_NX)
    if flags & EXPIRE_GT and flags & EXPIRE_LT:
        raise CommandError(errors.EXPIRE_FLAGS_GT_LT)
    return flags


def expire_generic(client: Any, args: list[bytes], basetime_ms: int, scale: int, command: str) -> int:
    """expireGenericCommand, shared by EXPIRE, PEXPIRE (and EXPIREAT, PEXPIREAT in issue 3):
    basetime_ms is now for relative forms, 0 for absolute ones; scale is ms per unit.
    Negative times are allowed (they delete the key); only overflow is an invalid expire time."""
    flags = parse_expire_options(args)
    when = parse_ll(args[2])
    # Bounds as C computes them: LLONG_MIN / scale truncates toward zero.
    if not -(-LLONG_MIN // scale) <= when <= LLONG_MAX // scale:
        raise CommandError(errors.invalid_expire(command))
    when *= scale
    if when > LLONG_MAX - basetime_ms:
        raise CommandError(errors.invalid_expire(command))
    return client.server.keyspace.expire(args[1], when + basetime_ms, flags)


# EXPIRE key seconds [NX|XX|GT|LT]
def expire(client: Any, args: list[bytes]) -> int:
    return expire_generic(client, args, now_ms(), 1000, "expire")


# PEXPIRE key milliseconds [NX|XX|GT|LT]
def pexpire(client: Any, args: list[bytes]) -> int:
    return expire_generic(client, args, now_ms(), 1, "pexpire")


# TTL key
def ttl(client: Any, args: list[bytes]) -> int:
    ms = client.server.keyspace.pttl(args[1])
    return ms if ms < 0 else (ms + 500) // 1000  # Redis rounds to the nearest second


# PTTL key
def pttl(client: Any, args: list[bytes]) -> int:
    return client.server.keyspace.pttl(args[1])


# PERSIST key
def persist(client: Any, args: list[bytes]) -> int:
    return int(client.server.keyspace.persist(args[1]))


# DBSIZE
def dbsize(client: Any, args: list[bytes]) -> int:
    return client.server.keyspace.stats()["keys"]


def _flush(client: Any, args: list[bytes]) -> str:
    # getFlushCommandFlags: one optional ASYNC|SYNC.  Both flush synchronously here: the C flush
    # takes one stripe at a time, so other clients keep running meanwhile.
    if len(args) > 2 or (len(args) == 2 and word(args[1]) not in (b"async", b"sync")):
        raise CommandError(errors.SYNTAX)
    client.server.keyspace.flush()
    return "OK"


# FLUSHDB [ASYNC|SYNC]
def flushdb(client: Any, args: list[bytes]) -> str:
    return _flush(client, args)


# FLUSHALL [ASYNC|SYNC]   (one database: the same as FLUSHDB)
def flushall(client: Any, args: list[bytes]) -> str:
    return _flush(client, args)
