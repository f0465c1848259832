"""Users and permissions, as Redis 7.0's ACL (src/acl.c): users with passwords and selectors, the
rules ACL SETUSER takes, their description (ACL LIST / GETUSER), the permission check the
dispatcher, EXEC and scripts make, the ACL LOG, and the ACL file.

The model lives here, in Python; the C fast path gets a compact copy of each user's root selector
(csrc/acl.c: a bitmap over its own command indexes and the key patterns that allow both reading
and writing).  C only ever accepts: whatever its copy cannot allow for sure goes to the dispatcher,
which decides with the whole user and writes the -NOPERM reply.  Users change under the keyspace
gate held exclusive (the ACL commands' rows say gate="exclusive"), so no fast batch runs while a C
copy is rewritten."""
from __future__ import annotations

import hashlib
import hmac
import os
import shlex
import threading
import time
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from redistill.commands import table

CATEGORIES = ("keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
              "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
              "connection", "transaction", "scripting")

# Reasons (Redis's ACL_DENIED_*: the larger wins when no selector allows) and log contexts.
OK, DENIED_CMD, DENIED_KEY, DENIED_AUTH, DENIED_CHANNEL = 0, 1, 2, 3, 4
REASON_NAMES = {DENIED_CMD: "command", DENIED_KEY: "key", DENIED_CHANNEL: "channel", DENIED_AUTH: "auth"}

READ, WRITE = 1, 2
ALL_PERMS = READ | WRITE

_USER_FLAGS = ("on", "off", "nopass", "skip-sanitize-payload", "sanitize-payload")
_LOG_GROUP_MS = 60000
GENPASS_MAX_BITS = 4096


class RuleError(Exception):
    """A bad rule: str() is Redis's explanation (ACLSetUserStringError)."""


_SYNTAX = "Syntax error"
_UNKNOWN = "Unknown command or category name in ACL"
_KEYS_AFTER_ALL = ("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not "
                   "have any effect. Try 'resetkeys' to start with an empty list of patterns")
_CHANNELS_AFTER_ALL = ("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
                       "does not have any effect. Try 'resetchannels' to start with an empty list of channels")
_NO_SUCH_PASS = "The password you are trying to remove from the user does not exist"
_BAD_HASH = ("The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
             "characters")
_SUB_FIRSTARG = "Allowing first-arg of a subcommand is not supported"


# ---- the command universe: every command and subcommand of the table, with an id ---------------

class _Cmd:
    __slots__ = ("name", "id", "cats", "no_auth", "parent", "subs")

    def __init__(self, row: table.Row, cid: int, parent: "_Cmd | None") -> None:
        from redistill.commands import table   # here: the commands package imports this module
        self.name = row.name
        self.id = cid
        self.cats = frozenset(c[1:] for c in table.acl_categories(row.flags, row.acl))
        self.no_auth = "no_auth" in row.flags
        self.parent = parent
        self.subs: list[_Cmd] = []


class _Universe:
    """Commands in table order (a container before its subcommands), their bits, each category's mask."""

    def __init__(self) -> None:
        from redistill.commands import table
        self.by_name: dict[str, _Cmd] = {}
        self.order: list[_Cmd] = []
        for row in table.TABLE:
            cmd = self._add(row, None)
            for sub in row.subcommands or ():
                cmd.subs.append(self._add(sub, cmd))
        self.all_bits = (1 << len(self.order)) - 1
        self.cat_mask = {c: sum(1 << cmd.id for cmd in self.order if c in cmd.cats) for c in CATEGORIES}
        # what +@cat/-@cat changes: each command in it with its subcommands (ACLChangeSelectorPerm)
        self.cat_family = {c: _or(self.family_mask(cmd) for cmd in self.order if c in cmd.cats) for c in CATEGORIES}

    def _add(self, row: table.Row, parent: _Cmd | None) -> _Cmd:
        cmd = _Cmd(row, len(self.order), parent)
        self.order.append(cmd)
        self.by_name[row.name] = cmd
        return cmd

    def lookup(self, name: str) -> _Cmd | None:
        return self.by_name.get(name.lower())

    def family_mask(self, cmd: _Cmd) -> int:
        return (1 << cmd.id) | sum(1 << s.id for s in cmd.subs)


def _or(masks: Iterable[int]) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


_universe: _Universe | None = None


