"""COMMAND DOCS data: per command its complexity, its arguments in a compact grammar, and doc extras.

The grammar (tools/docs_from_redis.py prints it from a running Redis 7.0; parse_args() turns it into
the nested argument maps COMMAND DOCS replies with, field for field as Redis's addReplyCommandArgList):

    name:type              an argument (type: string integer double key pattern unix-time pure-token)
    name:type#N            an argument with key_spec_index N (name:key alone means index 0)
    TOKEN                  a pure token whose name is the token in lowercase (NX -> name "nx")
    TOKEN=arg              the argument is introduced by TOKEN (EX=seconds:integer, TYPE=name(...))
    name(a|b|c)            oneof
    name{a b c}            block
    suffixes, in order:    @since  ~deprecated_since  ? optional  * multiple  + multiple_token

Arguments are separated by spaces at the top level of a block or the spec.  Names may contain ":"
(ip:port:string is the argument "ip:port" of type string): the type is after the last colon.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from redistill.protocol import SetReply


class Doc(NamedTuple):
    complexity: str                            # "" when Redis documents none
    args: str                                  # compact grammar above
    doc_flags: tuple[str, ...] = ()            # "deprecated", "syscmd"
    deprecated_since: str | None = None
    replaced_by: str | None = None
    history: tuple[tuple[str, str], ...] = ()  # (version, what changed)


def doc(complexity: str, args: str, **extras: Any) -> Doc:
    return Doc(complexity, args, **extras)


_SUFFIX = re.compile(r"^(?P<core>.*?)(?:@(?P<since>[\d.]+))?(?:~(?P<dep>[\d.]+))?(?P<flags>[?*+]*)$", re.S)
_TOKEN = re.compile(r"^(?P<token>=|[^=(){}:|\s]*)=(?P<rest>.+)$", re.S)  # MIGRATE: an empty token; XADD: "="
_FLAG_NAMES = (("?", "optional"), ("*", "multiple"), ("+", "multiple_token"))


def _split(text: str, sep: str) -> list[str]:
    """text split at `sep` outside () and {}."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p]


def _parse_one(text: str) -> dict[bytes, Any]:
    m = _SUFFIX.match(text)
    core, since, dep, flag_text = m["core"], m["since"], m["dep"], m["flags"]
    token = None
    t = _TOKEN.match(core)
    if t:
        token, core = t["token"], t["rest"]
    children = None
    if core.endswith(")") and "(" in core:
        name, _, inner = core[:-1].partition("(")
        kind, children = "oneof", [_parse_one(a) for a in _split(inner, "|")]
    elif core.endswith("}") and "{" in core:
        name, _, inner = core[:-1].partition("{")
        kind, children = "block", [_parse_one(a) for a in _split(inner, " ")]
    elif ":" in core:
        name, kind = core.rsplit(":", 1)
    else:  # a bare TOKEN: a pure token named after itself
        name, kind, token = core.lower(), "pure-token", core
    key_index = 0 if kind == "key" else None
    if "#" in kind:
        kind, _, index = kind.partition("#")
        key_index = int(index)
    out: dict[bytes, Any] = {b"name": name.encode(), b"type": kind.encode()}
    if key_index is not None:
        out[b"key_spec_index"] = key_index
    if token is not None:
        out[b"token"] = token.encode()
    if since:
        out[b"since"] = since.encode()
    if dep:
        out[b"deprecated_since"] = dep.encode()
    flags = [name for sym, name in _FLAG_NAMES if sym in flag_text]
    if flags:
        out[b"flags"] = SetReply(flags)
    if children is not None:
        out[b"arguments"] = children
    return out


@lru_cache(maxsize=None)
def parse_args(spec: str) -> tuple[dict[bytes, Any], ...]:
    """The compact spec as COMMAND DOCS argument maps (cached: the table is static)."""
    return tuple(_parse_one(a) for a in _split(spec, " "))


def docs_fields(name: str) -> dict[bytes, Any]:
    """The COMMAND DOCS fields after summary/since/group, in Redis's order; {} when undocumented."""
    d = DOCS.get(name)
    if d is None:
        return {}
    out: dict[bytes, Any] = {b"complexity": d.complexity.encode()} if d.complexity else {}
    if d.doc_flags:
        out[b"doc_flags"] = SetReply(d.doc_flags)
    if d.deprecated_since:
        out[b"deprecated_since"] = d.deprecated_since.encode()
    if d.replaced_by:
        out[b"replaced_by"] = d.replaced_by.encode()
    if d.history:
        out[b"history"] = SetReply([v.encode(), text.encode()] for v, text in d.history)
    if d.args:
        out[b"arguments"] = list(parse_args(d.args))
    return out


