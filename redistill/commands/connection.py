"""Connection commands (Redis's networking.c / server.c): PING, ECHO, AUTH, HELLO, SELECT, QUIT, CLIENT."""
from __future__ import annotations

import hmac
import time
from typing import Any

from redistill import errors
from redistill.commands.args import help_reply, parse_int, parse_ll, word
from redistill.errors import CommandError
from redistill.protocol import Verbatim

REDIS_VERSION = "7.0.0"  # what HELLO reports as Redis's version; INFO should print the same


# PING [message]
def ping(client: Any, args: list[bytes]) -> Any:
    if len(args) > 2:  # PING's arity is -1, so its upper bound is checked here (as Redis does)
        raise CommandError(errors.wrong_arity("ping"))
    return "PONG" if len(args) == 1 else args[1]


# ECHO message
def echo(client: Any, args: list[bytes]) -> bytes:
    return args[1]


def credentials_ok(client: Any, user: bytes, password: bytes) -> bool:
    """Only the "default" user exists.  With no password configured it is Redis's "nopass"
    default user, which accepts any password."""
    configured = client.server.config.password
    if user != b"default":
        return False
    if not configured:
        return True
    return hmac.compare_digest(password, configured.encode("utf-8"))


def _host(client: Any) -> str:
    return str(getattr(client, "addr", "")).rpartition(":")[0].strip("[]")


def auth_failed(client: Any) -> CommandError:
    """WRONGPASS, after recording the failure: an address that keeps failing gets its replies
    held back (server.auth_failed), through the worker's timers, never by sleeping."""
    record = getattr(client.server, "auth_failed", None)
    delay = record(_host(client)) if record is not None else 0.0
    if delay > 0 and hasattr(client, "delay_reply"):
        client.delay_reply(delay)
    return CommandError(errors.WRONGPASS)


def auth_succeeded(client: Any) -> None:
    client.set_authenticated(True)
    forget = getattr(client.server, "auth_succeeded", None)
    if forget is not None and client.server.config.password:
        forget(_host(client))


# AUTH [username] password
def auth(client: Any, args: list[bytes]) -> str:
    if len(args) > 3:
        raise CommandError(errors.SYNTAX)
    if len(args) == 2:
        if not client.server.config.password:
            raise CommandError(errors.AUTH_NOT_CONFIGURED)
        user, password = b"default", args[1]
    else:
        user, password = args[1], args[2]
    if not credentials_ok(client, user, password):
        raise auth_failed(client)  # a failed AUTH leaves the client as it was
    auth_succeeded(client)
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
        if not credentials_ok(client, *credentials):
            raise auth_failed(client)
        auth_succeeded(client)
    if not client.authenticated:
        raise CommandError(errors.HELLO_NOAUTH)
    if name is not None:
        client.name = name or None
    if proto:
        client.set_resp(proto)
    return {b"server": b"redis", b"version": REDIS_VERSION.encode(), b"proto": client.resp,
            b"id": client.id, b"mode": b"standalone", b"role": b"master", b"modules": []}


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
    if parse_int(args[1]) != 0:
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


def client_line(c: Any, now: float) -> str:
    """One client in CLIENT LIST / CLIENT INFO format (Redis 7.2's fields; memory fields are 0:
    buffers live in C and are not measured per client yet)."""
    name = (c.name or b"").decode("latin-1")
    return (f"id={c.id} addr={c.addr} laddr={c.laddr} fd={c.fd} name={name} "
            f"age={int(now - c.created)} idle={int(now - c.last_interaction)} flags=N db={c.db} "
            f"sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 "
            f"obl=0 oll=0 omem=0 tot-mem=0 events=r cmd={c.last_command} user=default redir=-1 "
            f"resp={c.resp} lib-name={c.lib_name} lib-ver={c.lib_ver}\n")


# CLIENT INFO
def client_info(client: Any, args: list[bytes]) -> Verbatim:
    return Verbatim("txt", client_line(client, time.time()))


_CLIENT_TYPES = (b"normal", b"master", b"replica", b"slave", b"pubsub")


# CLIENT LIST [TYPE <NORMAL|MASTER|REPLICA|PUBSUB>] [ID client-id [client-id ...]]
def client_list(client: Any, args: list[bytes]) -> Verbatim:
    clients = sorted(client.server.clients(), key=lambda c: c.id)
    if len(args) == 4 and word(args[2]) == b"type":
        kind = word(args[3])
        if kind not in _CLIENT_TYPES:
            raise CommandError(f"Unknown client type '{errors.user_text(args[3], None)}'")
        if kind != b"normal":  # every client here is a normal one
            clients = []
    elif len(args) > 3 and word(args[2]) == b"id":
        wanted = [parse_ll(a, "Invalid client ID") for a in args[3:]]
        by_id = {c.id: c for c in clients}
        clients = [by_id[i] for i in wanted if i in by_id]
    elif len(args) != 2:
        raise CommandError(errors.SYNTAX)
    now = time.time()
    return Verbatim("txt", "".join(client_line(c, now) for c in clients))


# CLIENT HELP
def client_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("CLIENT", [
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
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
    ])