def universe() -> _Universe:
    global _universe
    if _universe is None:
        _universe = _Universe()
    return _universe


def commands_in(category: str) -> list[str]:
    """ACL CAT category: the commands in it (containers and subcommands by their full names)."""
    u = universe()
    return [c.name for c in u.order if category in c.cats]


# ---- passwords -------------------------------------------------------------------------------

def hash_password(password: bytes) -> str:
    return hashlib.sha256(password).hexdigest()


def _valid_hash(h: str) -> bool:
    return len(h) == 64 and all(c in "0123456789abcdef" for c in h)


def _has_spaces(s: str) -> bool:
    return any(c.isspace() or c == "\0" for c in s)


# ---- selectors and users ---------------------------------------------------------------------

class Selector:
    """Redis's aclSelector: allowed commands (a bit per command id, plus the "future commands" bit
    +@all sets), first-arg exceptions, key patterns with their read/write flags, channel patterns."""

    __slots__ = ("root", "allkeys", "allchannels", "allcommands", "bits", "future", "firstargs",
                 "patterns", "channels")

    def __init__(self, root: bool, allchannels: bool = False) -> None:
        self.root = root
        self.allkeys = False
        self.allchannels = allchannels
        self.allcommands = False
        self.bits = 0
        self.future = False
        self.firstargs: dict[int, list[str]] = {}
        self.patterns: list[list[Any]] = []   # [flags, pattern str]
        self.channels: list[str] = []

    def copy(self) -> "Selector":
        s = Selector(self.root)
        s.allkeys, s.allchannels, s.allcommands = self.allkeys, self.allchannels, self.allcommands
        s.bits, s.future = self.bits, self.future
        s.firstargs = {k: list(v) for k, v in self.firstargs.items()}
        s.patterns = [list(p) for p in self.patterns]
        s.channels = list(self.channels)
        return s

    # -- rules (ACLSetSelector) --
    def apply(self, op: str) -> None:
        low = op.lower()
        if low in ("allkeys", "~*"):
            self.allkeys, self.patterns = True, []
        elif low == "resetkeys":
            self.allkeys, self.patterns = False, []
        elif low in ("allchannels", "&*"):
            self.allchannels, self.channels = True, []
        elif low == "resetchannels":
            self.allchannels, self.channels = False, []
        elif low in ("allcommands", "+@all"):
            self.bits, self.future, self.allcommands, self.firstargs = universe().all_bits, True, True, {}
        elif low in ("nocommands", "-@all"):
            self.bits, self.future, self.allcommands, self.firstargs = 0, False, False, {}
        elif op[:1] in ("~", "%"):
            self._add_pattern(op)
        elif op[:1] == "&":
            if self.allchannels:
                raise RuleError(_CHANNELS_AFTER_ALL)
            if _has_spaces(op[1:]):
                raise RuleError(_SYNTAX)
            if op[1:] not in self.channels:
                self.channels.append(op[1:])
        elif op[:2] in ("+@", "-@"):
            category = op[2:].lower()
            if category not in universe().cat_mask:
                raise RuleError(_UNKNOWN)
            self._set_category(category, op[0] == "+")
        elif op[:1] == "+":
            self._allow(op[1:])
        elif op[:1] == "-":
            cmd = universe().lookup(op[1:])
            if cmd is None:
                raise RuleError(_UNKNOWN)
            self._change(cmd, False)
        else:
            raise RuleError(_SYNTAX)

    def _add_pattern(self, op: str) -> None:
        if self.allkeys:
            raise RuleError(_KEYS_AFTER_ALL)
        flags, offset = ALL_PERMS, 1
        if op[0] == "%":
            flags = 0
            while offset < len(op):
                ch = op[offset].upper()
                if ch == "R" and not flags & READ:
                    flags |= READ
                elif ch == "W" and not flags & WRITE:
                    flags |= WRITE
                elif op[offset] == "~":
                    offset += 1
                    break
                else:
                    raise RuleError(_SYNTAX)
                offset += 1
            if not flags:   # "%~x", "%": no permission named
                raise RuleError(_SYNTAX)
        pattern = op[offset:]
        if _has_spaces(pattern):
            raise RuleError(_SYNTAX)
        for p in self.patterns:
            if p[1] == pattern:
                p[0] |= flags
                return
        self.patterns.append([flags, pattern])

    def _allow(self, name: str) -> None:
        u = universe()
        if "|" not in name:
            cmd = u.lookup(name)
            if cmd is None:
                raise RuleError(_UNKNOWN)
            self._change(cmd, True)
            return
        container, _, sub = name.rpartition("|")
        cmd = u.lookup(container)
        if cmd is None:
            raise RuleError(_UNKNOWN)
        if cmd.parent is not None:
            raise RuleError(_SUB_FIRSTARG)
        if not sub:
            raise RuleError(_SYNTAX)
        if cmd.subs:
            full = u.lookup(name)
            if full is None:
                raise RuleError(_UNKNOWN)
            self._change(full, True)
            return
        allowed = self.firstargs.setdefault(cmd.id, [])   # SELECT|0: a first argument
        if sub.lower() not in (a.lower() for a in allowed):
            allowed.append(sub)

    def _change(self, cmd: _Cmd, allow: bool) -> None:
        """ACLChangeSelectorPerm: the command and its subcommands; a denial drops allcommands."""
        mask = universe().family_mask(cmd)
        self._set_bits(mask, allow)
        self.firstargs.pop(cmd.id, None)

    def _set_bits(self, mask: int, allow: bool) -> None:
        if allow:
            self.bits |= mask
        else:
            self.bits &= ~mask
            self.allcommands = False

    def _set_category(self, category: str, allow: bool) -> None:
        u = universe()
        self._set_bits(u.cat_family[category], allow)
        mask = u.cat_mask[category]
        for cid in [c for c in self.firstargs if mask >> c & 1]:
            del self.firstargs[cid]

    # -- description (ACLDescribeSelectorCommandRules) --
    def describe_commands(self) -> str:
        u = universe()
        fake = Selector(False)
        rules = []
        additive = not self.future
        if additive:
            rules.append("-@all")
        else:
            rules.append("+@all")
            fake.apply("+@all")
        temp_bits = self.bits
        applied: set[str] = set()
        while True:   # the best-fitting category each round, as Redis
            best, mindiff, maxsame = None, None, 0
            for cat in CATEGORIES:
                if cat in applied:
                    continue
                mask = u.cat_mask[cat]
                on = (temp_bits & mask).bit_count()
                off = mask.bit_count() - on
                diff, same = (off, on) if additive else (on, off)
                if same > diff and (mindiff is None or diff < mindiff or (diff == mindiff and same > maxsame)):
                    best, mindiff, maxsame = cat, diff, same
            if best is None:
                break
            op = ("+@" if additive else "-@") + best
            fake.apply(op)
            temp = Selector(False)
            temp.bits = temp_bits
            temp.apply(("-@" if additive else "+@") + best)
            temp_bits = temp.bits
            rules.append(op)
            applied.add(best)
        for cmd in u.order:   # single commands (Redis walks its command dict: order may differ)
            userbit = self.bits >> cmd.id & 1
            if userbit != fake.bits >> cmd.id & 1:
                rules.append(("+" if userbit else "-") + cmd.name)
                fake._change(cmd, bool(userbit))
            if not userbit:
                rules.extend(f"+{cmd.name}|{a}" for a in self.firstargs.get(cmd.id, ()))
        return " ".join(rules)

    def describe_keys(self) -> str:
        if self.allkeys:
            return "~*"
        return " ".join(_pattern_text(f, p) for f, p in self.patterns)

    def describe_channels(self) -> str:
        if self.allchannels:
            return "&*"
        return " ".join("&" + c for c in self.channels)

    def describe(self) -> str:
        parts = ["~*"] if self.allkeys else [_pattern_text(f, p) for f, p in self.patterns]
        if self.allchannels:
            parts.append("&*")
        else:
            parts.append("resetchannels")
            parts.extend("&" + c for c in self.channels)
        parts.append(self.describe_commands())
        return " ".join(parts)

    # -- checks (ACLSelectorCheckCmd) --
    def open(self) -> bool:
        return self.allkeys and self.allchannels and self.bits == universe().all_bits

    def check(self, cmd: _Cmd, args: list[bytes], keys: "_Lazy") -> tuple[int, int]:
        if not self.allcommands and not cmd.no_auth and not self.bits >> cmd.id & 1:
            allowed = self.firstargs.get(cmd.id)
            idx = 2 if cmd.parent is not None else 1
            if len(args) < 2 or not allowed or len(args) <= idx:
                return DENIED_CMD, 0
            first = args[idx].decode("latin-1").lower()
            if first not in (a.lower() for a in allowed):
                return DENIED_CMD, 0
        if not self.allkeys:
            for pos, key, flags in keys.keys():
                if not self.key_ok(key, flags):
                    return DENIED_KEY, pos
        if not self.allchannels:
            for pos, channel, is_pattern in keys.channels():
                if not self.channel_ok(channel, is_pattern):
                    return DENIED_CHANNEL, pos
        return OK, 0

    def key_ok(self, key: bytes, flags: int) -> bool:
        from redistill.keyspace import glob_match
        for pflags, pattern in self.patterns:
            if pflags & flags == flags and glob_match(pattern.encode("latin-1"), key):
                return True
        return False

    def channel_ok(self, channel: bytes, is_pattern: bool) -> bool:
        from redistill.keyspace import glob_match
        for pattern in self.channels:
            p = pattern.encode("latin-1")
            if (p == channel) if is_pattern else glob_match(p, channel):
                return True
        return False


