"""Helpers shared by the command families: Redis's strict integers, option words, HELP replies."""
from __future__ import annotations

import re

from redistill import errors
from redistill.errors import CommandError

LLONG_MIN = -(1 << 63)
LLONG_MAX = (1 << 63) - 1
INT_MIN = -(1 << 31)
INT_MAX = (1 << 31) - 1

# Redis's string2ll: optional "-", no "+", no spaces, no leading zeros ("0" alone is fine, "-0" not).
_LL = re.compile(rb"0|-?[1-9][0-9]*\Z")


def parse_ll(arg: bytes, error: str | None = None) -> int:
    """A 64-bit signed integer exactly as getLongLongFromObjectOrReply accepts it, else CommandError
    (`error`, or errors.NOT_INTEGER)."""
    if len(arg) <= 20 and _LL.fullmatch(arg):
        value = int(arg)
        if LLONG_MIN <= value <= LLONG_MAX:
            return value
    raise CommandError(error or errors.NOT_INTEGER)


def parse_int(arg: bytes) -> int:
    """A C int (getIntFromObjectOrReply): a valid long long outside int range has its own error."""
    value = parse_ll(arg)
    if not INT_MIN <= value <= INT_MAX:  # getRangeLongFromObjectOrReply's own wording
        raise CommandError(errors.long_range(INT_MIN, INT_MAX))
    return value


def word(arg: bytes) -> bytes:
    """An option word for case-insensitive comparison, e.g. word(a) == b"nx".  Redis compares with
    strcasecmp on the C string, so the word ends at the first NUL: "nx\\0junk" is NX."""
    return arg.split(b"\0", 1)[0].lower()


def help_reply(container: str, lines: list[str]) -> list[str]:
    """addReplyHelp: a usage line, the subcommand lines, then HELP, as status strings."""
    return [f"{container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", *lines,
            "HELP", "    Prints this help."]
