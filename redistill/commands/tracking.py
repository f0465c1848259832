"""Client-side caching: CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO, and the keys a tracking
client reads.  The tracking table, BCAST's prefixes and the invalidation messages are C's
(csrc/tracking.c: every write path, fast or not, invalidates there); this module checks the options
as Redis's clientCommand does, keeps the client's mode for CLIENT LIST and TRACKINGINFO, and tells C
which keys a tracking client's read-only commands read (before they run: see tracking.c's rule 2).

A plain-mode tracking client keeps the fast path, whose reads remember their keys in C (the key
positions configure_fast_reads gives it); BCAST, OPTIN and OPTOUT clients run their commands on the
Python path (Connection._update_fast), where call() remembers.  A client that does not track pays one
flag test per batch and per command; a write pays one relaxed load of C's "anybody tracking" flag.
"""
from __future__ import annotations

from typing import Any

from redistill import core, errors
from redistill.commands.args import parse_ll, word
from redistill.errors import CommandError
from redistill.protocol import SetReply

_OPTIONS = {b"bcast": core.TRK_BCAST, b"optin": core.TRK_OPTIN, b"optout": core.TRK_OPTOUT,
            b"noloop": core.TRK_NOLOOP}
# Redis never runs these through trackingRememberKeys: a script's own reads are its commands'.
_NOT_REMEMBERED = frozenset(("eval_ro", "evalsha_ro", "fcall_ro"))


class Tracking:
    """A tracking client's mode (owner thread only): RD_TRK_* flags, the redirection (0: none),
    BCAST's prefixes in the order given, and CLIENT CACHING's flag for the next command."""
    __slots__ = ("flags", "redirect", "prefixes", "caching")

    @property
    def plain(self) -> bool:
        """No BCAST, OPTIN or OPTOUT: the fast path serves it (C remembers its fast reads' keys)."""
        return not self.flags & (core.TRK_BCAST | core.TRK_OPTIN | core.TRK_OPTOUT)

    def __init__(self) -> None:
        self.flags = 0
        self.redirect = 0
        self.prefixes: list[bytes] = []
        self.caching = False


def _parse(client: Any, args: list[bytes]) -> tuple[int, int, list[bytes]]:
    redirect, flags, prefixes = 0, 0, []
    j = 3
    while j < len(args):
        opt = word(args[j])
        more = j + 1 < len(args)
        if opt == b"redirect" and more:
            j += 1
            if redirect:
                raise CommandError(errors.TRACKING_ONE_REDIRECT)
            redirect = parse_ll(args[j])
            if not any(c.id == redirect for c in client.server.clients()):
                raise CommandError(errors.TRACKING_NO_REDIRECT_TARGET)
        elif opt in _OPTIONS:
            flags |= _OPTIONS[opt]
        elif opt == b"prefix" and more:
            j += 1
            prefixes.append(args[j])
        else:
            raise CommandError(errors.SYNTAX)
        j += 1
    return redirect, flags, prefixes


def _overlap(a: bytes, b: bytes) -> bool:
    return a[:len(b)] == b[:len(a)]


def _check_on(t: Tracking | None, flags: int, prefixes: list[bytes]) -> None:
    """Redis's checks before enableTracking, in its order."""
    if not flags & core.TRK_BCAST and prefixes:
        raise CommandError(errors.TRACKING_PREFIX_NEEDS_BCAST)
    if t is not None and bool(t.flags & core.TRK_BCAST) != bool(flags & core.TRK_BCAST):
        raise CommandError(errors.TRACKING_BCAST_SWITCH)
    if flags & core.TRK_BCAST and flags & (core.TRK_OPTIN | core.TRK_OPTOUT):
        raise CommandError(errors.TRACKING_BCAST_OPTIN)
    if flags & core.TRK_OPTIN and flags & core.TRK_OPTOUT:
        raise CommandError(errors.TRACKING_OPTIN_OPTOUT)
    old = t.flags if t is not None else 0
    if (flags & core.TRK_OPTIN and old & core.TRK_OPTOUT) or (flags & core.TRK_OPTOUT and old & core.TRK_OPTIN):
        raise CommandError(errors.TRACKING_OPT_SWITCH)
    if flags & core.TRK_BCAST:
        existing = t.prefixes if t is not None else []
        for i, p in enumerate(prefixes):
            for q in existing:
                if _overlap(q, p):
                    raise CommandError(errors.tracking_prefix_overlap(p, q, True))
            for q in prefixes[i + 1:]:
                if _overlap(p, q):
                    raise CommandError(errors.tracking_prefix_overlap(p, q, False))


# CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
def client_tracking(client: Any, args: list[bytes]) -> str:
    redirect, flags, prefixes = _parse(client, args)
    mode = word(args[2])
    if mode == b"on":
        t = client.tracking
        _check_on(t, flags, prefixes)
        if t is None:
            t = Tracking()
        t.flags = core.TRK_ON | flags
        t.redirect = redirect
        if flags & core.TRK_BCAST:   # Redis keeps a client's prefixes until tracking goes off
            new = prefixes or [b""]
            t.prefixes += [p for p in new if p not in t.prefixes]
        core.trk_enable(client.c_handle, t.flags, redirect, prefixes)
        client.set_tracking(t)
    elif mode == b"off":
        if client.tracking is not None:
            core.trk_disable(client.c_handle)
            client.set_tracking(None)
    else:
        raise CommandError(errors.SYNTAX)
    return "OK"