def _pattern_text(flags: int, pattern: str) -> str:
    return {ALL_PERMS: "~", READ: "%R~", WRITE: "%W~"}[flags] + pattern


class User:
    __slots__ = ("name", "enabled", "nopass", "sanitize", "passwords", "selectors", "c_handle", "deleted")

    def __init__(self, name: str, pubsub_default: bool = False) -> None:
        self.name = name
        self.enabled = False
        self.nopass = False
        self.sanitize: str | None = None   # "sanitize-payload" / "skip-sanitize-payload" once set
        self.passwords: list[str] = []     # SHA-256 hex, as Redis keeps them
        self.selectors = [Selector(True, pubsub_default)]
        self.c_handle: Any = None          # csrc/acl.c's copy (see sync_c)
        self.deleted = False

    @property
    def root(self) -> Selector:
        return self.selectors[0]

    def copy_from(self, other: "User") -> None:
        self.enabled, self.nopass, self.sanitize = other.enabled, other.nopass, other.sanitize
        self.passwords = list(other.passwords)
        self.selectors = [s.copy() for s in other.selectors]

    def clone(self) -> "User":
        u = User(self.name)
        u.copy_from(self)
        return u

    def apply(self, op: str, pubsub_default: bool) -> None:
        """One rule (ACLSetUser); RuleError when it is bad."""
        low = op.lower()
        if not op:
            return
        if low == "on":
            self.enabled = True
        elif low == "off":
            self.enabled = False
        elif low in ("skip-sanitize-payload", "sanitize-payload"):
            self.sanitize = low
        elif low == "nopass":
            self.nopass, self.passwords = True, []
        elif low == "resetpass":
            self.nopass, self.passwords = False, []
        elif op[0] in ">#":
            h = hash_password(op[1:].encode("latin-1")) if op[0] == ">" else op[1:]
            if op[0] == "#" and not _valid_hash(h):
                raise RuleError(_BAD_HASH)
            if h not in self.passwords:
                self.passwords.append(h)
            self.nopass = False
        elif op[0] in "<!":
            h = hash_password(op[1:].encode("latin-1")) if op[0] == "<" else op[1:]
            if op[0] == "!" and not _valid_hash(h):
                raise RuleError(_BAD_HASH)
            if h not in self.passwords:
                raise RuleError(_NO_SUCH_PASS)
            self.passwords.remove(h)
        elif op[0] == "(" and op[-1] == ")":
            selector = Selector(False, pubsub_default)
            for inner in _split_args(op[1:-1]):
                selector.apply(inner)
            self.selectors.append(selector)
        elif low == "clearselectors":
            del self.selectors[1:]
        elif low == "reset":
            self.nopass, self.passwords = False, []
            root = self.root
            root.apply("resetkeys")
            root.apply("resetchannels")
            if pubsub_default:
                root.apply("allchannels")
            self.enabled = False
            self.sanitize = "sanitize-payload"
            del self.selectors[1:]
            root.apply("-@all")
        else:
            self.root.apply(op)

    def flags(self) -> list[str]:
        out = ["on" if self.enabled else "off"]
        if self.nopass:
            out.append("nopass")
        if self.sanitize:
            out.append(self.sanitize)
        return out

    def describe(self) -> str:
        """ACLDescribeUser: flags, password hashes, the root selector, then (selectors)."""
        parts = self.flags() + ["#" + h for h in self.passwords] + [self.root.describe()]
        parts.extend(f"({s.describe()})" for s in self.selectors[1:])
        return " ".join(parts)

    def open(self) -> bool:
        """Every command, key and channel: the checks can be skipped."""
        return self.root.open()

    def password_ok(self, password: bytes) -> bool:
        if self.nopass:
            return True
        hashed = hash_password(password)
        ok = False
        for h in self.passwords:   # every one compared, each in constant time
            ok |= hmac.compare_digest(hashed, h)
        return ok

    def check(self, cmd: _Cmd, args: list[bytes], spec: Any) -> tuple[int, int]:
        """ACLCheckAllUserCommandPerm: (OK, 0) or the reason and the argument position to log."""
        lazy = _Lazy(spec, args, cmd)
        relevant, last = DENIED_CMD, 0
        for s in self.selectors:
            reason, pos = s.check(cmd, args, lazy)
            if reason == OK:
                return OK, 0
            if reason > relevant or (reason == relevant and pos > last):
                relevant, last = reason, pos
        return relevant, last


    def unrestricted_read(self, cmd: _Cmd, args: list[bytes], spec: Any) -> bool:
        """ACLUserCheckCmdWithUnrestrictedKeyAccess for reading: some selector allows the command and
        reads every key (allkeys, or a "*" pattern that allows reading)."""
        lazy = _Lazy(spec, args, cmd)
        for s in self.selectors:
            if s.check(cmd, args, lazy)[0] == OK and (
                    s.allkeys or any(f & READ and p == "*" for f, p in s.patterns)):
                return True
        return False


