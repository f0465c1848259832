"""DEBUG (Redis's debug.c): the subcommands that mean something for a cache without persistence.

Allowed by `enable_debug_command` (Redis's enable-debug-command: no by default, yes, or local for loopback
clients).  Implemented: HELP, LOG, SLEEP, SET-ACTIVE-EXPIRE, OBJECT, DIGEST, DIGEST-VALUE, POPULATE,
PROTOCOL, ERROR, QUICKLIST-PACKED-THRESHOLD (validated, no effect: lists have no packed/plain nodes here),
RELOAD (save, flush, load the snapshot: not one instant for other clients, which keep running).
What needs an append-only file or a restart (LOADAOF, RESTART, CRASH-AND-RECOVER), replication
(CHANGE-REPL-ID, REPLICATE) or Redis's own allocator and structures (HTSTATS, JMAP, LISTPACK, QUICKLIST,
SDSLEN, MALLCTL, STRUCTSIZE, STRINGMATCH-TEST...) answers Redis's unknown-subcommand error.
"""

from __future__ import annotations

import hashlib
import logging
import re
import struct
import time
from typing import Any

from redistill import errors
from redistill.commands.args import help_reply, parse_ll, word
from redistill.errors import CommandError
from redistill.keyspace import ENCODING_NAMES, TYPE_NAMES
from redistill.protocol import Encoded, Verbatim

log = logging.getLogger("redistill")

