"""Emulated cluster mode: a static topology that every node computes alike from the same
configuration, and the key routing of the Python path.

Rules:
  - the topology is cluster_nodes, in order, and nothing else (no gossip, no failover, no
    resharding): the 16384 slots are cut into contiguous ranges in list order exactly as
    `redis-cli --cluster create` cuts them for masters, and a node's id is sha1("host:port"), so
    every node answers CLUSTER SLOTS / NODES / SHARDS with the same topology;
  - routing follows Redis's getNodeByQuery: keys hashing to two slots -> -CROSSSLOT; one slot
    another node owns -> -MOVED <slot> <host>:<port>; keyless commands are never redirected; the
    fast path hands every such command to Python (csrc/cluster.c), so these replies exist here only;
  - a node serves every key of the slots it owns; KEYS, SCAN, DBSIZE stay node-local, as in Redis.
"""
from __future__ import annotations

import bisect
import hashlib
import math
import struct
from dataclasses import dataclass
from typing import Any, Iterable

from redistill import errors
from redistill.errors import CommandError

SLOTS = 16384


@dataclass(frozen=True)
class Node:
    host: str
    port: int
    id: str      # 40 hex digits: sha1("host:port")
    first: int   # its slot range, inclusive
    last: int
    epoch: int   # its position in the list, from 1 (Redis's config epoch after --cluster create)

    @property
    def addr(self) -> str:
        return f"{self.host}:{self.port}"


def _f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def split_slots(n: int) -> list[tuple[int, int]]:
    """redis-cli's clusterManagerCommandCreate for n masters, in its single-precision float
    arithmetic, so the ranges are the ones a real `--cluster create` assigns (0-5460, 5461-10922,
    10923-16383 for three)."""
    per = _f32(SLOTS / n)
    ranges, first, cursor = [], 0, 0.0
    for i in range(n):
        last = math.floor(_f32(_f32(cursor + per) - 1) + 0.5)  # lround of a positive float
        if last > SLOTS or i == n - 1:
            last = SLOTS - 1
        last = max(last, first)
        ranges.append((first, last))
        first = last + 1
        cursor = _f32(cursor + per)
    return ranges


def node_id(addr: str) -> str:
    return hashlib.sha1(addr.encode()).hexdigest()


class Topology:
    """The cluster as every node sees it; `me` is this node."""

    def __init__(self, addrs: list[tuple[str, int]], me: int) -> None:
        self.nodes = [Node(h, p, node_id(f"{h}:{p}"), first, last, i + 1)
                      for i, ((h, p), (first, last)) in enumerate(zip(addrs, split_slots(len(addrs))))]
        self.me = self.nodes[me]
        self._firsts = [n.first for n in self.nodes]

    @classmethod
    def from_config(cls, cfg: Any) -> "Topology | None":
        """None when cluster_mode is off; config.py has already checked that cluster_nodes names
        this node (cluster_announce, or bind:port)."""
        if cfg.cluster_mode != "emulated":
            return None
        addrs = [split_addr(a) for a in cfg.cluster_nodes]
        return cls(addrs, addrs.index(split_addr(self_addr(cfg))))

    def owner(self, slot: int) -> Node:
        return self.nodes[bisect.bisect_right(self._firsts, slot) - 1]

    def owned_bitmap(self) -> bytes:
        """C's ownership map: bit s set when this node owns slot s."""
        bits = bytearray(SLOTS // 8)
        for s in range(self.me.first, self.me.last + 1):
            bits[s >> 3] |= 1 << (s & 7)
        return bytes(bits)

    def redirect(self, key_lists: Iterable[list[bytes]]) -> CommandError | None:
        """Redis's getNodeByQuery over the keys of one command (or of an EXEC's whole queue):
        None when this node serves them all, else the -CROSSSLOT or -MOVED error."""
        from redistill.keyspace import key_slot  # needs the C core; config tests import this module

        slot = None
        for keys in key_lists:
            for key in keys:
                s = key_slot(key)
                if slot is None:
                    slot = s
                elif s != slot:
                    return CommandError(errors.CROSSSLOT)
        if slot is None or self.me.first <= slot <= self.me.last:
            return None
        return CommandError(errors.moved(slot, self.owner(slot).addr))


def split_addr(addr: str) -> tuple[str, int]:
    """"host:port" (IPv6 as "[::1]:7000" or "::1:7000") -> (host, port); ValueError when bad."""
    host, sep, port = addr.strip().rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(addr)
    return host, int(port)


def self_addr(cfg: Any) -> str:
    """The cluster_nodes entry this node answers for: cluster_announce, else bind:port."""
    return cfg.cluster_announce or f"{cfg.bind}:{cfg.port}"