_CHANNEL_ARGS = {"subscribe": (False, None), "ssubscribe": (False, None), "psubscribe": (True, None),
                 "publish": (False, 1), "spublish": (False, 1)}


class _Lazy:
    """A command's keys and channels, found once for all the selectors that need them."""

    def __init__(self, spec: Any, args: list[bytes], cmd: _Cmd) -> None:
        self.spec, self.args, self.cmd = spec, args, cmd
        self._keys: list | None = None

    def keys(self) -> list[tuple[int, bytes, int]]:
        if self._keys is None:
            self._keys = _command_keys(self.spec, self.args)
        return self._keys

    def channels(self) -> Iterable[tuple[int, bytes, bool]]:
        kind = _CHANNEL_ARGS.get(self.cmd.name)
        if kind is None:
            return ()
        is_pattern, count = kind
        stop = len(self.args) if count is None else min(len(self.args), 1 + count)
        return [(i, self.args[i], is_pattern) for i in range(1, stop)]


def _command_keys(spec: Any, args: list[bytes]) -> list[tuple[int, bytes, int]]:
    """(position, key, READ/WRITE needs) of each key (getKeysFromCommandWithSpecs; shard channels,
    "not_key" specs, are no keys here)."""
    from redistill.commands import server
    from redistill.errors import CommandError
    if spec is None or not spec.key_specs or all("not_key" in ks.flags for ks in spec.key_specs):
        return []
    try:
        found = server._keys_and_flags(spec, args)
    except CommandError:
        return []
    out, start = [], 1
    for key, flags in found:
        if "not_key" in flags:
            continue
        pos = next((i for i in range(start, len(args)) if args[i] is key), None)
        if pos is None:
            pos = next((i for i in range(1, len(args)) if args[i] == key), 0)
        else:
            start = pos + 1
        need = (READ if "access" in flags else 0) | (WRITE if {"insert", "delete", "update"} & set(flags) else 0)
        out.append((pos, key, need))
    return out


