"""String commands (Redis's t_string.c): GET, SET, MGET, MSET, INCR/DECR/INCRBY/DECRBY,
SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX, APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE,
INCRBYFLOAT, MSETNX, LCS.

The C fast path serves all of these when their arguments are valid and hands every error case
here, so each handler implements all of Redis 7's rules and errors.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redistill import errors, keyspace
from redistill.commands.args import LLONG_MAX, LLONG_MIN, parse_ll, word
from redistill.errors import CommandError
from redistill.keyspace import GETEX_AT, GETEX_DEL, GETEX_PERSIST, TYPE_STRING, wrongtype
from redistill.keyspace import lcs as lcs_ranges


def now_ms() -> int:
    """Wall-clock milliseconds, the clock the keyspace's expiry uses (rd_now_ms): it stands still
    for the length of one command, and of a whole EXEC, as Redis's cached time does."""
    return keyspace.now_ms()


# ---- options shared by SET and GETEX: parseExtendedStringArgumentsOrReply -----------------------

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


# ---- the rest of Redis 7.0's string commands ---------------------------------------------------

PROTO_MAX_BULK_LEN = 512 * 1024 * 1024  # Redis's proto-max-bulk-len default: the largest string


def _max_string(client: Any) -> int:
    """proto-max-bulk-len, which CONFIG SET changes (commands/config_cmd.py)."""
    return getattr(client.server, "proto_max_bulk_len", PROTO_MAX_BULK_LEN)


# SETNX key value
def setnx(client: Any, args: list[bytes]) -> int:
    return int(client.server.keyspace.set(args[1], args[2], nx=True)[0])


def _set_with_expire(client: Any, args: list[bytes], unit: bytes, command: str) -> str:
    # setexCommand / psetexCommand: setGenericCommand with the time checked as SET EX/PX checks it.
    at = expire_at_ms(StringOptions(unit=unit, expire=args[2]), command)
    client.server.keyspace.set(args[1], args[3], expire_at_ms=at)
    return "OK"


# SETEX key seconds value
def setex(client: Any, args: list[bytes]) -> str:
    return _set_with_expire(client, args, b"ex", "setex")


# PSETEX key milliseconds value
def psetex(client: Any, args: list[bytes]) -> str:
    return _set_with_expire(client, args, b"px", "psetex")


# GETSET key value   (SET key value GET: the expiry is cleared)
def getset(client: Any, args: list[bytes]) -> bytes | None:
    return client.server.keyspace.set(args[1], args[2], get=True)[1]


# GETDEL key
def getdel(client: Any, args: list[bytes]) -> bytes | None:
    return client.server.keyspace.getex(args[1], GETEX_DEL)


# GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]
def getex(client: Any, args: list[bytes]) -> bytes | None:
    o = parse_string_options(args, 2, for_set=False)
    ks = client.server.keyspace
    if o.persist:
        return ks.getex(args[1], GETEX_PERSIST)
    if o.unit is None:
        return ks.getex(args[1])
    try:
        at = expire_at_ms(o, "getex")
    except CommandError:
        # getexCommand checks the time only once it found a string there: a missing key is nil,
        # another type WRONGTYPE, and only then the invalid expire time.
        if ks.getex(args[1]) is None:
            return None
        raise
    return ks.getex(args[1], GETEX_AT, at)


# APPEND key value
def append(client: Any, args: list[bytes]) -> int:
    return client.server.keyspace.setrange(args[1], -1, args[2], _max_string(client))


# STRLEN key
def strlen(client: Any, args: list[bytes]) -> int:
    info = client.server.keyspace.key_info(args[1], stats=True, touch=True)
    if info is None:
        return 0
    if info["type"] != TYPE_STRING:
        raise wrongtype()
    return info["len"]


# GETRANGE key start end
def getrange(client: Any, args: list[bytes]) -> bytes:
    start, end = parse_ll(args[2]), parse_ll(args[3])
    value = client.server.keyspace.getrange(args[1], start, end)
    return b"" if value is None else value


# SUBSTR key start end   (the old name of GETRANGE)
def substr(client: Any, args: list[bytes]) -> bytes:
    return getrange(client, args)


# SETRANGE key offset value
def setrange(client: Any, args: list[bytes]) -> int:
    offset = parse_ll(args[2])
    if offset < 0:
        raise CommandError(errors.OFFSET_OUT_OF_RANGE)
    return client.server.keyspace.setrange(args[1], offset, args[3], _max_string(client))


# INCRBYFLOAT key increment   (the increment is parsed in C, after the key's type and value)
def incrbyfloat(client: Any, args: list[bytes]) -> bytes:
    return client.server.keyspace.incrbyfloat(args[1], args[2])


# MSETNX key value [key value ...]
def msetnx(client: Any, args: list[bytes]) -> int:
    if len(args) % 2 == 0:
        raise CommandError(errors.wrong_arity("msetnx"))
    return int(client.server.keyspace.msetnx(list(zip(args[1::2], args[2::2]))))


_OTHER_TYPE = object()  # LCS: a key that holds another type


# LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
def lcs(client: Any, args: list[bytes]) -> Any:
    # Both values (or their other type, which Redis refuses before looking at the options) are
    # read at one instant.
    a, b = client.server.keyspace.mget([args[1], args[2]], other_type=_OTHER_TYPE)
    if a is _OTHER_TYPE or b is _OTHER_TYPE:
        raise CommandError(errors.LCS_NOT_STRINGS)
    a, b = a or b"", b or b""
    getlen = getidx = withmatchlen = False
    minmatchlen = 0
    j = 3
    while j < len(args):
        opt = word(args[j])
        if opt == b"idx":
            getidx = True
        elif opt == b"len":
            getlen = True
        elif opt == b"withmatchlen":
            withmatchlen = True
        elif opt == b"minmatchlen" and j + 1 < len(args):
            minmatchlen = max(parse_ll(args[j + 1]), 0)
            j += 1
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    if getidx and getlen:
        raise CommandError(errors.LCS_IDX_AND_LEN)
    return _lcs_reply(a, b, getlen, getidx, withmatchlen, minmatchlen)


def _lcs_reply(a: bytes, b: bytes, getlen: bool, getidx: bool, withmatchlen: bool,
               minmatchlen: int) -> Any:
    common, ranges = lcs_ranges(a, b)
    if getidx:
        matches = []
        for a_start, a_end, b_start, b_end in ranges:
            match_len = a_end - a_start + 1
            if minmatchlen == 0 or match_len >= minmatchlen:
                match = [[a_start, a_end], [b_start, b_end]]
                matches.append(match + [match_len] if withmatchlen else match)
        return {b"matches": matches, b"len": len(common)}
    return len(common) if getlen else common
