"""OBJECT HELP and MEMORY HELP: plain text, kept with the other HELP replies in Python.  Every other
key command runs wholly in C (csrc/cmd_keys.c, OBJECT and MEMORY USAGE included): their table rows
name datatypes.run."""
from __future__ import annotations

from typing import Any

from redistill.commands.args import help_reply


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


# MEMORY HELP   (only USAGE is served so far)
def memory_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("MEMORY", [
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
    ])