def _split_args(text: str) -> list[str]:
    """sdssplitargs-like splitting of a selector's inside, or of an ACL file line."""
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        raise RuleError(_SYNTAX) from None


def merge_selectors(args: list[str]) -> list[str]:
    """ACLMergeSelectorArguments: a selector given over several arguments becomes one;
    RuleError("Unmatched parenthesis ...") when one never closes."""
    out: list[str] = []
    current: str | None = None
    start = ""
    for op in args:
        if current is None and op.startswith("(") and not op.endswith(")"):
            current, start = op, op
            continue
        if current is not None:
            current += " " + op
            if op.endswith(")"):
                out.append(current)
                current = None
            continue
        out.append(op)
    if current is not None:
        raise RuleError(f"Unmatched parenthesis in acl selector starting at '{start}'.")
    return out


# ---- the registry: the server's users, the ACL LOG, counters ---------------------------------

class LogEntry:
    __slots__ = ("count", "reason", "context", "object", "username", "ctime", "cinfo")

    def __init__(self, reason: int, context: str, obj: str, username: str, cinfo: str) -> None:
        self.count, self.reason, self.context, self.object = 1, reason, context, obj
        self.username, self.ctime, self.cinfo = username, time.time() * 1000, cinfo


class Registry:
    """The server's users (a dict in name order for LIST), the ACL LOG and the denial counters."""

    def __init__(self, password: str | None, log_max: int = 128) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.log: list[LogEntry] = []
        self.log_max = log_max
        self.pubsub_default = False
        self.denied = {DENIED_AUTH: 0, DENIED_CMD: 0, DENIED_KEY: 0, DENIED_CHANNEL: 0}
        default = default_user()
        self.users["default"] = default
        self.default = default
        if password:
            self.set_default_password(password)

    def get(self, name: str) -> User | None:
        return self.users.get(name)

    def set_default_password(self, password: str | None) -> None:
        """requirepass: the default user's one password (None: nopass)."""
        with self.lock:
            self.default.apply("resetpass", False)
            self.default.apply(">" + password if password else "nopass", False)

    def auth_required(self) -> bool:
        d = self.default
        return not d.nopass or not d.enabled

    def authenticate(self, name: bytes, password: bytes) -> User | None:
        user = self.users.get(name.decode("latin-1"))
        if user is None or not user.enabled or not user.password_ok(password):
            return None
        return user

    def set_user(self, name: str, ops: list[str]) -> tuple[User, User | None]:
        """ACL SETUSER: every rule applied to a copy, kept only if all are good (RuleError names the
        bad one).  Returns (the user, its state before: None for a new user)."""
        with self.lock:
            merged = merge_selectors(ops)
            current = self.users.get(name)
            temp = current.clone() if current is not None else User(name, self.pubsub_default)
            for op in merged:
                try:
                    temp.apply(op, self.pubsub_default)
                except RuleError as e:
                    raise RuleError(f"Error in ACL SETUSER modifier '{op}': {e}") from None
            if current is None:
                self.users = dict(sorted({**self.users, name: temp}.items()))
                return temp, None
            before = current.clone()
            current.copy_from(temp)
            return current, before

    def delete(self, name: str) -> User | None:
        with self.lock:
            user = self.users.pop(name, None)
            if user is not None:
                user.deleted = True
            return user

    def replace_all(self, users: dict[str, User]) -> list[User]:
        """ACL LOAD: the new set (default kept as an object if redefined); returns the users gone or
        changed, whose clients Redis disconnects."""
        with self.lock:
            old = self.users
            if "default" in users:
                self.default.copy_from(users["default"])
            users["default"] = self.default
            self.users = dict(sorted(users.items()))
            return [u for n, u in old.items() if n != "default"]

    # -- the ACL LOG --
    def add_log(self, reason: int, context: str, obj: str, username: str, cinfo: str) -> None:
        entry = LogEntry(reason, context, obj, username, cinfo)
        with self.lock:
            self.denied[reason] += 1
            for i, e in enumerate(self.log[:10]):
                if (e.reason == reason and e.context == context and abs(e.ctime - entry.ctime) <= _LOG_GROUP_MS
                        and e.object == obj and e.username == username):
                    e.cinfo, e.ctime = cinfo, entry.ctime
                    e.count += 1
                    del self.log[i]
                    self.log.insert(0, e)
                    return
            self.log.insert(0, entry)
            del self.log[max(self.log_max, 0):]

    def set_log_max(self, n: int) -> None:
        with self.lock:
            self.log_max = n
            del self.log[max(n, 0):]

    def reset_denied(self) -> None:
        """CONFIG RESETSTAT: INFO's acl_access_denied_* from 0."""
        with self.lock:
            for reason in self.denied:
                self.denied[reason] = 0

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()


