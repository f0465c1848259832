"""Error replies: CommandError, the keyspace statuses' text (from C) and the Python-only error texts.

Rules, as Redis's addReplyError* functions apply them:
  - an error line always starts with "-"; plain text gets "-ERR " in one place (CommandError);
  - text that embeds user bytes is clipped (the caller says how much, usually 128 bytes) and has
    CR/LF replaced by spaces, so a reply can never break the protocol;
  - every text below was checked byte for byte against redis-server 7.0.15.
Strings in error lines are "bytes as str": user bytes are decoded as latin-1, and protocol.encode
encodes lines as latin-1, so any byte survives the round trip unchanged.
"""
from __future__ import annotations


def user_text(arg: bytes, limit: int | None = 128) -> str:
    """User bytes as they appear inside a Redis error: cut at NUL (Redis formats them with %s),
    clipped to `limit` bytes (None = no clip), CR/LF turned into spaces."""
    text = arg.split(b"\0", 1)[0]
    if limit is not None:
        text = text[:limit]
    return text.decode("latin-1").replace("\r", " ").replace("\n", " ")


class CommandError(Exception):
    """A command failed; `line` is the RESP error line without CRLF, always starting with "-"."""

    def __init__(self, text: str) -> None:
        # Like addReplyErrorLength: a leading "-" means the text carries its own code.
        line = text if text.startswith("-") else "-ERR " + text
        self.line = line.replace("\r", " ").replace("\n", " ")
        super().__init__(self.line)

    @classmethod
    def from_status(cls, st: int) -> "CommandError":
        """The error for a keyspace status, with the text C's fast path sends (csrc/status.c)."""
        return cls(_status_message(st))


_status_cache: dict[int, str] = {}


def _status_message(st: int) -> str:
    text = _status_cache.get(st)
    if text is None:
        # Imported here so protocol.py and the command table stay importable (and unit-testable)
        # without the compiled core; only the first error of each status pays for the lookup.
        from redistill._core import ffi, lib

        text = ffi.string(lib.rd_status_message(st)).decode("latin-1") or "-ERR internal error"
        _status_cache[st] = text
    return text


# ---- Python-side error texts (the commands C runs write their own errors: csrc/cmd_*.c, t_*.c) ----

SYNTAX = "syntax error"
NOT_INTEGER = "value is not an integer or out of range"
NOAUTH = "-NOAUTH Authentication required."
WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled."
AUTH_NOT_CONFIGURED = (
    "AUTH <password> called without any password configured for the default user. "
    "Are you sure your configuration is correct?"
)
DB_OUT_OF_RANGE = "DB index is out of range"
NOPROTO = "-NOPROTO unsupported protocol version"
PROTO_NOT_INTEGER = "Protocol version is not an integer or out of range"
HELLO_NOAUTH = (
    "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
    "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
    "RESP protocol version at the same time"
)
BAD_CLIENT_NAME = "Client names cannot contain spaces, newlines or special characters."
EXPIRE_FLAGS_NX = "NX and XX, GT or LT options at the same time are not compatible"
EXPIRE_FLAGS_GT_LT = "GT and LT options at the same time are not compatible"
INTERNAL = "internal error"
NO_MULTI = "Command not allowed inside a transaction"
MONITOR_KEYSPACE = "Replica can't interact with the keyspace"   # a monitor is a replica to Redis
OFFSET_OUT_OF_RANGE = "offset is out of range"                            # SETRANGE
LCS_NOT_STRINGS = "The specified keys must contain string values"
LCS_IDX_AND_LEN = "If you want both the length and indexes, please just use IDX."
NO_SUCH_KEY = "no such key"                                               # RENAME
SAME_OBJECT = "source and destination objects are the same"               # COPY
INVALID_CURSOR = "invalid cursor"                                         # SCAN
LFU_NOT_SELECTED = (
    "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust."
)
LFU_SELECTED = (
    "An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching "
    "between policies at runtime LRU and LFU data will take some time to adjust."
)


