"""Lua scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis 7.0's eval.c); FUNCTION, FCALL
and FCALL_RO (functions.c).

Rules:
  - the engine is C (csrc/script*.c: one Lua state for the process); these handlers only hand the
    command over.  The table holds the gate exclusive around them (gate="exclusive"), so a script is
    atomic against every worker thread, as EXEC; SCRIPT KILL takes no gate (gate="own"): it must
    reach a script that holds it;
  - a script's redis.call runs a command C implements in C; any other comes back here (run_for_script,
    registered with C at import) and runs through the dispatcher's call() for a stand-in client
    (ScriptClient): the caller's connection state, the script's protocol, never blocking, and keys it
    fills served to blocked clients after the script, as after EXEC;
  - C checks every command a script calls against the table's rows (register_commands);
  - the C fast path runs EVALSHA of a cached script itself (csrc/conn.c run_evalsha): a command that
    comes back here from it has no connection at hand and runs for a detached stand-in (_Detached).
"""
from __future__ import annotations

import threading
from typing import Any

from redistill import commands, core, errors
from redistill.commands import acl_cmd, blocking, monitor, tracking
from redistill.commands.args import help_reply, word
from redistill.errors import CommandError
from redistill.protocol import Encoded, decode_frame

_local = threading.local()   # .client: the ScriptClient of the script running on this thread


class ScriptClient:
    """The caller as a script's commands see it (Redis's lua client): its server and connection
    state, with the script's protocol, no MULTI, and in_exec so blocking commands answer at once."""

    def __init__(self, caller: Any) -> None:
        # tracking: the script's own commands remember nothing (the script's declared keys are, _run)
        self.__dict__.update(_caller=caller, resp=2, multi=None, in_exec=True, blocked=None, addr="lua",
                             tracking=None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._caller, name)