# ---- the ACL file ----------------------------------------------------------------------------

def default_user() -> User:
    """Redis's ACLCreateDefaultUser: every command, key and channel, no password."""
    user = User("default")
    for op in ("+@all", "~*", "&*", "on", "nopass"):
        user.apply(op, False)
    return user


def parse_rules(name: str, ops: list[str], pubsub_default: bool) -> User:
    """A user from its name and rules (a TOML users entry); RuleError naming the bad rule."""
    if not name or _has_spaces(name):
        raise RuleError(f"username '{name}' contains invalid characters")
    user = User(name, pubsub_default)
    for op in merge_selectors(ops):
        try:
            user.apply(op, pubsub_default)
        except RuleError as e:
            raise RuleError(f"Error in user declaration '{op}': {e}") from None
    return user


def load_lines(lines: Iterable[str], pubsub_default: bool, path: str,
               base: dict[str, User] | None = None) -> dict[str, User]:
    """ACLLoadFromFile: "user NAME rules..." lines split on single spaces, over the `base` users
    (the TOML's); RuleError with every problem in Redis's words when any line is bad."""
    users = {n: u.clone() for n, u in (base or {}).items()}
    seen: set[str] = set()
    problems: list[str] = []
    for n, raw in enumerate(lines, 1):
        line = raw.strip(" \t\r\n")
        if not line:
            continue
        argv = line.split(" ")
        if argv[0] != "user" or len(argv) < 2:
            problems.append(f"{path}:{n} should start with user keyword followed by the username. ")
            continue
        name = argv[1]
        if _has_spaces(name):
            problems.append(f"'{path}:{n}: username '{name}' contains invalid characters. ")
            continue
        if name in seen:
            problems.append(f"WARNING: Duplicate user '{name}' found on line {n}. ")
            continue
        seen.add(name)
        user = users[name] = User(name, pubsub_default)
        try:
            merged = merge_selectors(argv[2:])
        except RuleError:
            problems.append(f"{path}:{n}: Unmatched parenthesis in selector definition.")
            merged = []
        syntax_error = False
        for op in merged:
            op = op.strip("\t\r\n")
            try:
                user.apply(op, pubsub_default)
            except RuleError as e:
                if str(e) == _UNKNOWN:
                    problems.append(f"{path}:{n}: Error in applying operation '{op}': {e}. ")
                elif not syntax_error:
                    problems.append(f"{path}:{n}: {e}. ")
                    syntax_error = True
    if problems:
        raise RuleError("".join(problems) + "WARNING: ACL errors detected, no change to the previously "
                        "active ACL rules was performed")
    return users   # without a "default" line the default user stays as it is (requirepass)


