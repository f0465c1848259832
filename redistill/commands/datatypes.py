"""The commands that run wholly in C: strings and keys (csrc/cmd_string.c, csrc/cmd_keys.c), PING and
ECHO (csrc/cmd_conn.c), hashes, sets, sorted sets and lists (csrc/t_*.c).  C writes the complete reply,
errors included, so the fast path and this path send the same bytes by construction."""
from __future__ import annotations

from typing import Any

from redistill.errors import CommandError
from redistill.protocol import Encoded


# SET, GET, HSET, SADD ... (every command whose table line names this handler)
def run(client: Any, args: list[bytes]) -> Encoded:
    reply = client.server.keyspace.exec(args, client.resp)
    if reply[:1] == b"-":  # an error line: raised, so INFO errorstats and failed_calls count it
        raise CommandError(reply[:-2].decode("latin-1"))
    return Encoded(reply)


# SORT, SORT_RO: BY patterns and GET read keys the arguments do not name (acl_cmd.sort_error)
def sort(client: Any, args: list[bytes]) -> Encoded:
    from redistill.commands.acl_cmd import sort_error   # acl_cmd imports the package
    refused = sort_error(client, args)
    if refused is not None:
        raise refused
    return run(client, args)
