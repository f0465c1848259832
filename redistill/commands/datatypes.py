"""Hash, set, sorted-set and list commands.  They run wholly in C (csrc/t_hash.c, csrc/t_set.c,
csrc/t_zset.c, csrc/t_list.c), which writes the complete reply, so the fast path and this path send the same bytes by
construction."""
from __future__ import annotations

from typing import Any

from redistill.errors import CommandError
from redistill.protocol import Encoded


# HSET, HGET, SADD, SINTER ... (every command whose table line names this handler)
def run(client: Any, args: list[bytes]) -> Encoded:
    reply = client.server.keyspace.exec(args, client.resp)
    if reply[:1] == b"-":  # an error line: raised, so INFO errorstats and failed_calls count it
        raise CommandError(reply[:-2].decode("latin-1"))
    return Encoded(reply)
