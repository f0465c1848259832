"""Connection commands (Redis's networking.c / server.c): AUTH, HELLO, SELECT, QUIT, CLIENT.  PING and ECHO
run wholly in C (csrc/cmd_conn.c): their table lines name datatypes.run."""
from __future__ import annotations

import time
from typing import Any

from redistill import errors
from redistill.commands import monitor, tracking, transactions
from redistill.commands.args import help_reply, parse_int, parse_ll, word
from redistill.errors import CommandError
from redistill.protocol import SetReply, Verbatim

REDIS_VERSION = "7.0.0"  # what HELLO reports as Redis's version; INFO should print the same


def credentials_ok(client: Any, user: bytes, password: bytes, argv0: bytes = b"auth") -> Any:
    """The user AUTH user pass names, when it exists, is on and the password is one of its own (or it
    is nopass); else None, with the failure in ACL LOG."""
    found = client.server.acl.authenticate(user, password)
    if found is None:
        from redistill import acl
        from redistill.commands import acl_cmd
        context = "multi" if getattr(client, "multi", None) is not None else "toplevel"
        # the log's object: the command's name as the client sent it, as Redis
        acl_cmd.log_denial(client, acl.DENIED_AUTH, context, argv0.decode("latin-1"), user.decode("latin-1"))
    return found


def _host(client: Any) -> str:
    return str(getattr(client, "addr", "")).rpartition(":")[0].strip("[]")


def auth_failed(client: Any) -> CommandError:
    """WRONGPASS, after recording the failure: an address that keeps failing gets its replies
    held back (server.auth_failed), through the worker's timers, never by sleeping."""
    record = getattr(client.server, "auth_failed", None)   # counts acl_access_denied_auth too
    delay = record(_host(client)) if record is not None else 0.0
    if delay > 0 and hasattr(client, "delay_reply"):
        client.delay_reply(delay)
    return CommandError(errors.WRONGPASS)


def auth_succeeded(client: Any, user: Any) -> None:
    client.set_user(user)
    client.set_authenticated(True)
    forget = getattr(client.server, "auth_succeeded", None)
    if forget is not None and client.server.acl.auth_required():
        forget(_host(client))


# AUTH [username] password
def auth(client: Any, args: list[bytes]) -> str:
    if len(args) > 3:
        raise CommandError(errors.SYNTAX)
    if len(args) == 2:
        if client.server.acl.default.nopass:
            raise CommandError(errors.AUTH_NOT_CONFIGURED)
        user, password = b"default", args[1]
    else:
        user, password = args[1], args[2]
    found = credentials_ok(client, user, password, args[0])
    if found is None:
        raise auth_failed(client)  # a failed AUTH leaves the client as it was
    auth_succeeded(client, found)
    return "OK"


# HELLO [protover [AUTH username password] [SETNAME clientname]]
def hello(client: Any, args: list[bytes]) -> dict:
    proto = 0
    if len(args) >= 2:
        proto = parse_ll(args[1], errors.PROTO_NOT_INTEGER)
        if not 2 <= proto <= 3:
            raise CommandError(errors.NOPROTO)
    credentials, name = _hello_options(args)
    if credentials is not None:
        found = credentials_ok(client, *credentials, args[0])
        if found is None:
            raise auth_failed(client)
        auth_succeeded(client, found)
    if not client.authenticated:
        raise CommandError(errors.HELLO_NOAUTH)
    if name is not None:
        client.name = name or None
    if proto:
        client.set_resp(proto)
    return {b"server": b"redis", b"version": REDIS_VERSION.encode(), b"proto": client.resp,
            b"id": client.id, b"mode": _mode(client.server), b"role": b"master", b"modules": []}


def _mode(server: Any) -> bytes:
    return b"standalone" if getattr(server, "cluster", None) is None else b"cluster"


def _hello_options(args: list[bytes]) -> tuple[tuple[bytes, bytes] | None, bytes | None]:
    """HELLO's AUTH user pass / SETNAME name options after the protocol version."""
    credentials = name = None
    j = 2
    while j < len(args):
        more = len(args) - 1 - j
        opt = word(args[j])
        if opt == b"auth" and more >= 2:
            credentials = (args[j + 1], args[j + 2])
            j += 2
        elif opt == b"setname" and more >= 1:
            name = _valid_name(args[j + 1])
            j += 1
        else:
            raise CommandError(errors.hello_syntax(args[j]))
        j += 1
    return credentials, name


def _printable(value: bytes) -> bool:
    # Redis allows only '!'..'~' in client names and CLIENT SETINFO values.
    return all(0x21 <= b <= 0x7E for b in value)


def _valid_name(name: bytes) -> bytes:
    if not _printable(name):
        raise CommandError(errors.BAD_CLIENT_NAME)
    return name


# SELECT index   (one database: only 0 exists)
def select(client: Any, args: list[bytes]) -> str:
    index = parse_int(args[1])
    if index != 0 and getattr(client.server, "cluster", None) is not None:
        raise CommandError(errors.SELECT_IN_CLUSTER)
    if index != 0:
        raise CommandError(errors.DB_OUT_OF_RANGE)
    return "OK"


