"""ACL and its subcommands (Redis's aclCommand), and the permission check the dispatcher, EXEC and
scripts make (redistill/acl.py holds the model)."""
from __future__ import annotations

import os
import time
from typing import Any

from redistill import acl, errors
from redistill.commands.args import help_reply, parse_ll, word
from redistill.errors import CommandError
from redistill.protocol import SetReply

# ---- the check ---------------------------------------------------------------------------------

# The -NOPERM replies (processCommand), EXEC's reasons and scripts' texts, per denial.
_TOPLEVEL = {acl.DENIED_CMD: None, acl.DENIED_KEY: errors.NOPERM_KEY, acl.DENIED_CHANNEL: errors.NOPERM_CHANNEL}
_EXEC_REASON = {acl.DENIED_CMD: "no permission to execute the command or subcommand",
                acl.DENIED_KEY: "no permission to touch the specified keys",
                acl.DENIED_CHANNEL: "no permission to access one of the channels used as arguments"}
_SCRIPT = {acl.DENIED_CMD: "can't run this command or subcommand",
           acl.DENIED_KEY: "can't access at least one of the keys mentioned in the command arguments",
           acl.DENIED_CHANNEL: "can't publish to the channel mentioned in the command"}


def user_of(client: Any) -> acl.User:
    return getattr(client, "user", None) or client.server.acl.default


def check(client: Any, spec: Any, args: list[bytes]) -> tuple[int, int]:
    """(acl.OK, 0) or (reason, argument position) for client's user running args."""
    user = user_of(client)
    if user.open():
        return acl.OK, 0
    cmd = acl.universe().lookup(spec.name)
    if cmd is None:   # not in the table (a stand-in spec): judged by its container
        cmd = acl.universe().lookup(spec.name.split("|", 1)[0])
        if cmd is None:
            return acl.OK, 0
    return user.check(cmd, args, spec)


def denied(client: Any, spec: Any, args: list[bytes], context: str) -> tuple[int, int] | None:
    """The check, with the denial logged (ACL LOG, INFO's counters); None when allowed."""
    reason, pos = check(client, spec, args)
    if reason == acl.OK:
        return None
    log_denial(client, reason, context, spec.name if reason == acl.DENIED_CMD else args[pos].decode("latin-1"))
    return reason, pos


def toplevel_error(client: Any, spec: Any, args: list[bytes]) -> CommandError | None:
    """The NOPERM error for a command the user may not run (processCommand's check)."""
    context = "multi" if getattr(client, "multi", None) is not None else "toplevel"
    result = denied(client, spec, args, context)
    if result is None:
        return None
    text = _TOPLEVEL[result[0]]
    return CommandError(text if text is not None else errors.noperm_command(spec.name))


def exec_error(client: Any, spec: Any, args: list[bytes]) -> CommandError | None:
    """A queued command the rules no longer allow at EXEC."""
    result = denied(client, spec, args, "multi")
    return None if result is None else CommandError(errors.noperm_exec(_EXEC_REASON[result[0]]))


def script_error(client: Any, spec: Any, args: list[bytes]) -> CommandError | None:
    """redis.call of a command the script's user may not run."""
    result = denied(client, spec, args, "lua")
    return None if result is None else CommandError(errors.script_acl(_SCRIPT[result[0]]))


def sort_error(client: Any, args: list[bytes]) -> CommandError | None:
    """Redis's sortCommandGeneric: a BY pattern with a '*' or a GET needs read access to every key,
    which the user's rules may not give (the options before them are parsed as Redis does, so that
    an earlier error is still C's)."""
    user = user_of(client)
    if user.open():
        return None
    j, readonly = 2, word(args[0]) == b"sort_ro"
    full: bool | None = None
    while j < len(args):
        opt, left = word(args[j]), len(args) - j - 1
        if opt in (b"asc", b"desc", b"alpha"):
            pass
        elif opt == b"limit" and left >= 2:
            if not (_is_long(args[j + 1]) and _is_long(args[j + 2])):
                return None
            j += 2
        elif opt == b"store" and left >= 1 and not readonly:
            j += 1
        elif opt in (b"by", b"get") and left >= 1:
            if opt == b"get" or b"*" in args[j + 1]:
                if full is None:
                    from redistill.commands import lookup
                    full = user.unrestricted_read(acl.universe().lookup(lookup(args).name), args, lookup(args))
                if not full:
                    return CommandError(errors.sort_acl(opt.decode().upper()))
            j += 1
        else:
            return None
        j += 1
    return None


