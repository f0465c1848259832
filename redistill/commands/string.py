"""String commands (Redis's t_string.c) served by Python: APPEND, GETRANGE, SUBSTR, SETRANGE,
INCRBYFLOAT, MSETNX, LCS.

GET, SET, SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX, STRLEN, MGET, MSET and the INCR family run
wholly in C (csrc/cmd_string.c): their table lines name datatypes.run.
"""
from __future__ import annotations

from typing import Any

from redistill import errors, keyspace
from redistill.commands.args import parse_ll, word
from redistill.errors import CommandError
from redistill.keyspace import lcs as lcs_ranges


def now_ms() -> int:
    """Wall-clock milliseconds, the clock the keyspace's expiry uses (rd_now_ms): it stands still
    for the length of one command, and of a whole EXEC, as Redis's cached time does."""
    return keyspace.now_ms()


PROTO_MAX_BULK_LEN = 512 * 1024 * 1024  # Redis's proto-max-bulk-len default: the largest string


def _max_string(client: Any) -> int:
    """proto-max-bulk-len, which CONFIG SET changes (commands/config_cmd.py)."""
    return getattr(client.server, "proto_max_bulk_len", PROTO_MAX_BULK_LEN)


# APPEND key value
def append(client: Any, args: list[bytes]) -> int:
    return client.server.keyspace.setrange(args[1], -1, args[2], _max_string(client))


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
