"""String commands (Redis's t_string.c): GET, SET, MGET, MSET, INCR/DECR/INCRBY/DECRBY.

The C fast path serves all of these when their arguments are valid and hands every error case
here, so each handler implements all of Redis 7's rules and errors.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redistill import errors, keyspace
from redistill.commands.args import LLONG_MAX, LLONG_MIN, parse_ll, word
from redistill.errors import CommandError


def now_ms() -> int:
    """Wall-clock milliseconds, the clock the keyspace's expiry uses (rd_now_ms): it stands still
    for the length of one command, and of a whole EXEC, as Redis's cached time does."""
    return keyspace.now_ms()


# ---- options shared by SET and (issue 3) GETEX: parseExtendedStringArgumentsOrReply -----------

# Expiry option -> (milliseconds per unit, relative to now?)
_EXPIRE_UNITS = {b"ex": (1000, True), b"px": (1, True), b"exat": (1000, False), b"pxat": (1, False)}


@dataclass
class StringOptions:
    nx: bool = False          # SET: only if the key does not exist
    xx: bool = False          # SET: only if the key exists
    get: bool = False         # SET: reply with the old value
    keepttl: bool = False     # SET: keep the current expiry
    persist: bool = False     # GETEX: remove the expiry
    unit: bytes | None = None  # b"ex" / b"px" / b"exat" / b"pxat"
    expire: bytes = b""       # the argument after `unit`


def parse_string_options(args: list[bytes], start: int, for_set: bool) -> StringOptions:
    """Redis's option loop for SET (for_set) and GETEX: a conflicting, unknown or incomplete
    option is a syntax error; the same expiry option twice is allowed (the last one wins)."""
    o = StringOptions()
    j = start
    while j < len(args):
        opt = word(args[j])
        if opt == b"nx" and for_set and not o.xx:
            o.nx = True
        elif opt == b"xx" and for_set and not o.nx:
            o.xx = True
        elif opt == b"get" and for_set:
            o.get = True
        elif opt == b"keepttl" and for_set and not o.persist and o.unit is None:
            o.keepttl = True
        elif opt == b"persist" and not for_set and not o.keepttl and o.unit is None:
            o.persist = True
        elif (opt in _EXPIRE_UNITS and o.unit in (None, opt) and not o.keepttl and not o.persist
              and j + 1 < len(args)):
            o.unit, o.expire = opt, args[j + 1]
            j += 1
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    return o


def expire_at_ms(o: StringOptions, command: str) -> int:
    """The absolute expiry (ms) of o.unit/o.expire, checked as getExpireMillisecondsOrReply does:
    not positive, or overflowing once scaled and added to now -> invalid expire time."""
    value = parse_ll(o.expire)
    scale, relative = _EXPIRE_UNITS[o.unit]
    if value <= 0 or value > LLONG_MAX // scale:
        raise CommandError(errors.invalid_expire(command))
    at = value * scale + (now_ms() if relative else 0)
    if at > LLONG_MAX:  # Redis detects this as signed wrap-around to a value <= 0
        raise CommandError(errors.invalid_expire(command))
    return at


# ---- commands ---------------------------------------------------------------------------------

# GET key
def get(client: Any, args: list[bytes]) -> bytes | None:
    return client.server.keyspace.get(args[1])


# SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]
def set_(client: Any, args: list[bytes]) -> Any:
    o = parse_string_options(args, 3, for_set=True)
    at = expire_at_ms(o, "set") if o.unit else 0
    written, old = client.server.keyspace.set(args[1], args[2], nx=o.nx, xx=o.xx, get=o.get,
                                              keepttl=o.keepttl, expire_at_ms=at)
    if o.get:  # the old value whether or not NX/XX let the write happen
        return old
    return "OK" if written else None


# MGET key [key ...]
def mget(client: Any, args: list[bytes]) -> list[bytes | None]:
    return client.server.keyspace.mget(args[1:])


# MSET key value [key value ...]
def mset(client: Any, args: list[bytes]) -> str:
    if len(args) % 2 == 0:
        raise CommandError(errors.wrong_arity("mset"))
    client.server.keyspace.mset(list(zip(args[1::2], args[2::2])))
    return "OK"


# INCR key
def incr(client: Any, args: list[bytes]) -> int:
    return client.server.keyspace.incrby(args[1], 1)


# DECR key
def decr(client: Any, args: list[bytes]) -> int:
    return client.server.keyspace.incrby(args[1], -1)


# INCRBY key increment
def incrby(client: Any, args: list[bytes]) -> int:
    return client.server.keyspace.incrby(args[1], parse_ll(args[2]))


# DECRBY key decrement
def decrby(client: Any, args: list[bytes]) -> int:
    delta = parse_ll(args[2])
    if delta == LLONG_MIN:  # -LLONG_MIN does not exist (Redis 7.0 checks before reading the key)
        raise CommandError(errors.DECREMENT_OVERFLOW)
    return client.server.keyspace.incrby(args[1], -delta)
