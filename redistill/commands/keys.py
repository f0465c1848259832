"""Keyspace commands (Redis's db.c / expire.c / object.c): EXPIRE, PEXPIRE, TTL, PTTL, PERSIST,
DBSIZE, FLUSHDB, FLUSHALL, TOUCH, EXPIREAT, PEXPIREAT, EXPIRETIME, PEXPIRETIME, TYPE,
KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, COPY, OBJECT, MEMORY USAGE.  DEL, UNLINK and EXISTS run
wholly in C (csrc/cmd_keys.c): their table lines name datatypes.run."""
from __future__ import annotations

from typing import Any

from redistill import errors
from redistill.commands.args import LLONG_MAX, LLONG_MIN, help_reply, parse_int, parse_ll, word
from redistill.keyspace import now_ms
from redistill.errors import CommandError
from redistill.keyspace import ENCODING_NAMES, EXPIRE_GT, EXPIRE_LT, EXPIRE_NX, EXPIRE_XX, TYPE_NAMES

_EXPIRE_OPTIONS = {b"nx": EXPIRE_NX, b"xx": EXPIRE_XX, b"gt": EXPIRE_GT, b"lt": EXPIRE_LT}


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
    """expireGenericCommand, shared by EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT:
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
    # getFlushCommandFlags: one optional ASYNC|SYNC.  Both are one instant for every other client
    # (C swaps all the stripes' tables under the gate); SYNC frees the old keys in this thread after
    # the gate, before replying, ASYNC on a thread of their own (Redis's lazyfree).
    if len(args) > 2 or (len(args) == 2 and word(args[1]) not in (b"async", b"sync")):
        raise CommandError(errors.SYNTAX)
    client.server.keyspace.flush(lazy=len(args) == 2 and word(args[1]) == b"async")
    return "OK"


# FLUSHDB [ASYNC|SYNC]
def flushdb(client: Any, args: list[bytes]) -> str:
    return _flush(client, args)


# FLUSHALL [ASYNC|SYNC]   (one database: the same as FLUSHDB)
def flushall(client: Any, args: list[bytes]) -> str:
    return _flush(client, args)


# ---- the rest of Redis 7.0's generic key commands ---------------------------------------------

# TOUCH key [key ...]
def touch(client: Any, args: list[bytes]) -> int:
    return client.server.keyspace.touch_many(args[1:])


# EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
def expireat(client: Any, args: list[bytes]) -> int:
    return expire_generic(client, args, 0, 1000, "expireat")


# PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
def pexpireat(client: Any, args: list[bytes]) -> int:
    return expire_generic(client, args, 0, 1, "pexpireat")


def _expiretime(client: Any, key: bytes) -> int:
    """Absolute expiry in ms, -1 without one, -2 without the key."""
    info = client.server.keyspace.key_info(key, stats=True)
    if info is None:
        return -2
    return info["expire"] or -1


# EXPIRETIME key   (ttlGenericCommand rounds seconds: (ms + 500) / 1000)
def expiretime(client: Any, args: list[bytes]) -> int:
    at = _expiretime(client, args[1])
    return at if at < 0 else (at + 500) // 1000


# PEXPIRETIME key
def pexpiretime(client: Any, args: list[bytes]) -> int:
    return _expiretime(client, args[1])


# TYPE key
def type_(client: Any, args: list[bytes]) -> str:
    info = client.server.keyspace.key_info(args[1], stats=True)
    return "none" if info is None else TYPE_NAMES[info["type"]]


# KEYS pattern
def keys(client: Any, args: list[bytes]) -> list[bytes]:
    return client.server.keyspace.keys(args[1])


def parse_cursor(arg: bytes) -> int:
    """parseScanCursorOrReply: C strtoul over the text up to its first NUL.  An optional sign
    ("-1" wraps to 2**64 - 1), digits, nothing else; "" is 0; no leading space; no overflow."""
    text = arg.split(b"\0", 1)[0]
    sign, digits = (text[:1], text[1:]) if text[:1] in (b"+", b"-") else (b"", text)
    if text and not (digits.isdigit() and digits.isascii()):
        raise CommandError(errors.INVALID_CURSOR)
    value = int(digits) if digits else 0
    if value >= 1 << 64:
        raise CommandError(errors.INVALID_CURSOR)
    return (-value) % (1 << 64) if sign == b"-" else value


# SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
def scan(client: Any, args: list[bytes]) -> list:
    cursor = parse_cursor(args[1])
    count, pattern, type_code = 10, None, -1
    i = 2
    while i < len(args):
        opt, more = word(args[i]), i + 1 < len(args)
        if opt == b"count" and more:
            count = parse_ll(args[i + 1])
            if count < 1:
                raise CommandError(errors.SYNTAX)
        elif opt == b"match" and more:
            pattern = args[i + 1]
        elif opt == b"type" and more:
            # Redis 7.0 compares type names case-insensitively; an unknown name matches nothing.
            wanted = word(args[i + 1]).decode("latin-1")
            type_code = next((c for c, n in TYPE_NAMES.items() if n == wanted), 255)
        else:
            raise CommandError(errors.SYNTAX)
        i += 2
    cursor, found = client.server.keyspace.scan(cursor, count, pattern, type_code)
    return [b"%d" % cursor, found]


# RANDOMKEY
def randomkey(client: Any, args: list[bytes]) -> bytes | None:
    return client.server.keyspace.randomkey()


def _rename(client: Any, args: list[bytes], nx: bool) -> bool:
    done = client.server.keyspace.rename(args[1], args[2], nx)
    if done is None:
        raise CommandError(errors.NO_SUCH_KEY)
    return done


# RENAME key newkey
def rename(client: Any, args: list[bytes]) -> str:
    _rename(client, args, False)
    return "OK"


# RENAMENX key newkey
def renamenx(client: Any, args: list[bytes]) -> int:
    return int(_rename(client, args, True))


# COPY source destination [DB destination-db] [REPLACE]
def copy(client: Any, args: list[bytes]) -> int:
    replace = False
    j = 3
    while j < len(args):
        opt = word(args[j])
        if opt == b"replace":
            replace = True
        elif opt == b"db" and j + 1 < len(args):
            if parse_int(args[j + 1]) != 0:  # one database: every other index is out of range
                raise CommandError(errors.DB_OUT_OF_RANGE)
            j += 1
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    if args[1] == args[2]:
        raise CommandError(errors.SAME_OBJECT)
    return int(client.server.keyspace.copy(args[1], args[2], replace))


# ---- OBJECT and MEMORY USAGE: what the entry really is here, named as Redis names it ---------

_LRU_OR_LFU = ("allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu")
_SHARED_REFCOUNT = 2**31 - 1  # Redis's OBJ_SHARED_REFCOUNT


def _lfu(client: Any) -> bool:
    return client.server.config.eviction_policy.endswith("-lfu")


# OBJECT ENCODING key   ("int", "embstr" or "raw" by Redis's rules for the current value)
def object_encoding(client: Any, args: list[bytes]) -> bytes | None:
    info = client.server.keyspace.key_info(args[2])
    return None if info is None else ENCODING_NAMES[info["encoding"]].encode()


# OBJECT REFCOUNT key   (1, or INT_MAX for the integers 0..9999 Redis would share)
def object_refcount(client: Any, args: list[bytes]) -> int | None:
    info = client.server.keyspace.key_info(args[2])
    if info is None:
        return None
    cfg = client.server.config
    shared = info["shared_int"] and (cfg.max_memory == 0 or cfg.eviction_policy not in _LRU_OR_LFU)
    return _SHARED_REFCOUNT if shared else 1


# OBJECT IDLETIME key   (seconds since the last access, from the entry's access clock)
def object_idletime(client: Any, args: list[bytes]) -> int | None:
    info = client.server.keyspace.key_info(args[2])
    if info is None:
        return None
    if _lfu(client):
        raise CommandError(errors.LFU_SELECTED)
    return info["idle_ms"] // 1000


# OBJECT FREQ key   (the key's LFU counter after decay, as Redis's LFUDecrAndReturn)
def object_freq(client: Any, args: list[bytes]) -> int | None:
    info = client.server.keyspace.key_info(args[2])
    if info is None:
        return None
    if not _lfu(client):
        raise CommandError(errors.LFU_NOT_SELECTED)
    return info["freq"]


# OBJECT HELP
def object_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("OBJECT", [
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    ])


# MEMORY USAGE key [SAMPLES count]   (the bytes of the entry's allocation: header, key, value)
def memory_usage(client: Any, args: list[bytes]) -> int | None:
    j = 3
    while j < len(args):
        if word(args[j]) == b"samples" and j + 1 < len(args):
            if parse_ll(args[j + 1]) < 0:  # a string has nothing to sample: the count is unused
                raise CommandError(errors.SYNTAX)
            j += 2
        else:
            raise CommandError(errors.SYNTAX)
    info = client.server.keyspace.key_info(args[2])
    return None if info is None else info["memory"]


# MEMORY HELP   (only USAGE is served so far)
def memory_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("MEMORY", [
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
    ])