def _is_long(arg: bytes) -> bool:
    try:
        parse_ll(arg)
        return True
    except CommandError:
        return False


def log_denial(client: Any, reason: int, context: str, obj: str, username: str | None = None) -> None:
    from redistill.commands.connection import client_line
    caller = getattr(client, "_caller", client)   # a script's stand-in: its caller, as Redis
    try:
        cinfo = client_line(caller, time.time()).rstrip("\n")
    except Exception:   # a detached caller (the fast path's EVALSHA) has no CLIENT LIST line
        cinfo = ""
    name = username if username is not None else user_of(client).name
    client.server.acl.add_log(reason, context, obj, name, cinfo)


# ---- after a change -----------------------------------------------------------------------------

def changed(client: Any, user: acl.User, before: acl.User | None, kill: bool = False) -> None:
    """A user changed (the gate held exclusive): its C copy follows; a deleted user's clients are
    closed (the caller after its reply), and so are its subscribers when its channels shrank, as
    Redis (which closes only those subscribed to a channel no longer allowed)."""
    if kill:
        user.deleted = True
    acl.sync_c(user)
    victims = [c for c in client.server.clients() if getattr(c, "user", None) is user]
    if not kill:
        if before is None or not _channels_shrank(before, user):
            victims = []
        victims = [c for c in victims if getattr(c, "subscribed", False)]
    for c in victims:
        if c is client:
            client.close_after_reply()
        else:
            c.kill()
    if user is client.server.acl.default:   # AUTH may be required now, or no more
        from redistill.commands.config_cmd import refresh_connections
        refresh_connections(client.server)


def _channels_shrank(before: acl.User, after: acl.User) -> bool:
    if any(s.allchannels for s in after.selectors):
        return False
    if any(s.allchannels for s in before.selectors):
        return True
    upcoming = {c for s in after.selectors for c in s.channels}
    return any(c not in upcoming for s in before.selectors for c in s.channels)


# ---- ACL subcommands -------------------------------------------------------------------------

def _registry(client: Any) -> acl.Registry:
    return client.server.acl


def _text(arg: bytes) -> str:
    return arg.decode("latin-1")


# ACL SETUSER username [rule [rule ...]]
def setuser(client: Any, args: list[bytes]) -> str:
    name = _text(args[2])
    if acl._has_spaces(name):
        raise CommandError(errors.ACL_USERNAME_SPACES)
    try:
        user, before = _registry(client).set_user(name, [_text(a) for a in args[3:]])
    except acl.RuleError as e:
        raise CommandError(errors.acl_rule_error(str(e))) from None
    changed(client, user, before)
    return "OK"


# ACL DELUSER username [username ...]
def deluser(client: Any, args: list[bytes]) -> int:
    names = [_text(a) for a in args[2:]]
    if "default" in names:
        raise CommandError(errors.ACL_DEFAULT_UNDELETABLE)
    deleted = 0
    for name in names:
        user = _registry(client).delete(name)
        if user is not None:
            changed(client, user, None, kill=True)
            deleted += 1
    return deleted


def _selector_fields(s: acl.Selector) -> list:
    return [b"commands", s.describe_commands().encode("latin-1"), b"keys", s.describe_keys().encode("latin-1"),
            b"channels", s.describe_channels().encode("latin-1")]


# ACL GETUSER username
def getuser(client: Any, args: list[bytes]) -> Any:
    user = _registry(client).get(_text(args[2]))
    if user is None:
        return None
    fields = [b"flags", SetReply([f.encode() for f in user.flags()]),
              b"passwords", [h.encode() for h in user.passwords], *_selector_fields(user.root),
              b"selectors", [_pairs(_selector_fields(s)) for s in user.selectors[1:]]]
    return _pairs(fields)


def _pairs(flat: list) -> dict:
    return dict(zip(flat[0::2], flat[1::2]))


# ACL LIST
def list_(client: Any, args: list[bytes]) -> list[bytes]:
    with _registry(client).lock:
        users = list(_registry(client).users.values())
    return [f"user {u.name} {u.describe()}".encode("latin-1") for u in users]


# ACL USERS
def users(client: Any, args: list[bytes]) -> list[bytes]:
    return [name.encode("latin-1") for name in list(_registry(client).users)]