# QUIT
def quit(client: Any, args: list[bytes]) -> str:
    client.close_after_reply()
    return "OK"


# ---- CLIENT subcommands ------------------------------------------------------------------------

# CLIENT ID
def client_id(client: Any, args: list[bytes]) -> int:
    return client.id


# CLIENT GETNAME
def client_getname(client: Any, args: list[bytes]) -> bytes | None:
    return client.name


# CLIENT SETNAME connection-name   (an empty name clears it)
def client_setname(client: Any, args: list[bytes]) -> str:
    client.name = _valid_name(args[2]) or None
    return "OK"


# CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>   (Redis 7.2; redis-py 8 sends it on connect)
def client_setinfo(client: Any, args: list[bytes]) -> str:
    attr, value = word(args[2]), args[3]
    if attr not in (b"lib-name", b"lib-ver"):
        raise CommandError(errors.unrecognized_option(args[2]))
    if not _printable(value):
        raise CommandError(errors.bad_client_attr(args[2]))
    if attr == b"lib-name":
        client.lib_name = value.decode("latin-1")
    else:
        client.lib_ver = value.decode("latin-1")
    return "OK"


def _flags(c: Any) -> str:
    """Redis's client flags letters in Redis's order; N when none applies."""
    flags = "O" if getattr(c, "monitoring", False) else ""
    if getattr(c, "subscribed", False):
        flags += "P"
    if _multi_count(c) >= 0:
        flags += "x"   # (Redis's "d", a touched WATCH, is not shown: EXEC finds it out)
    if getattr(c, "blocked", None) is not None:
        flags += "b"   # waiting in BLPOP & co.
    flags += tracking.list_flags(c)
    if c.no_evict:
        flags += "e"
    if c.no_touch:
        flags += "T"
    return flags or "N"


def _multi_count(c: Any) -> int:
    """Commands queued in MULTI, -1 outside MULTI (the transaction code owns the queue)."""
    queue = getattr(c, "multi", None)   # transactions.py: the queue, None outside MULTI
    return -1 if queue is None else len(queue)


_REPLY_CHUNK = 16 * 1024   # Redis's static reply buffer and reply-list block size (PROTO_REPLY_CHUNK_BYTES)


