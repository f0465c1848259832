"""Error replies: CommandError, the texts C shares (read from C's table) and the Python-only texts.

Every error text exists once.  A text C writes too lives in the core's table, csrc/status.c, keyed by
status code; Python reads it through rd_status_message (`status_line`, or the names in _CORE_TEXTS,
which read as module attributes: errors.SYNTAX).  A text only Python writes lives below, in this
module.  tests/unit/test_error_table.py fails when a table text is written as a literal elsewhere.

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
        return cls(status_line(st))


_status_cache: dict[int, str] = {}


def status_line(st: int) -> str:
    """The error line of status code st from C's table ("%s" texts are formats: fill them with %)."""
    text = _status_cache.get(st)
    if text is None:
        # Imported here so protocol.py and the command table stay importable (and unit-testable)
        # without the compiled core; only the first error of each status pays for the lookup.
        from redistill.core import status_message

        text = status_message(st) or _core_line("RD_ERR_INTERNAL")
        _status_cache[st] = text
    return text


# ---- texts C writes too: names for entries of C's table (csrc/status.c) ----

_CORE_TEXTS = {
    "WRONGTYPE": "RD_ERR_WRONGTYPE",
    "SYNTAX": "RD_ERR_SYNTAX",
    "NOT_INTEGER": "RD_ERR_NOTINT",
    "INTERNAL": "RD_ERR_INTERNAL",
    "NOT_POSITIVE": "RD_ERR_NOTPOSITIVE",     # getPositiveLongFromObjectOrReply
    "NUMKEYS": "RD_ERR_NUMKEYS",
    "COUNT_POSITIVE": "RD_ERR_COUNT",          # the MPOP family's COUNT
    "NO_SUCH_KEY": "RD_ERR_NOSUCHKEY",         # RENAME, DEBUG OBJECT
    "INVALID_CURSOR": "RD_ERR_CURSOR",         # SCAN
    "STREAM_BLOCKED_NOGROUP": "RD_ERR_BLOCKED_NOGROUP",   # a blocked XREADGROUP's group is gone
    "STREAM_BLOCKED_NOKEY": "RD_ERR_BLOCKED_NOKEY",       # ... its stream is gone
    "DB_OUT_OF_RANGE": "RD_ERR_DB_INDEX",      # SELECT
    "BUSY": "RD_ERR_BUSY",                     # a script past busy-reply-threshold
    "BUSY_FUNCTION": "RD_ERR_BUSY_FUNCTION",   # ... a function (FCALL)
}


def _core_line(status: str) -> str:
    """The line of C's table for a status named as in redistill.h ("RD_ERR_SYNTAX")."""
    from redistill.core import status_code

    return status_line(status_code(status))


def __getattr__(name: str) -> str:
    """errors.SYNTAX and the other _CORE_TEXTS names: the line from C's table, read on first use."""
    status = _CORE_TEXTS.get(name)
    if status is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    line = globals()[name] = _core_line(status)
    return line


def long_range(low: int, high: int) -> str:
    """getRangeLongFromObjectOrReply's error for a number outside low..high."""
    return _core_line("RD_ERR_LONGRANGE") % (low, high)


# ---- Python-only error texts (the commands C runs write their own errors: csrc/cmd_*.c, t_*.c) ----

NOAUTH = "-NOAUTH Authentication required."
WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled."
AUTH_NOT_CONFIGURED = (
    "AUTH <password> called without any password configured for the default user. "
    "Are you sure your configuration is correct?"
)
NOPROTO = "-NOPROTO unsupported protocol version"
PROTO_NOT_INTEGER = "Protocol version is not an integer or out of range"
HELLO_NOAUTH = (
    "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
    "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
    "RESP protocol version at the same time"
)
BAD_CLIENT_NAME = "Client names cannot contain spaces, newlines or special characters."
NO_MULTI = "Command not allowed inside a transaction"
MONITOR_KEYSPACE = "Replica can't interact with the keyspace"   # a monitor is a replica to Redis


# Transactions (commands/transactions.py).
EXECABORT = "-EXECABORT Transaction discarded because of previous errors."
MULTI_NESTED = "MULTI calls can not be nested"
EXEC_WITHOUT_MULTI = "EXEC without MULTI"
DISCARD_WITHOUT_MULTI = "DISCARD without MULTI"
WATCH_IN_MULTI = "WATCH inside MULTI is not allowed"


def execabort_because(line: str) -> str:
    """EXEC of a transaction a command was refused in at EXEC time (OOM): the refusal's text."""
    reason = line[len("-ERR "):] if line.startswith("-ERR ") else line[1:]
    return "-EXECABORT Transaction discarded because of: " + reason


# MIGRATE (commands/migrate.py).
MIGRATE_KEYS = "When using MIGRATE KEYS option, the key argument must be set to the empty string"
MIGRATE_CONNECT = "-IOERR error or timeout connecting to the client"
MIGRATE_IO = "-IOERR error or timeout %s to target instance"   # writing / reading
MIGRATE_TARGET = "-ERR Target instance replied with error: %s"