class _Detached:
    """The caller of an EVALSHA the C fast path runs (no Connection object at hand): the server, and
    defaults for the connection state a command may read."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.resp = 2
        self.multi = None
        self.watched = {}
        self.authenticated = True
        self.name = b""
        self.addr = "lua"
        self.monitoring = False
        self.user = None   # the default user: the fast path runs only its scripts (csrc/conn.c)


_server: Any = None   # the server, once a client has loaded or run a script (the fast path needs one)


def run_for_script(frame: bytes, resp: int) -> bytes:
    """redis.call of a command C does not run (C has checked it: known, arity, flags)."""
    client = getattr(_local, "client", None) or ScriptClient(_Detached(_server))
    args = decode_frame(frame)
    spec = commands.lookup(args)
    if resp == 0:   # redis.acl_check_cmd: may the script's user run it? (not logged, as Redis)
        return b":1\r\n" if acl_cmd.check(client, spec, args)[0] == 0 else b":0\r\n"
    client.resp = resp
    # a restricted user's script sends every command here (rd_script_set_acl_python); others skip the check
    refused = acl_cmd.script_error(client, spec, args) if getattr(_local, "restricted", False) else None
    return commands.encode_reply(client, refused if refused is not None else commands.call(client, spec, args))


def _eval(client: Any, args: list[bytes], mode: int) -> Encoded:
    return _run(client, args, lambda ks: ks.script_eval(args, client.resp, mode))


def _run(client: Any, args: list[bytes], run: Any) -> Encoded:
    """A script (EVAL) or a function (FCALL) run by C for client: run(keyspace) -> its reply.  Fed to
    the monitors before the commands it calls, as Redis feeds it."""
    global _server
    _server = client.server
    if monitor.active():
        monitor.feed(client, args)
    stand_in = ScriptClient(client)
    _local.client = stand_in
    restricted = _local.restricted = not acl_cmd.user_of(client).open()
    if restricted:   # every redis.call comes back to run_for_script, which checks the user
        core.script_set_acl_python(1)
    try:
        reply = run(client.server.keyspace)
        if getattr(client, "tracking", None) is not None and core.script_read_seen():
            tracking.remember_declared(client, args)   # still under the script's exclusive gate
    finally:
        if restricted:
            core.script_set_acl_python(0)
        _local.client = None
        _local.restricted = False
        # The keys the script's commands filled, served now as the caller's (the stand-in is always
        # in_exec, which would only queue them again); inside MULTI they wait for the EXEC's end.
        blocking.signal_exec_done(client)
    if reply[:1] == b"-":   # raised, so INFO errorstats and failed_calls count it
        raise CommandError(reply[:-2].decode("latin-1"))
    return Encoded(reply)


# EVAL script numkeys [key ...] [arg ...]
def eval_(client: Any, args: list[bytes]) -> Encoded:
    return _eval(client, args, 0)


# EVALSHA sha1 numkeys [key ...] [arg ...]
def evalsha(client: Any, args: list[bytes]) -> Encoded:
    return _eval(client, args, core.EVAL_SHA)


# EVAL_RO script numkeys [key ...] [arg ...]
def eval_ro(client: Any, args: list[bytes]) -> Encoded:
    return _eval(client, args, core.EVAL_RO)


# EVALSHA_RO sha1 numkeys [key ...] [arg ...]
def evalsha_ro(client: Any, args: list[bytes]) -> Encoded:
    return _eval(client, args, core.EVAL_SHA | core.EVAL_RO)


def _encoded(reply: bytes) -> Encoded:
    if reply[:1] == b"-":
        raise CommandError(reply[:-2].decode("latin-1"))
    return Encoded(reply)


# SCRIPT LOAD script
def script_load(client: Any, args: list[bytes]) -> Encoded:
    global _server
    _server = client.server
    return _encoded(core.script_load(args[2]))


# SCRIPT EXISTS sha1 [sha1 ...]
def script_exists(client: Any, args: list[bytes]) -> list[int]:
    return [core.script_exists(sha, len(sha)) for sha in args[2:]]


# SCRIPT FLUSH [ASYNC|SYNC]: both free the cache before replying (nothing else waits on it).
def script_flush(client: Any, args: list[bytes]) -> str:
    if len(args) > 3 or (len(args) == 3 and word(args[2]) not in (b"sync", b"async")):
        raise CommandError(errors.SCRIPT_FLUSH_MODE)
    core.script_flush()
    return "OK"


# SCRIPT KILL
def script_kill(client: Any, args: list[bytes]) -> Encoded:
    return _encoded(core.script_kill())


# SCRIPT DEBUG YES|SYNC|NO: there is no Lua debugger; NO (its default) is accepted.
def script_debug(client: Any, args: list[bytes]) -> str:
    mode = args[2].lower()
    if mode == b"no":
        return "OK"
    if mode in (b"yes", b"sync"):
        raise CommandError(errors.SCRIPT_DEBUG_UNSUPPORTED)
    raise CommandError(errors.SCRIPT_DEBUG_MODE)


# SCRIPT HELP
def script_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("SCRIPT", [
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
    ])


# FCALL function numkeys [key ...] [arg ...]
def fcall(client: Any, args: list[bytes]) -> Encoded:
    return _run(client, args, lambda ks: ks.function_call(args, client.resp, False))


# FCALL_RO function numkeys [key ...] [arg ...]
def fcall_ro(client: Any, args: list[bytes]) -> Encoded:
    return _run(client, args, lambda ks: ks.function_call(args, client.resp, True))


# FUNCTION LOAD [REPLACE] code
def function_load(client: Any, args: list[bytes]) -> Encoded:
    global _server
    _server = client.server
    replace = False
    for opt in args[2:-1]:
        if word(opt) != b"replace":
            raise CommandError(errors.function_load_option(opt))
        replace = True
    return _encoded(core.function_load(args[-1], replace))


# FUNCTION DELETE library-name
def function_delete(client: Any, args: list[bytes]) -> Encoded:
    return _encoded(core.function_delete(args[2]))


# FUNCTION FLUSH [ASYNC|SYNC]: both free the libraries before replying.
def function_flush(client: Any, args: list[bytes]) -> str:
    if len(args) > 3:
        raise CommandError(errors.subcommand_syntax(args[1], "FUNCTION"))
    if len(args) == 3 and word(args[2]) not in (b"sync", b"async"):
        raise CommandError(errors.FUNCTION_FLUSH_MODE)
    core.function_flush()
    return "OK"


# FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
def function_list(client: Any, args: list[bytes]) -> Encoded:
    withcode, pattern, i = False, None, 2
    while i < len(args):
        opt = word(args[i])
        if not withcode and opt == b"withcode":
            withcode = True
        elif pattern is None and opt == b"libraryname":
            if i >= len(args) - 1:
                raise CommandError(errors.FUNCTION_LIST_NO_PATTERN)
            i += 1
            pattern = args[i]
        else:
            raise CommandError(errors.function_list_argument(args[i]))
        i += 1
    return Encoded(core.function_list(pattern, withcode, client.resp))


# FUNCTION DUMP
def function_dump(client: Any, args: list[bytes]) -> Encoded:
    return Encoded(core.function_dump())


_POLICIES = {b"append": core.FN_APPEND, b"replace": core.FN_REPLACE, b"flush": core.FN_FLUSH}


# FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
def function_restore(client: Any, args: list[bytes]) -> Encoded:
    global _server
    _server = client.server
    if len(args) > 4:
        raise CommandError(errors.subcommand_syntax(args[1], "FUNCTION"))
    policy = _POLICIES.get(word(args[3])) if len(args) == 4 else core.FN_APPEND
    if policy is None:
        raise CommandError(errors.FUNCTION_RESTORE_POLICY)
    return _encoded(core.function_restore(args[2], policy))


# FUNCTION STATS (allow_busy: answered while a function runs; C answers it on the function's own thread)
def function_stats(client: Any, args: list[bytes]) -> Encoded:
    return _encoded(core.function_stats(client.resp))


# FUNCTION KILL
def function_kill(client: Any, args: list[bytes]) -> Encoded:
    return _encoded(core.function_kill())


# FUNCTION HELP
def function_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("FUNCTION", [
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION "
        "RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
    ])


_FLAGS = {"write": core.CMD_WRITE, "denyoom": core.CMD_DENYOOM, "noscript": core.CMD_NOSCRIPT,
          "may_replicate": core.CMD_MAY_REPLICATE, "allow_busy": core.CMD_ALLOW_BUSY,
          "readonly": core.CMD_READONLY}


_registered: list[str] = []   # every name register_commands gave C


def call_stats() -> dict[str, tuple[int, int, int]]:
    """name -> (calls, failed, rejected) of the calls scripts made that C counted (INFO commandstats)."""
    out = {}
    for name in _registered:
        row = core.script_call_stats(name)
        if row and any(row):
            out[name] = row
    return out


def register_commands(specs: list[Any]) -> None:
    """Gives C every command and subcommand of the table with the flags redis.call checks, and the
    way back into Python for the commands C does not run."""
    _registered[:] = [spec.name for spec in specs]
    for spec in specs:
        flags = sum(bit for name, bit in _FLAGS.items() if name in spec.flags)
        flags |= core.CMD_CONTAINER if spec.subcommands is not None else 0
        flags |= core.CMD_WAKES if spec.wakes else 0
        core.script_command(spec.name, spec.arity, flags)
    core.script_set_python(run_for_script)