def wrong_arity(fullname: str) -> str:
    """fullname is the table's lowercase name, "get" or "client|setname"."""
    return f"wrong number of arguments for '{fullname}' command"


def unknown_command(args: list[bytes]) -> str:
    # Redis appends "'%.*s' " per argument while the list is shorter than 128 bytes, each
    # argument clipped to what is left of those 128 (processCommand / commandCheckExistence).
    listed = ""
    for arg in args[1:]:
        if len(listed) >= 128:
            break
        listed += "'" + user_text(arg, 128 - len(listed)) + "' "
    return f"unknown command '{user_text(args[0])}', with args beginning with: {listed}"


def unknown_subcommand(sub: bytes, container: str) -> str:
    return f"unknown subcommand '{user_text(sub)}'. Try {container.upper()} HELP."


def invalid_expire(command: str) -> str:
    return f"invalid expire time in '{command}' command"


def unsupported_option(opt: bytes) -> str:
    """EXPIRE's unknown-option error (printed with %s: no clip)."""
    return "Unsupported option " + user_text(opt, None)


def hello_syntax(opt: bytes) -> str:
    return f"Syntax error in HELLO option '{user_text(opt, None)}'"


def bad_client_attr(attr: bytes) -> str:
    """CLIENT SETINFO value with spaces or control characters (Redis 7.2 text)."""
    return f"{user_text(attr, None)} cannot contain spaces, newlines or special characters."


def unrecognized_option(opt: bytes) -> str:
    """CLIENT SETINFO attribute other than LIB-NAME / LIB-VER (Redis 7.2 text)."""
    return f"Unrecognized option '{user_text(opt, None)}'"


def config_set_unknown(name: bytes) -> str:
    return f"Unknown option or number of arguments for CONFIG SET - '{user_text(name, None)}'"


def config_set_failed(name: bytes, reason: str) -> str:
    return f"CONFIG SET failed (possibly related to argument '{user_text(name, None)}') - {reason}"


def maxclients_over_fd_limit(allowed: int) -> str:
    return f"The operating system is not able to handle the specified number of clients, try with {allowed}"


# ---- server and connection commands Redistill does not support (texts of our own) ----

TRACKING_UNSUPPORTED = "CLIENT TRACKING ON is not supported: Redistill has no client-side caching"
CONFIG_REWRITE_UNSUPPORTED = ("CONFIG REWRITE is not supported: Redistill's configuration lives in "
                              "redistill.toml, which is never rewritten")
SHUTDOWN_FAILED = "Errors trying to SHUTDOWN. Check logs."  # Redis's text when the final save fails
NO_SHUTDOWN = "No shutdown in progress."


def persistence_off(command: str) -> str:
    """SAVE, BGSAVE, BGREWRITEAOF: Redistill keeps data in memory only."""
    return f"{command} is not supported: persistence is off (Redistill keeps data in memory only)"


DEBUG_NOT_ALLOWED = ("DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
                     "can run it from a local connection, otherwise you need to set this option in the "
                     "configuration file, and then restart the server.")


def subcommand_syntax(sub: bytes, container: str) -> str:
    """addReplySubcommandSyntaxError."""
    return (f"unknown subcommand or wrong number of arguments for '{user_text(sub, None)}'. "
            f"Try {container} HELP.")


# Emulated cluster mode (redistill/cluster.py, commands/cluster.py): Redis 7.0's texts.
CLUSTER_DISABLED = "This instance has cluster support disabled"
CROSSSLOT = "-CROSSSLOT Keys in request don't hash to the same slot"
SELECT_IN_CLUSTER = "SELECT is not allowed in cluster mode"
INVALID_SLOT = "Invalid slot"
INVALID_SLOT_OR_COUNT = "Invalid slot or number of keys"


def moved(slot: int, addr: str) -> str:
    return f"-MOVED {slot} {addr}"