# CLIENT, MONITOR and blocking commands.
INVALID_CLIENT_ID = "Invalid client ID"                                   # CLIENT NO-EVICT / UNPAUSE ids
NO_SUCH_CLIENT = "No such client"                                         # CLIENT KILL
CLIENT_ID_POSITIVE = "client-id should be greater than 0"                 # CLIENT KILL ID
UNBLOCK_REASON = "CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
UNBLOCKED = "-UNBLOCKED client unblocked via CLIENT UNBLOCK"              # the blocked client's reply
PAUSE_MODE = "CLIENT PAUSE mode must be WRITE or ALL"
TIMEOUT_NOT_INTEGER = "timeout is not an integer or out of range"          # CLIENT PAUSE
TIMEOUT_NOT_FLOAT = "timeout is not a float or out of range"              # BLPOP & co.
TIMEOUT_NEGATIVE = "timeout is negative"
MONITOR_DENY_BLOCKING = "MONITOR isn't allowed for DENY BLOCKING client"


def unknown_client_type(arg: bytes) -> str:
    return f"Unknown client type '{user_text(arg, None)}'"


def no_such_user(arg: bytes) -> str:
    return f"No such user '{user_text(arg, None)}'"


# Accepting connections (worker.py): sent before the connection is closed.
MAX_CLIENTS = "max number of clients reached"
RATE_LIMITED = "max number of new connections per second reached for this address"
# Redis 7's reply to a remote client refused by protected mode (networking.c), byte for byte.
PROTECTED_MODE = (
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable "
    "the protected mode by editing the Redis configuration file, and setting the protected mode "
    "option to 'no', and then restarting the server. 3) If you started the server manually just "
    "for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order for "
    "the server to start accepting connections from the outside."
)

# COMMAND GETKEYS / COUNT, SLOWLOG GET, DEBUG (commands/server.py, debug.py).
COMMAND_ARGS_COUNT = "Invalid number of arguments specified for command"
COMMAND_ARGS = "Invalid arguments specified for command"
COMMAND_INVALID = "Invalid command specified"
COMMAND_NO_KEYS = "The command has no key arguments"
COUNT_MINUS_ONE = "count should be greater than or equal to -1"           # SLOWLOG GET
DEBUG_MEMORY_VALUE = "argument must be a memory value bigger than 1 and smaller than 4gb"
RESP2_UNSUPPORTED = "RESP2 is not supported by this command"              # DEBUG PROTOCOL


def latency_no_samples(event: bytes) -> str:   # LATENCY GRAPH
    return f"No samples available for event '{user_text(event, None)}'"


def wrong_protocol_type(types: str) -> str:
    return f"Wrong protocol type name. Please use one of the following: {types}"


def reply_line(text: str) -> bytes:
    """An error text as the bytes of its reply line, for replies written without CommandError."""
    return CommandError(text).line.encode("latin-1") + b"\r\n"


def wrong_arity(fullname: str) -> str:
    """fullname is the table's lowercase name, "get" or "client|setname"."""
    return _core_line("RD_ERR_ARITY") % fullname


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


# Reasons of config_set_failed (CONFIG SET).
CONFIG_IMMUTABLE = "can't set immutable config"
CONFIG_PROTECTED = "can't set protected config"
CONFIG_DUPLICATE = "duplicate parameter"
CONFIG_TLS_AT_START = "TLS settings apply at start only (security.tls_* in the TOML file)"
CONFIG_NO_REBIND = "not supported by this server"
CONFIG_CLUSTER_ADDR = "in emulated cluster mode this node's address is fixed at start (cluster_nodes)"
CONFIG_PORT_LISTEN = "Unable to listen on this port. Check server logs."
CONFIG_BIND = "Failed to bind to specified addresses."


def maxclients_over_fd_limit(allowed: int) -> str:
    return f"The operating system is not able to handle the specified number of clients, try with {allowed}"


# ---- CLIENT TRACKING / CACHING (Redis's clientCommand) ----

TRACKING_ONE_REDIRECT = "A client can only redirect to a single other client"
TRACKING_NO_REDIRECT_TARGET = "The client ID you want redirect to does not exist"
TRACKING_PREFIX_NEEDS_BCAST = "PREFIX option requires BCAST mode to be enabled"
TRACKING_BCAST_SWITCH = ("You can't switch BCAST mode on/off before disabling tracking for this client, "
                         "and then re-enabling it with a different mode.")
TRACKING_BCAST_OPTIN = "OPTIN and OPTOUT are not compatible with BCAST"
TRACKING_OPTIN_OPTOUT = "You can't specify both OPTIN mode and OPTOUT mode"
TRACKING_OPT_SWITCH = ("You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
                       "and then re-enabling it with a different mode.")
CACHING_NOT_TRACKING = ("CLIENT CACHING can be called only when the client is in tracking mode with OPTIN "
                        "or OPTOUT mode enabled")
CACHING_YES = "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
CACHING_NO = "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."


