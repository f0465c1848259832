"""Pub/Sub: SUBSCRIBE & co., PUBSUB, and the subscribed mode's PING.  The registry and PUBLISH's
fan-out live in C (csrc/pubsub.c; PUBLISH and SPUBLISH are its tx handlers, on the fast path and
through rd_exec), so scripts and the fast path publish without Python; this module drives a
client's own (un)subscriptions and answers PUBSUB.

Confirmations ([subscribe, channel, count] ...) are pushes to Redis: they bypass CLIENT REPLY
OFF/SKIP, so they go straight to the connection's output (Connection.push) except inside EXEC,
where they are elements of its reply, as Redis writes them.
"""
from __future__ import annotations

from typing import Any

from redistill import core, errors
from redistill.commands.args import help_reply
from redistill.errors import CommandError
from redistill.protocol import Encoded

# What a RESP2 client may run while subscribed (Redis's processCommand).
SUBSCRIBED_OK = frozenset(("ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
                           "psubscribe", "punsubscribe", "quit", "reset"))


def _out(client: Any, data: bytes) -> Encoded:
    if getattr(client, "in_exec", False):
        return Encoded(data)
    client.push(data)
    return Encoded(b"")


# SUBSCRIBE channel [channel ...]
def subscribe(client: Any, args: list[bytes]) -> Encoded:
    return _out(client, client.pubsub_subscribe(core.PS_CHANNEL, args[1:]))


# PSUBSCRIBE pattern [pattern ...]
def psubscribe(client: Any, args: list[bytes]) -> Encoded:
    return _out(client, client.pubsub_subscribe(core.PS_PATTERN, args[1:]))


# SSUBSCRIBE shardchannel [shardchannel ...]
def ssubscribe(client: Any, args: list[bytes]) -> Encoded:
    return _out(client, client.pubsub_subscribe(core.PS_SHARD, args[1:]))


# UNSUBSCRIBE [channel ...]
def unsubscribe(client: Any, args: list[bytes]) -> Encoded:
    return _out(client, client.pubsub_unsubscribe(core.PS_CHANNEL, args[1:]))


# PUNSUBSCRIBE [pattern ...]
def punsubscribe(client: Any, args: list[bytes]) -> Encoded:
    return _out(client, client.pubsub_unsubscribe(core.PS_PATTERN, args[1:]))


# SUNSUBSCRIBE [shardchannel ...]
def sunsubscribe(client: Any, args: list[bytes]) -> Encoded:
    return _out(client, client.pubsub_unsubscribe(core.PS_SHARD, args[1:]))


# PING [message], in RESP2's subscribed mode: ["pong", message or ""]
def subscribed_ping(client: Any, args: list[bytes]) -> list[bytes]:
    if len(args) > 2:
        raise CommandError(errors.wrong_arity("ping"))
    return [b"pong", args[1] if len(args) == 2 else b""]


def refused(spec_name: str) -> CommandError:
    """Anything else a RESP2 subscriber sends."""
    return CommandError(errors.subscribed_context(spec_name))


# PUBSUB CHANNELS [pattern]
def channels(client: Any, args: list[bytes]) -> Encoded:
    return _list(core.PS_CHANNEL, args)


# PUBSUB SHARDCHANNELS [pattern]
def shardchannels(client: Any, args: list[bytes]) -> Encoded:
    return _list(core.PS_SHARD, args)


def _list(kind: int, args: list[bytes]) -> Encoded:
    if len(args) > 3:   # Redis: PUBSUB CHANNELS takes at most one pattern
        raise CommandError(errors.subcommand_syntax(args[1], "PUBSUB"))
    return Encoded(core.ps_channels(kind, args[2] if len(args) == 3 else None))


# PUBSUB NUMSUB [channel ...]
def numsub(client: Any, args: list[bytes]) -> list:
    return [x for name in args[2:] for x in (name, core.ps_numsub(core.PS_CHANNEL, name))]


# PUBSUB SHARDNUMSUB [shardchannel ...]
def shardnumsub(client: Any, args: list[bytes]) -> list:
    return [x for name in args[2:] for x in (name, core.ps_numsub(core.PS_SHARD, name))]


# PUBSUB NUMPAT
def numpat(client: Any, args: list[bytes]) -> int:
    return core.ps_count(core.PS_PATTERN)


# PUBSUB HELP
def help_(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("PUBSUB", [
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
    ])


def info_fields() -> list[tuple[str, int]]:
    """INFO stats' lines."""
    return [("pubsub_channels", core.ps_count(core.PS_CHANNEL)),
            ("pubsub_patterns", core.ps_count(core.PS_PATTERN)),
            ("pubsubshard_channels", core.ps_count(core.PS_SHARD))]


def limit_disconnections() -> int:
    """Subscribers C dropped over the pubsub output limit (INFO)."""
    return core.ps_limit_disconnections()