# CLIENT CACHING YES|NO
def client_caching(client: Any, args: list[bytes]) -> str:
    t = client.tracking
    if t is None:
        raise CommandError(errors.CACHING_NOT_TRACKING)
    opt = word(args[2])
    if opt == b"yes":
        if not t.flags & core.TRK_OPTIN:
            raise CommandError(errors.CACHING_YES)
    elif opt == b"no":
        if not t.flags & core.TRK_OPTOUT:
            raise CommandError(errors.CACHING_NO)
    else:
        raise CommandError(errors.SYNTAX)
    t.caching = True
    return "OK"


# CLIENT GETREDIR
def client_getredir(client: Any, args: list[bytes]) -> int:
    t = client.tracking
    return -1 if t is None else t.redirect


def flags_of(client: Any) -> list[bytes]:
    """TRACKINGINFO's flags, in Redis's order."""
    t = client.tracking
    if t is None:
        return [b"off"]
    out = [b"on"]
    if t.flags & core.TRK_BCAST:
        out.append(b"bcast")
    if t.flags & core.TRK_OPTIN:
        out += [b"optin"] + ([b"caching-yes"] if t.caching else [])
    if t.flags & core.TRK_OPTOUT:
        out += [b"optout"] + ([b"caching-no"] if t.caching else [])
    if t.flags & core.TRK_NOLOOP:
        out.append(b"noloop")
    if core.trk_flags(client.c_handle) & core.TRK_BROKEN_REDIR:
        out.append(b"broken_redirect")
    return out


# CLIENT TRACKINGINFO
def client_trackinginfo(client: Any, args: list[bytes]) -> dict:
    t = client.tracking
    return {b"flags": SetReply(flags_of(client)), b"redirect": -1 if t is None else t.redirect,
            b"prefixes": list(t.prefixes) if t is not None else []}


def list_flags(c: Any) -> str:
    """CLIENT LIST's t, R and B (in that order; owner's state read as Redis reads another client's)."""
    t = getattr(c, "tracking", None)
    if t is None:
        return ""
    handle = getattr(c, "c_handle", None)
    broken = handle is not None and core.trk_flags(handle) & core.TRK_BROKEN_REDIR
    return "t" + ("R" if broken else "") + ("B" if t.flags & core.TRK_BCAST else "")


def redir_of(c: Any) -> int:
    """CLIENT LIST's redir=."""
    t = getattr(c, "tracking", None)
    return -1 if t is None else t.redirect


def _remembers(t: Tracking) -> bool:
    """BCAST remembers nothing; OPTIN only after CACHING YES, OPTOUT unless CACHING NO."""
    if t.flags & core.TRK_BCAST:
        return False
    return not ((t.flags & core.TRK_OPTIN and not t.caching) or (t.flags & core.TRK_OPTOUT and t.caching))


def remember(client: Any, spec: Any, keys: Any) -> None:
    """Redis's trackingRememberKeys for a read-only command (keys: a callable giving its keys)."""
    if "readonly" not in spec.flags or spec.name in _NOT_REMEMBERED or not _remembers(client.tracking):
        return
    try:
        found = keys()
    except CommandError:   # a bad numkeys: the command fails; Redis finds no key
        return
    core.trk_remember(client.c_handle, list(found))


def remember_declared(client: Any, args: list[bytes]) -> None:
    """A script that called a read-only command: Redis remembers the keys EVAL declared."""
    if _remembers(client.tracking):
        numkeys = int(args[2])   # the script ran, so numkeys was valid
        core.trk_remember(client.c_handle, list(args[3:3 + numkeys]))


def flush_self(client: Any) -> None:
    """What eviction before the command told this client goes before its reply, as on Redis."""
    core.trk_flush_self(client.c_handle)


def after_command(client: Any, args: list[bytes]) -> None:
    """CLIENT CACHING's flag lasts for the next command (or transaction): Redis's resetClient."""
    t = client.tracking
    if t is not None and t.caching and client.multi is None and word(args[0]) != b"client":
        t.caching = False


def configure_fast_reads(specs: list[Any]) -> None:
    """The key positions of the fast path's read-only commands (rd_fast_command's order, specs),
    which a plain-mode tracking client's fast reads remember.  Start-up only."""
    for i, s in enumerate(specs):
        if "readonly" not in s.flags or s.name in _NOT_REMEMBERED or s.first_key == 0:
            continue
        first, last, step = (-1, 0, 0) if "movablekeys" in s.flags else (s.first_key, s.last_key, s.step)
        core.trk_command_keys(i, first, last, step)


def info_clients() -> int:
    return core.trk_stats()[0]


def info_keyspace_fields() -> list[tuple[str, int]]:
    """INFO stats' tracking_total_keys, tracking_total_items, tracking_total_prefixes."""
    _, total_keys, items, prefixes = core.trk_stats()
    return [("tracking_total_keys", total_keys), ("tracking_total_items", items),
            ("tracking_total_prefixes", prefixes)]