def tracking_prefix_overlap(prefix: bytes, other: bytes, existing: bool) -> str:
    """checkPrefixCollisionsOrReply's two texts."""
    which = "an existing prefix" if existing else "another provided prefix"
    return (f"Prefix '{prefix.decode('latin-1')}' overlaps with {which} '{other.decode('latin-1')}'. "
            "Prefixes for a single client must not overlap.")


# ---- server and connection commands Redistill does not support (texts of our own) ----

CONFIG_REWRITE_UNSUPPORTED = ("CONFIG REWRITE is not supported: Redistill's configuration lives in "
                              "redistill.toml, which is never rewritten")
SHUTDOWN_FAILED = "Errors trying to SHUTDOWN. Check logs."  # Redis's text when the final save fails
NO_SHUTDOWN = "No shutdown in progress."


def persistence_off(command: str) -> str:
    """BGREWRITEAOF: Redistill has no append-only file."""
    return f"{command} is not supported: Redistill has no append-only file (snapshots only: BGSAVE)"


BGSAVE_IN_PROGRESS = "Background save already in progress"
SAVE_FAILED = "-ERR"   # Redis's shared.err: SAVE whose write failed (the reason is in the log)
RELOAD_OPTIONS = "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
RELOAD_LOAD_FAILED = "Error trying to load the RDB dump, check server logs."


DEBUG_NOT_ALLOWED = ("DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
                     "can run it from a local connection, otherwise you need to set this option in the "
                     "configuration file, and then restart the server.")


def subscribed_context(fullname: str) -> str:
    """A RESP2 subscriber's command other than (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET."""
    return (f"Can't execute '{fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
            "are allowed in this context")


def subcommand_syntax(sub: bytes, container: str) -> str:
    """addReplySubcommandSyntaxError (C's table: tx_object writes it too)."""
    return _core_line("RD_ERR_SUBCOMMAND") % (user_text(sub, None), container)


# Emulated cluster mode (redistill/cluster.py, commands/cluster.py): Redis 7.0's texts.
CLUSTER_DISABLED = "This instance has cluster support disabled"
CROSSSLOT = "-CROSSSLOT Keys in request don't hash to the same slot"
SELECT_IN_CLUSTER = "SELECT is not allowed in cluster mode"
INVALID_SLOT = "Invalid slot"
INVALID_SLOT_OR_COUNT = "Invalid slot or number of keys"


def moved(slot: int, addr: str) -> str:
    return f"-MOVED {slot} {addr}"


# Scripting (commands/scripting.py; the engine's own texts are csrc/status.c's).
SCRIPT_FLUSH_MODE = "SCRIPT FLUSH only support SYNC|ASYNC option"
SCRIPT_DEBUG_MODE = "Use SCRIPT DEBUG YES/SYNC/NO"
SCRIPT_DEBUG_UNSUPPORTED = "SCRIPT DEBUG YES/SYNC is not supported: there is no Lua debugger"
FUNCTION_FLUSH_MODE = "FUNCTION FLUSH only supports SYNC|ASYNC option"
FUNCTION_RESTORE_POLICY = "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."
FUNCTION_LIST_NO_PATTERN = "library name argument was not given"


def function_load_option(opt: bytes) -> str:
    return f"Unknown option given: {user_text(opt, None)}"


def function_list_argument(arg: bytes) -> str:
    return f"Unknown argument {user_text(arg, None)}"
# ACL (commands/acl_cmd.py): Redis 7.0's texts.
NOPERM_KEY = "-NOPERM this user has no permissions to access one of the keys used as arguments"
NOPERM_CHANNEL = "-NOPERM this user has no permissions to access one of the channels used as arguments"
ACL_USERNAME_SPACES = "Usernames can't contain spaces or null characters"
ACL_DEFAULT_UNDELETABLE = "The 'default' user cannot be removed"
ACL_GENPASS_BITS = ("ACL GENPASS argument must be the number of bits for the output password, a positive "
                    "number up to 4096")
ACL_NO_FILE = ("This Redis instance is not configured to use an ACL file. You may want to specify users via "
               "the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
               "configuration file set) in order to store users in the Redis configuration.")
ACL_SAVE_FAILED = ("There was an error trying to save the ACLs. Please check the server logs for more "
                   "information")
def noperm_command(fullname: str) -> str:
    return f"-NOPERM this user has no permissions to run the '{fullname}' command"
def noperm_exec(reason: str) -> str:
    """A queued command the rules no longer allow when EXEC runs it."""
    return ("-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
            f"call. This command is no longer allowed for the following reason: {reason}")
def script_acl(reason: str) -> str:
    return f"The user executing the script {reason}"
def acl_rule_error(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")
def acl_unknown_category(arg: bytes) -> str:
    return f"Unknown category '{user_text(arg)}'"
def acl_user_not_found(arg: bytes) -> str:
    return f"User '{user_text(arg, None)}' not found"
def acl_command_not_found(arg: bytes) -> str:
    return f"Command '{user_text(arg, None)}' not found"
def sort_acl(option: str) -> str:
    return f"{option} option of SORT denied due to insufficient ACL permissions."
def acl_load_failed(text: str) -> str:
    return text