def client_line(c: Any, now: float, argv: list[bytes] | None = None) -> str:
    """One client in CLIENT LIST / CLIENT INFO format: Redis 7.0's fields in its order.
    Buffer sizes: see Connection.memory(); the unsent output is shown as Redis would hold it
    (obl up to its 16 KB buffer, the rest as 16 KB list blocks in oll/omem); argv-mem is the
    running command's (argv: the caller's own), multi-mem the queued commands' (_multi_mem)."""
    name = (c.name or b"").decode("latin-1")
    qbuf, qbuf_free, pending, cap, tot = c.memory()
    obl = min(pending, _REPLY_CHUNK)
    omem = pending - obl
    oll = -(-omem // _REPLY_CHUNK)
    events = "rw" if getattr(c, "_writing", False) else "r"
    argv_mem = sum(map(len, argv)) if argv else 0
    sub, psub, ssub = getattr(c, "ps_counts", (0, 0, 0))
    return (f"id={c.id} addr={c.addr} laddr={c.laddr} fd={c.fd} name={name} "
            f"age={int(now - c.created)} idle={int(now - c.last_interaction)} flags={_flags(c)} "
            f"db={c.db} sub={sub} psub={psub} ssub={ssub} multi={_multi_count(c)} qbuf={qbuf} "
            f"qbuf-free={qbuf_free} argv-mem={argv_mem} multi-mem={_multi_mem(c)} rbs={cap} rbp={cap} "
            f"obl={obl} oll={oll} omem={omem} tot-mem={tot} events={events} cmd={c.last_command} "
            f"user={_username(c)} redir={tracking.redir_of(c)} resp={c.resp}\n")


def _username(c: Any) -> str:
    user = getattr(c, "user", None)
    return "default" if user is None else user.name


def _multi_mem(c: Any) -> int:
    """Redis's mstate.argv_len_sums: each queued command's argument bytes and argv pointers."""
    queue = getattr(c, "multi", None)
    return sum(sum(map(len, args)) + 8 * len(args) for _, args in queue) if queue else 0


# CLIENT INFO
def client_info(client: Any, args: list[bytes]) -> Verbatim:
    return Verbatim("txt", client_line(client, time.time(), args))


def _client_type(arg: bytes) -> bytes:
    """getClientTypeByName: b"normal", b"pubsub", or b"replica" (master, replica, slave: no client is)."""
    kind = word(arg)
    if kind not in (b"normal", b"master", b"replica", b"slave", b"pubsub"):
        raise CommandError(errors.unknown_client_type(arg))
    return kind if kind in (b"normal", b"pubsub") else b"replica"


def _type_of(c: Any) -> bytes:
    """getClientType: a subscriber is of the pubsub class, every other client normal."""
    return b"pubsub" if getattr(c, "subscribed", False) else b"normal"


# CLIENT LIST [TYPE <NORMAL|MASTER|REPLICA|PUBSUB>] [ID client-id [client-id ...]]
def client_list(client: Any, args: list[bytes]) -> Verbatim:
    clients = client.server.clients()
    if len(args) == 4 and word(args[2]) == b"type":
        kind = _client_type(args[3])
        clients = [c for c in clients if _type_of(c) == kind]
    elif len(args) > 3 and word(args[2]) == b"id":
        wanted = [parse_ll(a, errors.INVALID_CLIENT_ID) for a in args[3:]]
        by_id = {c.id: c for c in clients}
        clients = [by_id[i] for i in wanted if i in by_id]
    elif len(args) != 2:
        raise CommandError(errors.SYNTAX)
    now = time.time()
    return Verbatim("txt", "".join(client_line(c, now, args if c is client else None) for c in clients))


# CLIENT KILL ip:port  |  CLIENT KILL <ID id | TYPE type | USER user | ADDR ip:port | LADDR ip:port
#                                      | SKIPME yes/no> ...
def client_kill(client: Any, args: list[bytes]) -> Any:
    if len(args) == 3:   # the old form: one address, replies OK or an error
        killed = _kill_matching(client, {"addr": args[2].decode("latin-1")}, skipme=False)
        if not killed:
            raise CommandError(errors.NO_SUCH_CLIENT)
        return "OK"
    filters: dict[str, Any] = {}
    skipme = True
    for i in range(2, len(args), 2):
        opt = word(args[i])
        if i + 1 >= len(args):
            raise CommandError(errors.SYNTAX)
        value = args[i + 1]
        if opt == b"id":
            filters["id"] = parse_ll(value, errors.CLIENT_ID_POSITIVE)
            if filters["id"] < 1:
                raise CommandError(errors.CLIENT_ID_POSITIVE)
        elif opt == b"type":
            filters["type"] = _client_type(value)
        elif opt == b"addr":
            filters["addr"] = value.decode("latin-1")
        elif opt == b"laddr":
            filters["laddr"] = value.decode("latin-1")
        elif opt == b"user":
            if client.server.acl.get(value.decode("latin-1")) is None:
                raise CommandError(errors.no_such_user(value))
            filters["user"] = value.decode("latin-1")
        elif opt == b"skipme":
            if word(value) not in (b"yes", b"no"):
                raise CommandError(errors.SYNTAX)
            skipme = word(value) == b"yes"
        else:
            raise CommandError(errors.SYNTAX)
    return _kill_matching(client, filters, skipme)


def _kill_matching(client: Any, filters: dict[str, Any], skipme: bool) -> int:
    """Closes every client the filters match; the caller itself after its reply."""
    killed = 0
    for c in client.server.clients():
        if ("addr" in filters and c.addr != filters["addr"]
                or "laddr" in filters and c.laddr != filters["laddr"]
                or "id" in filters and c.id != filters["id"]
                or "type" in filters and _type_of(c) != filters["type"]
                or "user" in filters and _username(c) != filters["user"]
                or skipme and c is client):
            continue
        if c is client:
            client.close_after_reply()
        elif not c.kill():   # closed on the owner worker's thread (Connection.kill -> call_soon)
            continue         # a KILL on another worker took it between the snapshot and now
        killed += 1
    return killed


def _on_off(arg: bytes) -> bool:
    mode = word(arg)
    if mode not in (b"on", b"off"):
        raise CommandError(errors.SYNTAX)
    return mode == b"on"


# CLIENT NO-EVICT ON|OFF   (accepted and shown as flag e: there is no client eviction here)
def client_no_evict(client: Any, args: list[bytes]) -> str:
    client.no_evict = _on_off(args[2])
    return "OK"


# CLIENT NO-TOUCH ON|OFF   (Redis 7.2; accepted and shown as flag T: see FEATURES.md)
def client_no_touch(client: Any, args: list[bytes]) -> str:
    client.no_touch = _on_off(args[2])
    return "OK"


# CLIENT REPLY ON|OFF|SKIP
def client_reply(client: Any, args: list[bytes]) -> str:
    mode = word(args[2])
    if mode not in (b"on", b"off", b"skip"):
        raise CommandError(errors.SYNTAX)
    client.set_reply_mode(mode.decode())
    return "OK"   # sent only for ON: the connection drops the replies of OFF and SKIP


# RESET   (clearClientConnectionState: leaves MULTI, unwatches, RESP2, no name, replies on,
#          deauthenticates when a password is set; lib-name/lib-ver and NO-EVICT are kept)
def reset(client: Any, args: list[bytes]) -> str:
    transactions.reset_transaction_state(client)
    monitor.stop(client)
    client.pubsub_reset()
    if client.tracking is not None:   # disableTracking
        tracking.client_tracking(client, [b"client", b"tracking", b"off"])
    client.db = 0
    client.name = None   # NO-EVICT / NO-TOUCH stay: Redis 7.0's RESET keeps them too
    client.reset_reply_mode()
    client.set_resp(2)
    client.set_user(client.server.acl.default)
    if client.server.acl.auth_required():
        client.set_authenticated(False)
    return "RESET"


# CLIENT HELP
def client_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("CLIENT", [
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Will not touch LRU/LFU stats when this mode is on.",
    ])
