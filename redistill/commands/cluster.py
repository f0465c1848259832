"""CLUSTER subcommands, READONLY, READWRITE and ASKING for emulated cluster mode.

Rules:
  - the replies are Redis 7.0's, shape and bytes (tests/scaleout/test_cluster.py compares them with a
    real `redis-server --cluster-enabled yes`); the topology they describe is redistill/cluster.py's;
  - with cluster_mode off every command here answers like a Redis without cluster support;
  - emulated means static: every node is a healthy master, no replicas, no migrations, so the
    fields Redis fills from gossip (ping times, message counters) hold fixed values.
"""
from __future__ import annotations

import time
from typing import Any

from redistill import errors
from redistill.cluster import SLOTS, Node, Topology
from redistill.commands.args import help_reply, parse_ll
from redistill.errors import CommandError
from redistill.keyspace import key_slot
from redistill.protocol import Verbatim


def _topology(client: Any) -> Topology:
    topology = client.server.cluster
    if topology is None:
        raise CommandError(errors.CLUSTER_DISABLED)
    return topology


# READONLY / READWRITE / ASKING: accepted (no replicas to read from, no slot migrations).
def accept(client: Any, args: list[bytes]) -> str:
    _topology(client)
    return "OK"


# CLUSTER KEYSLOT key
def keyslot(client: Any, args: list[bytes]) -> int:
    _topology(client)
    return key_slot(args[2])


# CLUSTER MYID
def myid(client: Any, args: list[bytes]) -> bytes:
    return _topology(client).me.id.encode()


# CLUSTER INFO
def info(client: Any, args: list[bytes]) -> Verbatim:
    t = _topology(client)
    n = len(t.nodes)
    rows = [("cluster_state", "ok"), ("cluster_slots_assigned", SLOTS), ("cluster_slots_ok", SLOTS),
            ("cluster_slots_pfail", 0), ("cluster_slots_fail", 0), ("cluster_known_nodes", n),
            ("cluster_size", n), ("cluster_current_epoch", n), ("cluster_my_epoch", t.me.epoch),
            ("cluster_stats_messages_sent", 0), ("cluster_stats_messages_received", 0),
            ("total_cluster_links_buffer_limit_exceeded", 0)]
    return Verbatim("txt", "".join(f"{k}:{v}\r\n" for k, v in rows))


# CLUSTER SLOTS
def slots(client: Any, args: list[bytes]) -> list:
    # Each node: ip, port, id and a map of its other endpoints (none here).
    return [[n.first, n.last, [n.host.encode(), n.port, n.id.encode(), {}]] for n in _topology(client).nodes]


# CLUSTER SHARDS
def shards(client: Any, args: list[bytes]) -> list:
    return [{b"slots": [n.first, n.last], b"nodes": [_shard_node(n)]} for n in _topology(client).nodes]


def _shard_node(n: Node) -> dict:
    host = n.host.encode()
    return {b"id": n.id.encode(), b"port": n.port, b"ip": host, b"endpoint": host, b"role": b"master",
            b"replication-offset": 0, b"health": b"online"}


# CLUSTER NODES
def nodes(client: Any, args: list[bytes]) -> Verbatim:
    t = _topology(client)
    now_ms = int(time.time() * 1000)  # "last pong received": every link is always up here
    lines = [f"{n.id} {n.addr}@{n.port + 10000} {'myself,master' if n is t.me else 'master'} - 0 "
             f"{now_ms} {n.epoch} connected {n.first}-{n.last}\n" for n in t.nodes]
    return Verbatim("txt", "".join(lines))


def _keys_in_slot(client: Any, slot: int) -> list[bytes]:
    # No per-slot index: one walk of this node's keys (O(N), where Redis is O(1)).
    return [k for k in client.server.keyspace.keys(b"*") if key_slot(k) == slot]


# CLUSTER COUNTKEYSINSLOT slot
def countkeysinslot(client: Any, args: list[bytes]) -> int:
    _topology(client)
    slot = parse_ll(args[2])
    if not 0 <= slot < SLOTS:
        raise CommandError(errors.INVALID_SLOT)
    return len(_keys_in_slot(client, slot))


# CLUSTER GETKEYSINSLOT slot count
def getkeysinslot(client: Any, args: list[bytes]) -> list[bytes]:
    _topology(client)
    slot, count = parse_ll(args[2]), parse_ll(args[3])
    if not 0 <= slot < SLOTS or count < 0:
        raise CommandError(errors.INVALID_SLOT_OR_COUNT)
    return _keys_in_slot(client, slot)[:count]


# CLUSTER HELP: Redis's lines for the subcommands an emulated cluster has.
def help_(client: Any, args: list[bytes]) -> list[str]:
    _topology(client)
    return help_reply("CLUSTER", [
        "COUNTKEYSINSLOT <slot>", "    Return the number of keys in <slot>.",
        "GETKEYSINSLOT <slot> <count>", "    Return key names stored by current node in a slot.",
        "INFO", "    Return information about the cluster.",
        "KEYSLOT <key>", "    Return the hash slot for <key>.",
        "MYID", "    Return the node id.",
        "NODES", "    Return cluster configuration seen by node. Output format:",
        "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
        "SLOTS", "    Return information about slots range mappings. Each range is made of:",
        "    start, end, master and replicas IP addresses, ports and ids",
        "SHARDS", "    Return information about slot range mappings and the nodes associated with them.",
    ])