# Generated from Redis 7.0.15 (tools/docs_from_redis.py), plus the 7.2 commands marked below.
DOCS: dict[str, Doc] = {
    'get': doc('O(1)', 'key:key'),
    'set': doc('O(1)', 'key:key value:string condition(NX|XX)@2.6.12? GET@6.2.0? expiration(EX=seconds:integer@2.6.12|PX=milliseconds:integer@2.6.12|EXAT=unix-time-seconds:unix-time@6.2.0|PXAT=unix-time-milliseconds:unix-time@6.2.0|KEEPTTL@6.0.0)?', history=(('2.6.12', 'Added the `EX`, `PX`, `NX` and `XX` options.'), ('6.0.0', 'Added the `KEEPTTL` option.'), ('6.2.0', 'Added the `GET`, `EXAT` and `PXAT` option.'), ('7.0.0', 'Allowed the `NX` and `GET` options to be used together.'))),
    'mget': doc('O(N) where N is the number of keys to retrieve.', 'key:key*'),
    'mset': doc('O(N) where N is the number of keys to set.', 'key_value{key:key value:string}*'),
    'incr': doc('O(1)', 'key:key'),
    'decr': doc('O(1)', 'key:key'),
    'incrby': doc('O(1)', 'key:key increment:integer'),
    'decrby': doc('O(1)', 'key:key decrement:integer'),
    'del': doc('O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).', 'key:key*'),
    'exists': doc('O(N) where N is the number of keys to check.', 'key:key*', history=(('3.0.3', 'Accepts multiple `key` arguments.'),)),
    'expire': doc('O(1)', 'key:key seconds:integer condition(NX|XX|GT|LT)@7.0.0?', history=(('7.0.0', 'Added options: `NX`, `XX`, `GT` and `LT`.'),)),
    'pexpire': doc('O(1)', 'key:key milliseconds:integer condition(NX|XX|GT|LT)@7.0.0?', history=(('7.0.0', 'Added options: `NX`, `XX`, `GT` and `LT`.'),)),
    'ttl': doc('O(1)', 'key:key', history=(('2.8.0', 'Added the -2 reply.'),)),
    'pttl': doc('O(1)', 'key:key', history=(('2.8.0', 'Added the -2 reply.'),)),
    'persist': doc('O(1)', 'key:key'),
    'dbsize': doc('O(1)', ''),
    'flushdb': doc('O(N) where N is the number of keys in the selected database', 'async(ASYNC@4.0.0|SYNC@6.2.0)?', history=(('4.0.0', 'Added the `ASYNC` flushing mode modifier.'), ('6.2.0', 'Added the `SYNC` flushing mode modifier.'))),
    'flushall': doc('O(N) where N is the total number of keys in all databases', 'async(ASYNC@4.0.0|SYNC@6.2.0)?', history=(('4.0.0', 'Added the `ASYNC` flushing mode modifier.'), ('6.2.0', 'Added the `SYNC` flushing mode modifier.'))),
    'ping': doc('O(1)', 'message:string?'),
    'echo': doc('O(1)', 'message:string'),
    'auth': doc('O(N) where N is the number of passwords defined for the user', 'username:string@6.0.0? password:string', history=(('6.0.0', 'Added ACL style (username and password).'),)),
    'hello': doc('O(1)', 'arguments{protover:integer AUTH=username_password{username:string password:string}? SETNAME=clientname:string?}?', history=(('6.2.0', "`protover` made optional; when called without arguments the command reports the current connection's context."),)),
    'quit': doc('O(1)', ''),
    'select': doc('O(1)', 'index:integer'),
    'client': doc('Depends on subcommand.', ''),
    'client|caching': doc('O(1)', 'mode(YES|NO)'),
    'client|getname': doc('O(1)', ''),
    'client|getredir': doc('O(1)', ''),
    'client|help': doc('O(1)', ''),
    'client|id': doc('O(1)', ''),
    'client|info': doc('O(1)', ''),
    'client|kill': doc('O(N) where N is the number of client connections', 'filter(ip:port:string~2.8.12|new-format(ID=client-id:integer@2.8.12?|TYPE=normal_master_slave_pubsub(NORMAL|MASTER@3.2.0|SLAVE|REPLICA@5.0.0|PUBSUB)@2.8.12?|USER=username:string?|ADDR=ip:port:string?|LADDR=ip:port:string@6.2.0?|SKIPME=yes/no:string?)*)', history=(('2.8.12', 'Added new filter format.'), ('2.8.12', '`ID` option.'), ('3.2.0', 'Added `master` type in for `TYPE` option.'), ('5.0.0', 'Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.'), ('6.2.0', '`LADDR` option.'))),
    'client|list': doc('O(N) where N is the number of client connections', 'TYPE=normal_master_replica_pubsub(NORMAL|MASTER|REPLICA|PUBSUB)@5.0.0? ID=id{client-id:integer*}@6.2.0?', history=(('2.8.12', 'Added unique client `id` field.'), ('5.0.0', 'Added optional `TYPE` filter.'), ('6.0.0', 'Added `user` field.'), ('6.2.0', 'Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.'), ('7.0.0', 'Added `resp`, `multi-mem`, `rbs` and `rbp` fields.'), ('7.0.3', 'Added `ssub` field.'))),
    'client|no-evict': doc('O(1)', 'enabled(ON|OFF)'),
    'client|pause': doc('O(1)', 'timeout:integer mode(WRITE|ALL)@6.2.0?', history=(('6.2.0', '`CLIENT PAUSE WRITE` mode added along with the `mode` option.'),)),
    'client|reply': doc('O(1)', 'on_off_skip(ON|OFF|SKIP)'),
    'client|setname': doc('O(1)', 'connection-name:string'),
    'client|tracking': doc('O(1). Some options may introduce additional complexity.', 'status(ON|OFF) REDIRECT=client-id:integer? PREFIX=prefix:string?*+ BCAST? OPTIN? OPTOUT? NOLOOP?'),
    'client|trackinginfo': doc('O(1)', ''),
    'client|unblock': doc('O(log N) where N is the number of client connections', 'client-id:integer timeout_error(TIMEOUT|ERROR)?'),
    'client|unpause': doc('O(N) Where N is the number of paused clients', ''),
    'info': doc('O(1)', 'section:string?*', history=(('7.0.0', 'Added support for taking multiple section arguments.'),)),
    'config': doc('Depends on subcommand.', ''),
    'config|get': doc('O(N) when N is the number of configuration parameters provided', 'parameter{parameter:string}*', history=(('7.0.0', 'Added the ability to pass multiple pattern parameters in one call'),)),
    'config|help': doc('O(1)', ''),
    'config|resetstat': doc('O(1)', ''),
    'config|rewrite': doc('O(1)', ''),
    'config|set': doc('O(N) when N is the number of configuration parameters provided', 'parameter_value{parameter:string value:string}*', history=(('7.0.0', 'Added the ability to set multiple parameters in one call.'),)),
    'command': doc('O(N) where N is the total number of Redis commands', ''),
    'command|count': doc('O(1)', ''),
    'command|docs': doc('O(N) where N is the number of commands to look up', 'command-name:string?*'),
    'command|getkeys': doc('O(N) where N is the number of arguments to the command', ''),
    'command|getkeysandflags': doc('O(N) where N is the number of arguments to the command', ''),
    'command|help': doc('O(1)', ''),
    'command|info': doc('O(N) where N is the number of commands to look up', 'command-name:string?*', history=(('7.0.0', 'Allowed to be called with no argument to get info on all commands.'),)),
    'command|list': doc('O(N) where N is the total number of Redis commands', 'FILTERBY=filterby(MODULE=module-name:string|ACLCAT=category:string|PATTERN=pattern:pattern)?'),
    'setnx': doc('O(1)', 'key:key value:string'),
    'setex': doc('O(1)', 'key:key seconds:integer value:string'),
    'psetex': doc('O(1)', 'key:key milliseconds:integer value:string'),
    'getset': doc('O(1)', 'key:key value:string', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`SET` with the `!GET` argument'),
    'getdel': doc('O(1)', 'key:key'),
    'getex': doc('O(1)', 'key:key expiration(EX=seconds:integer|PX=milliseconds:integer|EXAT=unix-time-seconds:unix-time|PXAT=unix-time-milliseconds:unix-time|PERSIST)?'),
    'append': doc('O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.', 'key:key value:string'),
    'strlen': doc('O(1)', 'key:key'),
    'getrange': doc('O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.', 'key:key start:integer end:integer'),
    'setrange': doc('O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.', 'key:key offset:integer value:string'),
    'substr': doc('O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.', 'key:key start:integer end:integer', doc_flags=('deprecated',), deprecated_since='2.0.0', replaced_by='`GETRANGE`'),
    'incrbyfloat': doc('O(1)', 'key:key increment:double'),
    'msetnx': doc('O(N) where N is the number of keys to set.', 'key_value{key:key value:string}*'),
    'lcs': doc('O(N*M) where N and M are the lengths of s1 and s2, respectively', 'key1:key key2:key LEN? IDX? MINMATCHLEN=len:integer? WITHMATCHLEN?'),
    'unlink': doc('O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.', 'key:key*'),
    'touch': doc('O(N) where N is the number of keys that will be touched.', 'key:key*'),
    'expireat': doc('O(1)', 'key:key unix-time-seconds:unix-time condition(NX|XX|GT|LT)@7.0.0?', history=(('7.0.0', 'Added options: `NX`, `XX`, `GT` and `LT`.'),)),
    'pexpireat': doc('O(1)', 'key:key unix-time-milliseconds:unix-time condition(NX|XX|GT|LT)@7.0.0?', history=(('7.0.0', 'Added options: `NX`, `XX`, `GT` and `LT`.'),)),
    'expiretime': doc('O(1)', 'key:key'),
    'pexpiretime': doc('O(1)', 'key:key'),
    'type': doc('O(1)', 'key:key'),
    'keys': doc('O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.', 'pattern:pattern'),
    'scan': doc('O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', 'cursor:integer MATCH=pattern:pattern? COUNT=count:integer? TYPE=type:string@6.0.0?', history=(('6.0.0', 'Added the `TYPE` subcommand.'),)),
    'randomkey': doc('O(1)', ''),
    'rename': doc('O(1)', 'key:key newkey:key#1'),
    'renamenx': doc('O(1)', 'key:key newkey:key#1', history=(('3.2.0', 'The command no longer returns an error when source and destination names are the same.'),)),
    'copy': doc('O(N) worst case for collections, where N is the number of nested items. O(1) for string values.', 'source:key destination:key#1 DB=destination-db:integer? REPLACE?'),
    'dump': doc('O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).', 'key:key'),
    'restore': doc('O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).', 'key:key ttl:integer serialized-value:string REPLACE@3.0.0? ABSTTL@5.0.0? IDLETIME=seconds:integer@5.0.0? FREQ=frequency:integer@5.0.0?', history=(('3.0.0', 'Added the `REPLACE` modifier.'), ('5.0.0', 'Added the `ABSTTL` modifier.'), ('5.0.0', 'Added the `IDLETIME` and `FREQ` options.'))),
    'restore-asking': doc('O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).', 'key:key ttl:integer serialized-value:string REPLACE@3.0.0? ABSTTL@5.0.0? IDLETIME=seconds:integer@5.0.0? FREQ=frequency:integer@5.0.0?', doc_flags=('syscmd',), history=(('3.0.0', 'Added the `REPLACE` modifier.'), ('5.0.0', 'Added the `ABSTTL` modifier.'), ('5.0.0', 'Added the `IDLETIME` and `FREQ` options.'))),
    'sort': doc('O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).', 'key:key BY=pattern:pattern#1? LIMIT=offset_count{offset:integer count:integer}? GET=pattern:pattern#1?*+ order(ASC|DESC)? ALPHA=sorting:pure-token? STORE=destination:key#2?'),
    'sort_ro': doc('O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).', 'key:key BY=pattern:pattern#1? LIMIT=offset_count{offset:integer count:integer}? GET=pattern:pattern#1?*+ order(ASC|DESC)? ALPHA=sorting:pure-token?'),
    'object': doc('Depends on subcommand.', ''),
    'object|encoding': doc('O(1)', 'key:key'),
    'object|freq': doc('O(1)', 'key:key'),
    'object|help': doc('O(1)', ''),
    'object|idletime': doc('O(1)', 'key:key'),
    'object|refcount': doc('O(1)', 'key:key'),
    'memory': doc('Depends on subcommand.', ''),
    'memory|doctor': doc('O(1)', ''),
    'memory|help': doc('O(1)', ''),
    'memory|malloc-stats': doc('Depends on how much memory is allocated, could be slow', ''),
    'memory|purge': doc('Depends on how much memory is allocated, could be slow', ''),
    'memory|stats': doc('O(1)', ''),
    'memory|usage': doc('O(N) where N is the number of samples.', 'key:key SAMPLES=count:integer?'),
    'multi': doc('O(1)', ''),
    'exec': doc('Depends on commands in the transaction', ''),
    'discard': doc('O(N), when N is the number of queued commands', ''),
    'watch': doc('O(1) for every key.', 'key:key*'),
    'unwatch': doc('O(1)', ''),
    'time': doc('O(1)', ''),
    'slowlog': doc('Depends on subcommand.', ''),
    'slowlog|get': doc('O(N) where N is the number of entries returned', 'count:integer?', history=(('4.0.0', 'Added client IP address, port and name to the reply.'),)),
    'slowlog|help': doc('O(1)', ''),
    'slowlog|len': doc('O(1)', ''),
    'slowlog|reset': doc('O(N) where N is the number of entries in the slowlog', ''),
    'lastsave': doc('O(1)', ''),
    'save': doc('O(N) where N is the total number of keys in all databases', ''),
    'sync': doc('', ''),
    'replconf': doc('O(1)', '', doc_flags=('syscmd',)),
    'bgsave': doc('O(1)', 'SCHEDULE@3.2.2?', history=(('3.2.2', 'Added the `SCHEDULE` option.'),)),
    'bgrewriteaof': doc('O(1)', ''),
    'reset': doc('O(1)', ''),
    'shutdown': doc('O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)', 'nosave_save(NOSAVE|SAVE)? NOW@7.0.0? FORCE@7.0.0? ABORT@7.0.0?', history=(('7.0.0', 'Added the `NOW`, `FORCE` and `ABORT` modifiers.'),)),
    'debug': doc('Depends on subcommand.', '', doc_flags=('syscmd',)),
    # Redis commands not served yet: their docs are ready for when they are.
    'acl': doc('Depends on subcommand.', ''),
    'acl|cat': doc('O(1) since the categories and commands are a fixed set.', 'categoryname:string?'),
    'acl|deluser': doc('O(1) amortized time considering the typical user.', 'username:string*'),
    'acl|dryrun': doc('O(1).', 'username:string command:string arg:string?*'),
    'acl|genpass': doc('O(1)', 'bits:integer?'),
    'acl|getuser': doc('O(N). Where N is the number of password, command and pattern rules that the user has.', 'username:string', history=(('6.2.0', 'Added Pub/Sub channel patterns.'), ('7.0.0', 'Added selectors and changed the format of key and channel patterns from a list to their rule representation.'))),
    'acl|help': doc('O(1)', ''),
    'acl|list': doc('O(N). Where N is the number of configured users.', ''),
    'acl|load': doc('O(N). Where N is the number of configured users.', ''),
    'acl|log': doc('O(N) with N being the number of entries shown.', 'operation(count:integer|RESET)?'),
    'acl|save': doc('O(N). Where N is the number of configured users.', ''),
    'acl|setuser': doc('O(N). Where N is the number of rules provided.', 'username:string rule:string?*', history=(('6.2.0', 'Added Pub/Sub channel patterns.'), ('7.0.0', 'Added selectors and key based permissions.'))),
    'acl|users': doc('O(N). Where N is the number of configured users.', ''),
    'acl|whoami': doc('O(1)', ''),
    'role': doc('O(1)', ''),
    'lolwut': doc('', 'VERSION=version:integer?'),
    'latency': doc('Depends on subcommand.', ''),
    'latency|doctor': doc('O(1)', ''),
    'latency|graph': doc('O(1)', 'event:string'),
    'latency|help': doc('O(1)', ''),
    'latency|histogram': doc('O(N) where N is the number of commands with latency information being retrieved.', 'command:string?*'),
    'latency|history': doc('O(1)', 'event:string'),
    'latency|latest': doc('O(1)', ''),
    'latency|reset': doc('O(1)', 'event:string?*'),
    'monitor': doc('', ''),
    'swapdb': doc('O(N) where N is the count of clients watching or blocking on keys from both databases.', 'index1:integer index2:integer'),
    'move': doc('O(1)', 'key:key db:integer'),
    'wait': doc('O(1)', 'numreplicas:integer timeout:integer'),
    'readonly': doc('O(1)', ''),
    'readwrite': doc('O(1)', ''),
    'sort': doc('O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).', 'key:key BY=pattern:pattern#1? LIMIT=offset_count{offset:integer count:integer}? GET=pattern:pattern#1?*+ order(ASC|DESC)? ALPHA=sorting:pure-token? STORE=destination:key#2?'),
    'sort_ro': doc('O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).', 'key:key BY=pattern:pattern#1? LIMIT=offset_count{offset:integer count:integer}? GET=pattern:pattern#1?*+ order(ASC|DESC)? ALPHA=sorting:pure-token?'),
    'migrate': doc('This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.', 'host:string port:integer key_or_empty_string(key:key|=empty_string:pure-token) destination-db:integer timeout:integer COPY@3.0.0? REPLACE@3.0.0? authentication(AUTH=password:string@4.0.7?|AUTH2=username_password{username:string password:string}@6.0.0?)? KEYS=key:key#1@3.0.6?*', history=(('3.0.0', 'Added the `COPY` and `REPLACE` options.'), ('3.0.6', 'Added the `KEYS` option.'), ('4.0.7', 'Added the `AUTH` option.'), ('6.0.0', 'Added the `AUTH2` option.'))),
    'failover': doc('O(1)', 'TO=target{host:string port:integer FORCE?}? ABORT? TIMEOUT=milliseconds:integer?'),
    'replicaof': doc('O(1)', 'args(host-port{host:string port:integer}|no-one{NO ONE})'),
    'slaveof': doc('O(1)', 'args(host-port{host:string port:integer}|no-one{NO ONE})', doc_flags=('deprecated',), deprecated_since='5.0.0', replaced_by='`REPLICAOF`'),
    'sync': doc('', ''),
    'psync': doc('', 'replicationid:string offset:integer'),
    'module': doc('Depends on subcommand.', ''),
    'module|help': doc('O(1)', ''),
    'module|list': doc('O(N) where N is the number of loaded modules.', ''),
    'module|load': doc('O(1)', 'path:string arg:string?*'),
    'module|loadex': doc('O(1)', 'path:string CONFIG=configs{name:string value:string}?*+ ARGS=args{arg:string}?*'),
    'module|unload': doc('O(1)', 'name:string'),
    'pubsub': doc('Depends on subcommand.', ''),
    'pubsub|channels': doc('O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)', 'pattern:pattern?'),
    'pubsub|help': doc('O(1)', ''),
    'pubsub|numpat': doc('O(1)', ''),
    'pubsub|numsub': doc('O(N) for the NUMSUB subcommand, where N is the number of requested channels', 'channel:string?*'),
    'pubsub|shardchannels': doc('O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).', 'pattern:pattern?'),
    'pubsub|shardnumsub': doc('O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels', 'shardchannel:string?*'),
    'publish': doc('O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).', 'channel:string message:string'),
    'subscribe': doc('O(N) where N is the number of channels to subscribe to.', 'channel:string*'),
    'unsubscribe': doc('O(N) where N is the number of clients already subscribed to a channel.', 'channel:string?*'),
    'psubscribe': doc('O(N) where N is the number of patterns the client is already subscribed to.', 'pattern{pattern:pattern}*'),
    'punsubscribe': doc('O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).', 'pattern:pattern?*'),
    'ssubscribe': doc('O(N) where N is the number of shard channels to subscribe to.', 'shardchannel:string*'),
    'sunsubscribe': doc('O(N) where N is the number of clients already subscribed to a shard channel.', 'shardchannel:string?*'),
    'spublish': doc('O(N) where N is the number of clients subscribed to the receiving shard channel.', 'shardchannel:string message:string'),
    'eval': doc('Depends on the script that is executed.', 'script:string numkeys:integer key:key?* arg:string?*'),
    'evalsha': doc('Depends on the script that is executed.', 'sha1:string numkeys:integer key:key?* arg:string?*'),
    'eval_ro': doc('Depends on the script that is executed.', 'script:string numkeys:integer key:key?* arg:string?*'),
    'evalsha_ro': doc('Depends on the script that is executed.', 'sha1:string numkeys:integer key:key?* arg:string?*'),
    'script': doc('Depends on subcommand.', ''),
    'script|debug': doc('O(1)', 'mode(YES|SYNC|NO)'),
    'script|exists': doc('O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).', 'sha1:string*'),
    'script|flush': doc('O(N) with N being the number of scripts in cache', 'async(ASYNC|SYNC)@6.2.0?', history=(('6.2.0', 'Added the `ASYNC` and `SYNC` flushing mode modifiers.'),)),
    'script|help': doc('O(1)', ''),
    'script|kill': doc('O(1)', ''),
    'script|load': doc('O(N) with N being the length in bytes of the script body.', 'script:string'),
    'function': doc('Depends on subcommand.', ''),
    'function|delete': doc('O(1)', 'library-name:string'),
    'function|dump': doc('O(N) where N is the number of functions', ''),
    'function|flush': doc('O(N) where N is the number of functions deleted', 'async(ASYNC|SYNC)?'),
    'function|help': doc('O(1)', ''),
    'function|kill': doc('O(1)', ''),
    'function|list': doc('O(N) where N is the number of functions', 'LIBRARYNAME=library-name-pattern:string? WITHCODE?'),
    'function|load': doc('O(1) (considering compilation time is redundant)', 'REPLACE? function-code:string'),
    'function|restore': doc('O(N) where N is the number of functions on the payload', 'serialized-value:string policy(FLUSH|APPEND|REPLACE)?'),
    'function|stats': doc('O(1)', ''),
    'fcall': doc('Depends on the function that is executed.', 'function:string numkeys:integer key:key?* arg:string?*'),
    'fcall_ro': doc('Depends on the function that is executed.', 'function:string numkeys:integer key:key?* arg:string?*'),
    # hashes and sets
    'hset': doc('O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.', 'key:key field_value{field:string value:string}*', history=(('4.0.0', 'Accepts multiple `field` and `value` arguments.'),)),
    'hsetnx': doc('O(1)', 'key:key field:string value:string'),
    'hget': doc('O(1)', 'key:key field:string'),
    'hmget': doc('O(N) where N is the number of fields being requested.', 'key:key field:string*'),
    'hmset': doc('O(N) where N is the number of fields being set.', 'key:key field_value{field:string value:string}*', doc_flags=('deprecated',), deprecated_since='4.0.0', replaced_by='`HSET` with multiple field-value pairs'),
    'hgetall': doc('O(N) where N is the size of the hash.', 'key:key'),
    'hdel': doc('O(N) where N is the number of fields to be removed.', 'key:key field:string*', history=(('2.4.0', 'Accepts multiple `field` arguments.'),)),
    'hexists': doc('O(1)', 'key:key field:string'),
    'hlen': doc('O(1)', 'key:key'),
    'hkeys': doc('O(N) where N is the size of the hash.', 'key:key'),
    'hvals': doc('O(N) where N is the size of the hash.', 'key:key'),
    'hstrlen': doc('O(1)', 'key:key field:string'),
    'hincrby': doc('O(1)', 'key:key field:string increment:integer'),
    'hincrbyfloat': doc('O(1)', 'key:key field:string increment:double'),
    'hrandfield': doc('O(N) where N is the number of fields returned', 'key:key options{count:integer WITHVALUES?}?'),
    'hscan': doc('O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..', 'key:key cursor:integer MATCH=pattern:pattern? COUNT=count:integer?'),
    'hexpire': doc('O(N) where N is the number of specified fields', 'key:key seconds:integer condition(NX|XX|GT|LT)? FIELDS=fields{numfields:integer field:string*}'),
    'hpexpire': doc('O(N) where N is the number of specified fields', 'key:key milliseconds:integer condition(NX|XX|GT|LT)? FIELDS=fields{numfields:integer field:string*}'),
    'hexpireat': doc('O(N) where N is the number of specified fields', 'key:key unix-time-seconds:unix-time condition(NX|XX|GT|LT)? FIELDS=fields{numfields:integer field:string*}'),
    'hpexpireat': doc('O(N) where N is the number of specified fields', 'key:key unix-time-milliseconds:unix-time condition(NX|XX|GT|LT)? FIELDS=fields{numfields:integer field:string*}'),
    'httl': doc('O(N) where N is the number of specified fields', 'key:key FIELDS=fields{numfields:integer field:string*}'),
    'hpttl': doc('O(N) where N is the number of specified fields', 'key:key FIELDS=fields{numfields:integer field:string*}'),
    'hexpiretime': doc('O(N) where N is the number of specified fields', 'key:key FIELDS=fields{numfields:integer field:string*}'),
    'hpexpiretime': doc('O(N) where N is the number of specified fields', 'key:key FIELDS=fields{numfields:integer field:string*}'),
    'hpersist': doc('O(N) where N is the number of specified fields', 'key:key FIELDS=fields{numfields:integer field:string*}'),
    'sadd': doc('O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'key:key member:string*', history=(('2.4.0', 'Accepts multiple `member` arguments.'),)),
    'srem': doc('O(N) where N is the number of members to be removed.', 'key:key member:string*', history=(('2.4.0', 'Accepts multiple `member` arguments.'),)),
    'smembers': doc('O(N) where N is the set cardinality.', 'key:key'),
    'sismember': doc('O(1)', 'key:key member:string'),
    'smismember': doc('O(N) where N is the number of elements being checked for membership', 'key:key member:string*'),
    'scard': doc('O(1)', 'key:key'),
    'spop': doc('Without the count argument O(1), otherwise O(N) where N is the value of the passed count.', 'key:key count:integer@3.2.0?', history=(('3.2.0', 'Added the `count` argument.'),)),
    'srandmember': doc('Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.', 'key:key count:integer@2.6.0?', history=(('2.6.0', 'Added the optional `count` argument.'),)),
    'smove': doc('O(1)', 'source:key destination:key#1 member:string'),
    'sinter': doc('O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', 'key:key*'),
    'sinterstore': doc('O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', 'destination:key key:key#1*'),
    'sunion': doc('O(N) where N is the total number of elements in all given sets.', 'key:key*'),
    'sunionstore': doc('O(N) where N is the total number of elements in all given sets.', 'destination:key key:key#1*'),
    'sdiff': doc('O(N) where N is the total number of elements in all given sets.', 'key:key*'),
    'sdiffstore': doc('O(N) where N is the total number of elements in all given sets.', 'destination:key key:key#1*'),
    'sintercard': doc('O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', 'numkeys:integer key:key* LIMIT=limit:integer?'),
    'sscan': doc('O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..', 'key:key cursor:integer MATCH=pattern:pattern? COUNT=count:integer?'),
    # sorted sets
    'zadd': doc('O(log(N)) for each item added, where N is the number of elements in the sorted set.', 'key:key condition(NX|XX)@3.0.2? comparison(GT|LT)@6.2.0? CH=change:pure-token@3.0.2? INCR=increment:pure-token@3.0.2? score_member{score:double member:string}*', history=(('2.4.0', 'Accepts multiple elements.'), ('3.0.2', 'Added the `XX`, `NX`, `CH` and `INCR` options.'), ('6.2.0', 'Added the `GT` and `LT` options.'))),
    'zincrby': doc('O(log(N)) where N is the number of elements in the sorted set.', 'key:key increment:integer member:string'),
    'zscore': doc('O(1)', 'key:key member:string'),
    'zmscore': doc('O(N) where N is the number of members being requested.', 'key:key member:string*'),
    'zcard': doc('O(1)', 'key:key'),
    'zcount': doc('O(log(N)) with N being the number of elements in the sorted set.', 'key:key min:double max:double'),
    'zlexcount': doc('O(log(N)) with N being the number of elements in the sorted set.', 'key:key min:string max:string'),
    'zrank': doc('O(log(N))', 'key:key member:string'),
    'zrevrank': doc('O(log(N))', 'key:key member:string'),
    'zrange': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.', 'key:key start:string stop:string sortby(BYSCORE|BYLEX)@6.2.0? REV@6.2.0? LIMIT=offset_count{offset:integer count:integer}@6.2.0? WITHSCORES?', history=(('6.2.0', 'Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.'),)),
    'zrevrange': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.', 'key:key start:integer stop:integer WITHSCORES?', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`ZRANGE` with the `REV` argument'),
    'zrangebyscore': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).', 'key:key min:double max:double WITHSCORES@2.0.0? LIMIT=offset_count{offset:integer count:integer}?', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`ZRANGE` with the `BYSCORE` argument', history=(('2.0.0', 'Added the `WITHSCORES` modifier.'),)),
    'zrevrangebyscore': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).', 'key:key max:double min:double WITHSCORES? LIMIT=offset_count{offset:integer count:integer}?', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`ZRANGE` with the `REV` and `BYSCORE` arguments', history=(('2.1.6', '`min` and `max` can be exclusive.'),)),
    'zrangebylex': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).', 'key:key min:string max:string LIMIT=offset_count{offset:integer count:integer}?', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`ZRANGE` with the `BYLEX` argument'),
    'zrevrangebylex': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).', 'key:key max:string min:string LIMIT=offset_count{offset:integer count:integer}?', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`ZRANGE` with the `REV` and `BYLEX` arguments'),
    'zrem': doc('O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.', 'key:key member:string*', history=(('2.4.0', 'Accepts multiple elements.'),)),
    'zremrangebyrank': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.', 'key:key start:integer stop:integer'),
    'zremrangebyscore': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.', 'key:key min:double max:double'),
    'zremrangebylex': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.', 'key:key min:string max:string'),
    'zpopmin': doc('O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.', 'key:key count:integer?'),
    'zpopmax': doc('O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.', 'key:key count:integer?'),
    'zrandmember': doc('O(N) where N is the number of elements returned', 'key:key options{count:integer WITHSCORES?}?'),
    'zscan': doc('O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..', 'key:key cursor:integer MATCH=pattern:pattern? COUNT=count:integer?'),
    'zunionstore': doc('O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.', 'destination:key numkeys:integer key:key#1* WEIGHTS=weight:integer?* AGGREGATE=aggregate(SUM|MIN|MAX)?'),
    'zinterstore': doc('O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.', 'destination:key numkeys:integer key:key#1* WEIGHTS=weight:integer?* AGGREGATE=aggregate(SUM|MIN|MAX)?'),
    'zrangestore': doc('O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.', 'dst:key src:key#1 min:string max:string sortby(BYSCORE|BYLEX)? REV? LIMIT=offset_count{offset:integer count:integer}?'),
    'zunion': doc('O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.', 'numkeys:integer key:key* WEIGHTS=weight:integer?* AGGREGATE=aggregate(SUM|MIN|MAX)? WITHSCORES?'),
    'zinter': doc('O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.', 'numkeys:integer key:key* WEIGHTS=weight:integer?* AGGREGATE=aggregate(SUM|MIN|MAX)? WITHSCORES?'),
    'zdiff': doc('O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.', 'numkeys:integer key:key* WITHSCORES?'),
    'zdiffstore': doc('O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.', 'destination:key numkeys:integer key:key#1*'),
    'zintercard': doc('O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.', 'numkeys:integer key:key* LIMIT=limit:integer?'),
    'zmpop': doc('O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.', 'numkeys:integer key:key* where(MIN|MAX) COUNT=count:integer?'),
    # lists (tools/docs_from_redis.py)
    'lpush': doc('O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'key:key element:string*', history=(('2.4.0', 'Accepts multiple `element` arguments.'),)),
    'rpush': doc('O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'key:key element:string*', history=(('2.4.0', 'Accepts multiple `element` arguments.'),)),
    'lpushx': doc('O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'key:key element:string*', history=(('4.0.0', 'Accepts multiple `element` arguments.'),)),
    'rpushx': doc('O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'key:key element:string*', history=(('4.0.0', 'Accepts multiple `element` arguments.'),)),
    'lpop': doc('O(N) where N is the number of elements returned', 'key:key count:integer@6.2.0?', history=(('6.2.0', 'Added the `count` argument.'),)),
    'rpop': doc('O(N) where N is the number of elements returned', 'key:key count:integer@6.2.0?', history=(('6.2.0', 'Added the `count` argument.'),)),
    'llen': doc('O(1)', 'key:key'),
    'lindex': doc('O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).', 'key:key index:integer'),
    'lrange': doc('O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.', 'key:key start:integer stop:integer'),
    'lpos': doc('O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.', 'key:key element:string RANK=rank:integer? COUNT=num-matches:integer? MAXLEN=len:integer?'),
    'lset': doc('O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).', 'key:key index:integer element:string'),
    'lrem': doc('O(N+M) where N is the length of the list and M is the number of elements removed.', 'key:key count:integer element:string'),
    'ltrim': doc('O(N) where N is the number of elements to be removed by the operation.', 'key:key start:integer stop:integer'),
    'linsert': doc('O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).', 'key:key where(BEFORE|AFTER) pivot:string element:string'),
    'lmove': doc('O(1)', 'source:key destination:key#1 wherefrom(LEFT|RIGHT) whereto(LEFT|RIGHT)'),
    'rpoplpush': doc('O(1)', 'source:key destination:key#1', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`LMOVE` with the `RIGHT` and `LEFT` arguments'),
    'blpop': doc('O(N) where N is the number of provided keys.', 'key:key* timeout:double', history=(('6.0.0', '`timeout` is interpreted as a double instead of an integer.'),)),
    'brpop': doc('O(N) where N is the number of provided keys.', 'key:key* timeout:double', history=(('6.0.0', '`timeout` is interpreted as a double instead of an integer.'),)),
    'blmove': doc('O(1)', 'source:key destination:key#1 wherefrom(LEFT|RIGHT) whereto(LEFT|RIGHT) timeout:double'),
    'lmpop': doc('O(N+M) where N is the number of provided keys and M is the number of elements returned.', 'numkeys:integer key:key* where(LEFT|RIGHT) COUNT=count:integer?'),
    'blmpop': doc('O(N+M) where N is the number of provided keys and M is the number of elements returned.', 'timeout:double numkeys:integer key:key* where(LEFT|RIGHT) COUNT=count:integer?'),
    'bzpopmin': doc('O(log(N)) with N being the number of elements in the sorted set.', 'key:key* timeout:double', history=(('6.0.0', '`timeout` is interpreted as a double instead of an integer.'),)),
    'bzpopmax': doc('O(log(N)) with N being the number of elements in the sorted set.', 'key:key* timeout:double', history=(('6.0.0', '`timeout` is interpreted as a double instead of an integer.'),)),
    'bzmpop': doc('O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.', 'timeout:double numkeys:integer key:key* where(MIN|MAX) COUNT=count:integer?'),
    'brpoplpush': doc('O(1)', 'source:key destination:key#1 timeout:double', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`BLMOVE` with the `RIGHT` and `LEFT` arguments', history=(('6.0.0', '`timeout` is interpreted as a double instead of an integer.'),)),
    # Redis 7.2 (not in 7.0.15): written by hand from Redis 7.2's command JSON.
    'client|setinfo': doc('O(1)', 'attr(LIB-NAME=libname:string|LIB-VER=libver:string)'),
    'client|no-touch': doc('O(1)', 'enabled(ON|OFF)'),
    # emulated cluster mode
    'readonly': doc('O(1)', ''),
    'readwrite': doc('O(1)', ''),
    'asking': doc('O(1)', ''),
    'cluster': doc('Depends on subcommand.', ''),
    'cluster|help': doc('O(1)', ''),
    'cluster|countkeysinslot': doc('O(1)', 'slot:integer'),
    'cluster|getkeysinslot': doc('O(log(N)) where N is the number of requested keys', 'slot:integer count:integer'),
    'cluster|info': doc('O(1)', ''),
    'cluster|keyslot': doc('O(N) where N is the number of bytes in the key', 'key:string'),
    'cluster|myid': doc('O(1)', ''),
    'cluster|nodes': doc('O(N) where N is the total number of Cluster nodes', ''),
    'cluster|shards': doc('O(N) where N is the total number of cluster nodes', ''),
    'cluster|slots': doc('O(N) where N is the total number of Cluster nodes', '', doc_flags=('deprecated',), deprecated_since='7.0.0', replaced_by='`CLUSTER SHARDS`', history=(('4.0.0', 'Added node IDs.'), ('7.0.0', 'Added additional networking metadata field.'))),
    'xadd': doc('O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.', 'key:key NOMKSTREAM@6.2.0? trim{strategy(MAXLEN|MINID@6.2.0) operator(==equal:pure-token|~=approximately:pure-token)? threshold:string LIMIT=count:integer@6.2.0?}? id_or_auto(*=auto_id:pure-token|id:string) field_value{field:string value:string}*', history=(('6.2.0', 'Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option.'), ('7.0.0', 'Added support for the `<ms>-*` explicit ID form.'))),
    'xrange': doc('O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).', 'key:key start:string end:string COUNT=count:integer?', history=(('6.2.0', 'Added exclusive ranges.'),)),
    'xrevrange': doc('O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).', 'key:key end:string start:string COUNT=count:integer?', history=(('6.2.0', 'Added exclusive ranges.'),)),
    'xlen': doc('O(1)', 'key:key'),
    'xdel': doc('O(1) for each single item to delete in the stream, regardless of the stream size.', 'key:key id:string*'),
    'xtrim': doc('O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.', 'key:key trim{strategy(MAXLEN|MINID@6.2.0) operator(==equal:pure-token|~=approximately:pure-token)? threshold:string LIMIT=count:integer@6.2.0?}', history=(('6.2.0', 'Added the `MINID` trimming strategy and the `LIMIT` option.'),)),
    'xsetid': doc('O(1)', 'key:key last-id:string ENTRIESADDED=entries_added:integer@7.0.0? MAXDELETEDID=max_deleted_entry_id:string@7.0.0?', history=(('7.0.0', 'Added the `entries_added` and `max_deleted_entry_id` arguments.'),)),
    'xread': doc('For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.', 'COUNT=count:integer? BLOCK=milliseconds:integer? STREAMS=streams{key:key* id:string*}'),
    'xreadgroup': doc('For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.', 'GROUP=group_consumer{group:string consumer:string} COUNT=count:integer? BLOCK=milliseconds:integer? NOACK? STREAMS=streams{key:key* id:string*}'),
    'xgroup': doc('Depends on subcommand.', ''),
    'xgroup|create': doc('O(1)', 'key:key groupname:string id(id:string|$=new_id:pure-token) MKSTREAM? ENTRIESREAD=entries_read:integer?', history=(('7.0.0', 'Added the `entries_read` named argument.'),)),
    'xgroup|createconsumer': doc('O(1)', 'key:key groupname:string consumername:string'),
    'xgroup|delconsumer': doc('O(1)', 'key:key groupname:string consumername:string'),
    'xgroup|destroy': doc("O(N) where N is the number of entries in the group's pending entries list (PEL).", 'key:key groupname:string'),
    'xgroup|help': doc('O(1)', ''),
    'xgroup|setid': doc('O(1)', 'key:key groupname:string id(id:string|$=new_id:pure-token) ENTRIESREAD=entries_read:integer?', history=(('7.0.0', 'Added the optional `entries_read` argument.'),)),
    'xack': doc('O(1) for each message ID processed.', 'key:key group:string id:string*'),
    'xpending': doc('O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.', 'key:key group:string filters{IDLE=min-idle-time:integer@6.2.0? start:string end:string count:integer consumer:string?}?', history=(('6.2.0', 'Added the `IDLE` option and exclusive range intervals.'),)),
    'xclaim': doc('O(log N) with N being the number of messages in the PEL of the consumer group.', 'key:key group:string consumer:string min-idle-time:string id:string* IDLE=ms:integer? TIME=unix-time-milliseconds:unix-time? RETRYCOUNT=count:integer? FORCE? JUSTID? LASTID=id:string?'),
    'xautoclaim': doc('O(1) if COUNT is small.', 'key:key group:string consumer:string min-idle-time:string start:string COUNT=count:integer? JUSTID?', history=(('7.0.0', 'Added an element to the reply array, containing deleted entries the command cleared from the PEL'),)),
    'xinfo': doc('Depends on subcommand.', ''),
    'xinfo|consumers': doc('O(1)', 'key:key groupname:string'),
    'xinfo|groups': doc('O(1)', 'key:key', history=(('7.0.0', 'Added the `entries-read` and `lag` fields'),)),
    'xinfo|help': doc('O(1)', ''),
    'xinfo|stream': doc('O(1)', 'key:key FULL=full{COUNT=count:integer?}?', history=(('6.0.0', 'Added the `FULL` modifier.'), ('7.0.0', 'Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields'))),
    'setbit': doc('O(1)', 'key:key offset:integer value:integer'),
    'getbit': doc('O(1)', 'key:key offset:integer'),
    'bitcount': doc('O(N)', 'key:key index{start:integer end:integer index_unit(BYTE|BIT)@7.0.0?}?', history=(('7.0.0', 'Added the `BYTE|BIT` option.'),)),
    'bitpos': doc('O(N)', 'key:key bit:integer index{start:integer end_index{end:integer index_unit(BYTE|BIT)@7.0.0?}?}?', history=(('7.0.0', 'Added the `BYTE|BIT` option.'),)),
    'bitop': doc('O(N)', 'operation:string destkey:key key:key#1*'),
    'bitfield': doc('O(1) for each subcommand specified', 'key:key operation(GET=encoding_offset{encoding:string offset:integer}|write{OVERFLOW=wrap_sat_fail(WRAP|SAT|FAIL)? write_operation(SET=encoding_offset_value{encoding:string offset:integer value:integer}|INCRBY=encoding_offset_increment{encoding:string offset:integer increment:integer})})?*'),
    'bitfield_ro': doc('O(1) for each subcommand specified', 'key:key GET=encoding_offset{encoding:string offset:integer}?*+'),
    'geoadd': doc('O(log(N)) for each item added, where N is the number of elements in the sorted set.', 'key:key condition(NX|XX)@6.2.0? CH=change:pure-token@6.2.0? longitude_latitude_member{longitude:double latitude:double member:string}*', history=(('6.2.0', 'Added the `CH`, `NX` and `XX` options.'),)),
    'geodist': doc('O(log(N))', 'key:key member1:string member2:string unit(M|KM|FT|MI)?'),
    'geohash': doc('O(log(N)) for each member requested, where N is the number of elements in the sorted set.', 'key:key member:string*'),
    'geopos': doc('O(N) where N is the number of members requested.', 'key:key member:string*'),
    'georadius': doc('O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.', 'key:key longitude:double latitude:double radius:double unit(M|KM|FT|MI) WITHCOORD? WITHDIST? WITHHASH? count{COUNT=count:integer ANY@6.2.0?}? order(ASC|DESC)? STORE=key:key#1? STOREDIST=key:key#2?', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument', history=(('6.2.0', 'Added the `ANY` option for `COUNT`.'), ('7.0.0', 'Added support for uppercase unit names.'))),
    'georadius_ro': doc('O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.', 'key:key longitude:double latitude:double radius:double unit(M|KM|FT|MI) WITHCOORD? WITHDIST? WITHHASH? count{COUNT=count:integer ANY@6.2.0?}? order(ASC|DESC)?', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`GEOSEARCH` with the `BYRADIUS` argument', history=(('6.2.0', 'Added the `ANY` option for `COUNT`.'),)),
    'georadiusbymember': doc('O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.', 'key:key member:string radius:double unit(M|KM|FT|MI) WITHCOORD? WITHDIST? WITHHASH? count{COUNT=count:integer ANY?}? order(ASC|DESC)? STORE=key:key#1? STOREDIST=key:key#2?', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments', history=(('7.0.0', 'Added support for uppercase unit names.'),)),
    'georadiusbymember_ro': doc('O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.', 'key:key member:string radius:double unit(M|KM|FT|MI) WITHCOORD? WITHDIST? WITHHASH? count{COUNT=count:integer ANY?}? order(ASC|DESC)?', doc_flags=('deprecated',), deprecated_since='6.2.0', replaced_by='`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments'),
    'geosearch': doc('O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape', 'key:key from(FROMMEMBER=member:string|FROMLONLAT=longitude_latitude{longitude:double latitude:double}) by(circle{BYRADIUS=radius:double unit(M|KM|FT|MI)}|box{BYBOX=width:double height:double unit(M|KM|FT|MI)}) order(ASC|DESC)? count{COUNT=count:integer ANY?}? WITHCOORD? WITHDIST? WITHHASH?', history=(('7.0.0', 'Added support for uppercase unit names.'),)),
    'geosearchstore': doc('O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape', 'destination:key source:key#1 from(FROMMEMBER=member:string|FROMLONLAT=longitude_latitude{longitude:double latitude:double}) by(circle{BYRADIUS=radius:double unit(M|KM|FT|MI)}|box{BYBOX=width:double height:double unit(M|KM|FT|MI)}) order(ASC|DESC)? count{COUNT=count:integer ANY?}? STOREDIST?', history=(('7.0.0', 'Added support for uppercase unit names.'),)),
    'pfadd': doc('O(1) to add every element.', 'key:key element:string?*'),
    'pfcount': doc('O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.', 'key:key*'),
    'pfdebug': doc('N/A', 'subcommand:string key:key', doc_flags=('syscmd',)),
    'pfmerge': doc('O(N) to merge N HyperLogLogs, but with high constant times.', 'destkey:key sourcekey:key#1*'),
    'pfselftest': doc('N/A', '', doc_flags=('syscmd',)),
}