_PROTOCOL_TYPES = "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"
_STRTOD = re.compile(rb"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_ATOI = re.compile(rb"\s*[+-]?\d+")
_MEM_UNITS = {b"": 1, b"b": 1, b"k": 1000, b"kb": 1024, b"m": 1000**2, b"mb": 1024**2, b"g": 1000**3,
              b"gb": 1024**3}


def _strtod(b: bytes) -> float:
    m = _STRTOD.match(b)
    return float(m.group(0)) if m else 0.0


def _atoi(b: bytes) -> int:
    m = _ATOI.match(b)
    return int(m.group(0)) if m else 0


def _allowed(client: Any) -> bool:
    return protected_action_allowed(client, getattr(client.server.config, "enable_debug_command", "no"))


def protected_action_allowed(client: Any, mode: str) -> bool:
    """Redis's enable-debug-command / enable-protected-configs: "yes", or "local" from loopback."""
    if mode == "yes":
        return True
    if mode != "local":
        return False
    host = str(getattr(client, "addr", "")).rsplit(":", 1)[0].strip("[]")
    return host.startswith("127.") or host in ("::1", "localhost") or host.startswith("::ffff:127.") \
        or "/" in host  # a unix socket path


def debug(client: Any, args: list[bytes]) -> Any:
    if not _allowed(client):
        raise CommandError(errors.DEBUG_NOT_ALLOWED)
    sub = word(args[1])
    handler, arity = _SUBCOMMANDS.get(sub, (None, 0))
    if handler is None or (arity >= 0 and len(args) != arity) or (arity < 0 and len(args) < -arity):
        raise CommandError(errors.subcommand_syntax(args[1], "DEBUG"))
    return handler(client, args)


def _help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("DEBUG", [
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix.",
        "PAUSE-CRON <0|1>",
        "    Stop periodic cron job processing.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Available options:",
        "    * MERGE: Merge the content of the RDB instead of flushing the existing data.",
        "    * NOFLUSH: Do not flush the RDB before loading it.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Accepted for compatibility (1 byte to 4gb); Redistill's lists have no plain nodes.",
        "SLEEP <seconds>",
        "    Stop this client's worker thread for <seconds>. Decimals allowed.",
    ])


# DEBUG LOG <message>   (the suite marks each test's start in the server log with it)
def _log(client: Any, args: list[bytes]) -> str:
    log.warning("DEBUG LOG: %s", args[2].decode("utf-8", "replace"))
    return "OK"


# DEBUG SLEEP <seconds>   (Redis stops its one thread; here the client's worker thread sleeps)
def _sleep(client: Any, args: list[bytes]) -> str:
    seconds = _strtod(args[2])
    if seconds > 0:
        time.sleep(seconds)
    return "OK"


# DEBUG SET-ACTIVE-EXPIRE <0|1>   (the cron's expiry sweep; lazy expiry on access stays)
def _set_active_expire(client: Any, args: list[bytes]) -> str:
    client.server.active_expire_enabled = _atoi(args[2]) != 0
    return "OK"


# DEBUG PAUSE-CRON <0|1>   (the main thread's cron: expiry, eviction, stats sampling)
def _pause_cron(client: Any, args: list[bytes]) -> str:
    client.server.cron_paused = _atoi(args[2]) != 0
    return "OK"


# DEBUG QUICKLIST-PACKED-THRESHOLD <size>   (validated as Redis does; lists here store every element
# alone, so there is no packed/plain split to move)
def _quicklist_packed_threshold(client: Any, args: list[bytes]) -> str:
    m = re.fullmatch(rb"(\d+)(b|kb?|mb?|gb?)?", args[2].lower())
    size = int(m.group(1)) * _MEM_UNITS[m.group(2) or b""] if m else -1
    if not 0 <= size <= (1 << 32) - (1 << 20):  # quicklistisSetPackedThreshold's bound; 0 = default
        raise CommandError(errors.DEBUG_MEMORY_VALUE)
    return "OK"


# DEBUG OBJECT <key>   (Redis's fields that exist here: the value's address, refcount, encoding, idle
# time; no serializedlength or lru, which describe Redis's RDB and its LRU clock)
def _object(client: Any, args: list[bytes]) -> str:
    info = client.server.keyspace.key_info(args[2])
    if info is None:
        raise CommandError(errors.NO_SUCH_KEY)
    refcount = 2147483647 if info["shared_int"] else 1
    return (f"Value at:{info['addr']:#x} refcount:{refcount} encoding:{ENCODING_NAMES[info['encoding']]} "
            f"lru_seconds_idle:{info['idle_ms'] // 1000}")


# DEBUG POPULATE <count> [<prefix>] [<size>]   (keys that exist are left alone)
def _populate(client: Any, args: list[bytes]) -> str:
    if len(args) > 5:
        raise CommandError(errors.subcommand_syntax(args[1], "DEBUG"))
    count = parse_ll(args[2], errors.NOT_POSITIVE)
    size = parse_ll(args[4], errors.NOT_POSITIVE) if len(args) == 5 else 0
    if count < 0 or size < 0:
        raise CommandError(errors.NOT_POSITIVE)
    prefix = args[3] if len(args) >= 4 else b"key"
    ks = client.server.keyspace
    for j in range(count):
        value = b"value:%d" % j
        if size:
            value = value[:size].ljust(size, b"\0")
        ks.set(b"%s:%d" % (prefix, j), value, nx=True)
    return "OK"


# ---- DIGEST, DIGEST-VALUE: Redis's SHA1 mix (debug.c xorObjectDigest), the same hex as redis-server's

def _xor(digest: bytearray, data: bytes) -> None:
    for i, b in enumerate(hashlib.sha1(data).digest()):
        digest[i] ^= b


def _mix(digest: bytearray, data: bytes) -> None:
    _xor(digest, data)
    digest[:] = hashlib.sha1(bytes(digest)).digest()


def _pairs(flat: list[bytes]) -> list[tuple[bytes, bytes]]:
    return list(zip(flat[0::2], flat[1::2]))


def _value_digest(client: Any, key: bytes, digest: bytearray | None = None) -> bytearray:
    """xorObjectDigest of key's value mixed into digest (default 20 zero bytes; unchanged when the key
    is missing)."""
    digest = bytearray(20) if digest is None else digest
    ks = client.server.keyspace
    info = ks.key_info(key)
    if info is None:
        return digest
    kind = TYPE_NAMES[info["type"]]  # Redis's OBJ_* codes, which the digest mixes in
    _mix(digest, struct.pack(">I", info["type"]))
    if kind == "string":
        _mix(digest, ks.get(key) or b"")
    elif kind == "list":
        for item in _call(client, b"LRANGE", key, b"0", b"-1"):
            _mix(digest, item)
    elif kind == "set":
        for item in _call(client, b"SMEMBERS", key):
            _xor(digest, item)
    elif kind == "stream":   # entries, groups, consumers, pending entries: XINFO STREAM FULL's bytes
        _mix(digest, ks.exec([b"XINFO", b"STREAM", key, b"FULL", b"COUNT", b"0"], 2))
    else:
        flat = _call(client, b"ZRANGE", key, b"0", b"-1", b"WITHSCORES") if kind == "zset" \
            else _call(client, b"HGETALL", key)
        for a, b in _pairs(flat):
            ele = bytearray(20)
            _mix(ele, a)
            _mix(ele, b"%.17g" % float(b) if kind == "zset" else b)
            _xor(digest, bytes(ele))
    if info["expire"]:
        _xor(digest, b"!!expire!!")
    return digest


def _call(client: Any, *args: bytes) -> list[bytes]:
    """A read command's flat reply through the core (RESP2), as a list of bulk strings."""
    reply = client.server.keyspace.exec(list(args), 2)
    return _parse_flat_array(reply)


def _parse_flat_array(reply: bytes) -> list[bytes]:
    if not reply.startswith(b"*"):
        raise CommandError(errors.WRONGTYPE if reply.startswith(b"-WRONGTYPE") else reply[1:].decode())
    head, _, rest = reply.partition(b"\r\n")
    out, pos = [], 0
    for _ in range(int(head[1:])):
        end = rest.index(b"\r\n", pos)
        n = int(rest[pos + 1:end])
        out.append(rest[end + 2:end + 2 + n])
        pos = end + 2 + n + 2
    return out


def _hex(digest: bytes | bytearray) -> str:
    return bytes(digest).hex()


# DEBUG DIGEST-VALUE [<key> ...]
def _digest_value(client: Any, args: list[bytes]) -> list[str]:
    return [_hex(_value_digest(client, key)) for key in args[2:]]


# DEBUG DIGEST   (the whole dataset; 40 zeros when it is empty, as Redis)
def _digest(client: Any, args: list[bytes]) -> str:
    final = bytearray(20)
    keys = client.server.keyspace.keys(b"*")
    if keys:
        _mix(final, struct.pack(">I", 0))  # the database number
    for key in keys:
        d = bytearray(20)
        _mix(d, key)
        _xor(final, bytes(_value_digest(client, key, d)))  # the value's mix continues the key's
    return _hex(final)


# DEBUG PROTOCOL <type>   (one reply of each RESP3 type, for client tests)
def _protocol(client: Any, args: list[bytes]) -> Any:
    name = word(args[2]).decode("latin-1")
    resp3 = client.resp >= 3
    if name == "string":
        return b"Hello World"
    if name == "integer":
        return 12345
    if name == "double":
        return 3.141
    if name == "bignum":
        return Encoded(b"(1234567999999999999999999999999999999\r\n" if resp3
                       else b"$37\r\n1234567999999999999999999999999999999\r\n")
    if name == "null":
        return None
    if name == "array":
        return [0, 1, 2]
    if name == "set":
        return Encoded(b"~3\r\n:0\r\n:1\r\n:2\r\n" if resp3 else b"*3\r\n:0\r\n:1\r\n:2\r\n")
    if name == "map":
        return {0: False, 1: True, 2: False}
    if name == "attrib":
        follow = b"$39\r\nSome real reply following the attribute\r\n"
        attr = b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n" if resp3 else b""
        return Encoded(attr + follow)
    if name == "push":
        if not resp3:
            raise CommandError(errors.RESP2_UNSUPPORTED)
        return Encoded(b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
                       b"$40\r\nSome real reply following the push reply\r\n")
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "verbatim":
        return Verbatim("txt", "This is a verbatim\nstring")
    raise CommandError(errors.wrong_protocol_type(_PROTOCOL_TYPES))


# DEBUG ERROR <string>   (the string as the error line, newlines replaced)
def _error(client: Any, args: list[bytes]) -> Any:
    raise CommandError("-" + args[2].decode("latin-1"))


# name -> (handler, arity: exact when >= 0, at least -arity when < 0), as debug.c's argc checks
# DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]   (keys in the file replace keys present: MERGE's behaviour)
def _reload(client: Any, args: list[bytes]) -> str:
    from redistill.persistence import LoadError, SaveInProgress
    opts = {word(a) for a in args[2:]}
    if not opts <= {b"merge", b"noflush", b"nosave"}:
        raise CommandError(errors.RELOAD_OPTIONS)
    p = client.server.persistence
    if b"nosave" not in opts:
        try:
            p.save()
        except (SaveInProgress, OSError, MemoryError) as e:
            log.warning("DEBUG RELOAD: error saving the DB: %s", e)
            raise CommandError(errors.SAVE_FAILED) from None
    if b"noflush" not in opts:
        client.server.keyspace.flush()
    try:
        p.load()
    except LoadError as e:
        log.warning("DEBUG RELOAD: %s", e)
        raise CommandError(errors.RELOAD_LOAD_FAILED) from None
    log.warning("DB reloaded by DEBUG RELOAD")
    return "OK"


_SUBCOMMANDS: dict[bytes, tuple[Any, int]] = {
    b"reload": (_reload, -2),
    b"help": (_help, 2),
    b"log": (_log, 3),
    b"sleep": (_sleep, 3),
    b"set-active-expire": (_set_active_expire, 3),
    b"pause-cron": (_pause_cron, 3),
    b"quicklist-packed-threshold": (_quicklist_packed_threshold, 3),
    b"object": (_object, 3),
    b"populate": (_populate, -3),  # at most 5: checked in _populate
    b"digest": (_digest, 2),
    b"digest-value": (_digest_value, -2),
    b"protocol": (_protocol, 3),
    b"error": (_error, 3),
}