def load_file(path: str, pubsub_default: bool, base: dict[str, User] | None = None) -> dict[str, User]:
    try:
        with open(path, encoding="latin-1") as f:
            text = f.read()
    except OSError as e:
        raise RuleError(f"Error loading ACLs, opening file '{path}': {e.strerror}") from None
    return load_lines(text.split("\n"), pubsub_default, path, base)


def save_file(path: str, users: Iterable[User]) -> None:
    """ACL SAVE: written to a temporary file renamed over the old one, as Redis."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="latin-1") as f:
        for u in users:
            f.write(f"user {u.name} {u.describe()}\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---- the fast path's copy (csrc/acl.c) ----------------------------------------------------------

_fast_names: list[str] | None = None


def sync_c(user: User) -> None:
    """Writes the user's root selector into its C handle (created on first use).  Under the gate
    held exclusive, or before any connection uses the handle."""
    global _fast_names
    from redistill import core
    from redistill.keyspace import fast_command_names
    if user.c_handle is None:
        user.c_handle = core.acl_new()
    if _fast_names is None:
        _fast_names = fast_command_names()
    root = user.root
    if user.deleted:   # its connections are being closed: nothing more runs in C
        bits, open_, allkeys, patterns = b"", 0, 0, b""
    else:
        open_ = int(user.open())
        u = universe()
        bits_int = 0
        for i, name in enumerate(_fast_names):
            cmd = u.lookup(name)
            if cmd is None or not (root.allcommands or root.bits >> cmd.id & 1):
                continue
            if name in _CHANNEL_ARGS and not root.allchannels:
                continue   # its channel is Python's to check
            bits_int |= 1 << i
        bits = bits_int.to_bytes((len(_fast_names) + 7) // 8, "little")
        allkeys = int(root.allkeys)
        patterns = b"".join(p.encode("latin-1") + b"\0" for f, p in root.patterns if f == ALL_PERMS)
    core.acl_update(user.c_handle, open_, bits, allkeys, patterns)