# ACL WHOAMI
def whoami(client: Any, args: list[bytes]) -> bytes:
    return user_of(client).name.encode("latin-1")


# ACL CAT [category]
def cat(client: Any, args: list[bytes]) -> list[bytes]:
    if len(args) == 2:
        return [c.encode() for c in acl.CATEGORIES]
    if len(args) > 3:
        raise CommandError(errors.subcommand_syntax(args[1], "ACL"))
    category = _text(args[2]).lower()
    if category not in acl.CATEGORIES:
        raise CommandError(errors.acl_unknown_category(args[2][:128]))
    return [name.encode() for name in acl.commands_in(category)]


# ACL GENPASS [bits]
def genpass(client: Any, args: list[bytes]) -> bytes:
    if len(args) > 3:
        raise CommandError(errors.subcommand_syntax(args[1], "ACL"))
    bits = parse_ll(args[2]) if len(args) == 3 else 256
    if bits <= 0 or bits > acl.GENPASS_MAX_BITS:
        raise CommandError(errors.ACL_GENPASS_BITS)
    chars = (bits + 3) // 4
    return os.urandom((chars + 1) // 2).hex()[:chars].encode()


# ACL LOG [count | RESET]
def log(client: Any, args: list[bytes]) -> Any:
    if len(args) > 3:
        raise CommandError(errors.subcommand_syntax(args[1], "ACL"))
    count = 10
    if len(args) == 3:
        if word(args[2]) == b"reset":
            _registry(client).reset_log()
            return "OK"
        count = max(parse_ll(args[2], errors.NOT_INTEGER), 0)
    now = time.time() * 1000
    with _registry(client).lock:
        entries = list(_registry(client).log[:count])
    return [{b"count": e.count, b"reason": acl.REASON_NAMES[e.reason].encode(), b"context": e.context.encode(),
             b"object": e.object.encode("latin-1"), b"username": e.username.encode("latin-1"),
             b"age-seconds": (now - e.ctime) / 1000, b"client-info": e.cinfo.encode("latin-1")}
            for e in entries]


# ACL DRYRUN username command [arg ...]
def dryrun(client: Any, args: list[bytes]) -> Any:
    from redistill.commands import lookup
    user = _registry(client).get(_text(args[2]))
    if user is None:
        raise CommandError(errors.acl_user_not_found(args[2]))
    cmdargs = args[3:]
    try:
        spec = lookup(cmdargs)
    except CommandError:
        raise CommandError(errors.acl_command_not_found(args[3])) from None
    if spec.handler is None and spec.subcommands is not None and len(cmdargs) < 2 or not spec.arity_ok(len(cmdargs)):
        raise CommandError(errors.wrong_arity(spec.name))
    cmd = acl.universe().lookup(spec.name)
    if user.open() or cmd is None:
        return "OK"
    reason, pos = user.check(cmd, cmdargs, spec)
    if reason == acl.OK:
        return "OK"
    if reason == acl.DENIED_CMD:
        return f"This user has no permissions to run the '{spec.name}' command".encode()
    what = "key" if reason == acl.DENIED_KEY else "channel"
    return b"This user has no permissions to access the '%s' %s" % (cmdargs[pos], what.encode())


def _aclfile(client: Any) -> str:
    path = getattr(client.server.config, "aclfile", None)
    if not path:
        raise CommandError(errors.ACL_NO_FILE)
    return path


# ACL LOAD
def load(client: Any, args: list[bytes]) -> str:
    from redistill.config import configured_users
    path = _aclfile(client)
    reg = _registry(client)
    try:   # over the TOML's users, as at start
        users = acl.load_file(path, reg.pubsub_default, configured_users(client.server.config, with_file=False))
    except acl.RuleError as e:
        raise CommandError(errors.acl_load_failed(str(e))) from None
    for gone in reg.replace_all(users):
        changed(client, gone, None, kill=True)
    for user in reg.users.values():
        changed(client, user, None)
    return "OK"


# ACL SAVE
def save(client: Any, args: list[bytes]) -> str:
    path = _aclfile(client)
    reg = _registry(client)
    with reg.lock:
        users = list(reg.users.values())
    try:
        acl.save_file(path, users)
    except OSError:
        raise CommandError(errors.ACL_SAVE_FAILED) from None
    return "OK"


# ACL HELP
def help_(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("ACL", [
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
    ])
