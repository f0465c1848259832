"""The C core through ctypes: the fallback loader for interpreters cffi does not build on.

cffi (API mode, build_ffi.py) is how redistill._core is normally built.  cffi 2.x refuses the
free-threaded build of CPython 3.13 (it supports free-threading from 3.14t), and an extension
without free-threading support would turn the GIL back on anyway.  There, _core_loader.py makes
`import redistill._core` execute this file (as that module) instead:

  - the same C sources, compiled by `make ft-core` into a plain shared library
    (redistill/libredistill-core.so; the hyphen keeps it from looking like a module);
  - the same header, csrc/redistill.h, parsed here for its enums and function declarations,
    so the API has one definition for both loaders;
  - `ffi` and `lib` objects offering the part of cffi's interface the package uses
    (new, from_buffer, unpack, string, buffer, gc, errno).  Pointers are plain ints.

Differences from cffi worth knowing: an integer argument out of its C type's range is truncated
(cffi raises OverflowError); callers already range-check what clients send.  ctypes calls are
slower than cffi's (about a microsecond each), which only matters for speed, not for replies.
"""
from __future__ import annotations

import ctypes
import os
import re
import weakref
from typing import Any

_HERE = os.path.dirname(os.path.abspath(__file__))
LIBRARY = os.environ.get("REDISTILL_CORE_LIB") or os.path.join(_HERE, "libredistill-core.so")
HEADER = os.environ.get("REDISTILL_CORE_HEADER") or os.path.join(
    os.path.dirname(_HERE), "csrc", "redistill.h")

# C scalar types of the header.  Every pointer is a void pointer (_Pointer below); an unknown
# type is an error at import, never a silent guess.
_SCALARS: dict[str, Any] = {
    "void": None, "int": ctypes.c_int, "unsigned": ctypes.c_uint, "unsigned int": ctypes.c_uint,
    "char": ctypes.c_char, "double": ctypes.c_double, "size_t": ctypes.c_size_t,
    "ssize_t": ctypes.c_ssize_t, "int8_t": ctypes.c_int8, "uint8_t": ctypes.c_uint8,
    "int16_t": ctypes.c_int16, "uint16_t": ctypes.c_uint16, "int32_t": ctypes.c_int32,
    "uint32_t": ctypes.c_uint32, "int64_t": ctypes.c_int64, "uint64_t": ctypes.c_uint64,
    "long long": ctypes.c_longlong, "unsigned long long": ctypes.c_ulonglong,
    "rd_status": ctypes.c_int,
}


def _address(obj: Any) -> int | None:
    """The address a pointer-typed value stands for (what cffi would pass for it)."""
    if obj is None or isinstance(obj, int):
        return obj
    if isinstance(obj, bytes):
        return ctypes.cast(ctypes.c_char_p(obj), ctypes.c_void_p).value
    obj = getattr(obj, "_as_parameter_", obj)
    if isinstance(obj, int):
        return obj
    return ctypes.addressof(obj)


class _Pointer(ctypes.c_void_p):
    """Argument type of every pointer parameter: accepts ints (addresses returned by C), bytes
    (passed without a copy, as cffi does for `const char *`), ctypes arrays from ffi.new, and
    ffi.gc wrappers.  Returned pointers come back as ints (None for NULL)."""

    @classmethod
    def from_param(cls, obj: Any) -> Any:
        if isinstance(obj, (bytes, ctypes.Array)) or obj is None:
            return obj
        # Wrapped: a bare int would be passed as a C int, cutting a 64-bit address.
        return ctypes.c_void_p(_address(obj))


def _ctype(decl: str) -> Any:
    decl = re.sub(r"\bconst\b", "", decl).strip()
    if "*" in decl:
        return _Pointer
    if decl not in _SCALARS:
        raise ImportError(f"redistill._core_ctypes: C type {decl!r} is not mapped")
    return _SCALARS[decl]


def _strip(text: str) -> str:
    """The header as C declarations only: no comments, no preprocessor lines."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return "".join(line for line in text.splitlines(True) if not line.lstrip().startswith("#"))


def _enums(text: str) -> dict[str, int]:
    values: dict[str, int] = {}
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
        nxt = 0
        for item in filter(None, (i.strip() for i in body.split(","))):
            name, _, expr = (p.strip() for p in item.partition("="))
            if expr:   # plain numbers, or names defined earlier in the header
                nxt = int(expr, 0) if re.fullmatch(r"-?(0x)?[0-9a-fA-F]+", expr) else values[expr]
            values[name] = nxt
            nxt += 1
    return values


def _functions(text: str) -> list[tuple[str, Any, list[Any]]]:
    text = re.sub(r"(typedef\s+)?enum\s*\w*\s*\{.*?\}\s*\w*\s*;", " ", text, flags=re.S)
    out = []
    for stmt in text.split(";"):
        stmt = " ".join(stmt.split())
        m = re.fullmatch(r"(.+?)\s*\b(\w+)\s*\((.*)\)", stmt)
        if not stmt or stmt.startswith("typedef") or m is None:
            continue
        ret, name, params = m.groups()
        args = [] if params.strip() in ("", "void") else [
            _ctype(re.sub(r"\w+$", "", p.strip()) if not p.strip().endswith("*") else p.strip())
            for p in params.split(",")]
        restype = _ctype(ret)
        # A plain c_void_p result comes back as an int (None for NULL); a subclass would not.
        out.append((name, ctypes.c_void_p if restype is _Pointer else restype, args))
    return out


class _Lib:
    """The C functions and enum constants, as attributes (like a cffi lib)."""


def _load() -> _Lib:
    with open(HEADER, encoding="utf-8") as f:
        text = _strip(f.read())
    dll = ctypes.CDLL(LIBRARY, use_errno=True)   # CDLL: no interpreter lock is held in C
    lib = _Lib()
    for name, value in _enums(text).items():
        setattr(lib, name, value)
    for name, restype, argtypes in _functions(text):
        fn = getattr(dll, name)
        fn.restype, fn.argtypes = restype, argtypes
        setattr(lib, name, fn)
    return lib


def _element_type(ctype: str) -> Any:
    return _Pointer if ctype.strip().endswith("*") else _ctype(ctype)


class _Owned:
    """ffi.gc's result: passes as the pointer; destructor(pointer) runs when it is collected."""

    __slots__ = ("_as_parameter_", "__weakref__")

    def __init__(self, ptr: int | None, destructor: Any) -> None:
        self._as_parameter_ = ptr
        if ptr is not None:
            weakref.finalize(self, destructor, ptr)

    def __eq__(self, other: Any) -> bool:   # `buf == ffi.NULL`, as with a cffi pointer
        return self._as_parameter_ == getattr(other, "_as_parameter_", other)

    __hash__ = object.__hash__


class _FFI:
    """The part of cffi's FFI object that redistill uses."""

    NULL = None   # what a NULL pointer result is here

    @staticmethod
    def new(ctype: str, init: Any = None) -> Any:
        """"T[]" with a length or a list of values, or "T *" (one zeroed T, read with [0])."""
        ctype = ctype.strip()
        if ctype.endswith("[]"):
            elem = _element_type(ctype[:-2])
            if isinstance(init, int):
                return (elem * init)()
            items = list(init)
            if elem is _Pointer:
                arr = (ctypes.c_void_p * len(items))(*[_address(i) for i in items])
                arr._keep = items   # the bytes the addresses point into stay alive with the array
                return arr
            return (elem * len(items))(*items)
        if not ctype.endswith("*"):
            raise TypeError(f"ffi.new: expected a pointer or array type, got {ctype!r}")
        elem = _element_type(ctype[:-1])
        return ((ctypes.c_void_p if elem is _Pointer else elem) * 1)()

    @staticmethod
    def from_buffer(obj: Any) -> Any:
        if isinstance(obj, bytes):
            return obj
        view = memoryview(obj)
        if view.readonly:   # only ever passed as `const char *`: a copy reads the same
            return bytes(view)
        return (ctypes.c_char * view.nbytes).from_buffer(view)

    @staticmethod
    def unpack(ptr: Any, length: int) -> bytes:
        return ctypes.string_at(_address(ptr), length) if length else b""

    @staticmethod
    def string(ptr: Any) -> bytes:
        return ctypes.string_at(_address(ptr))

    @staticmethod
    def buffer(ptr: Any, size: int) -> memoryview:
        return memoryview((ctypes.c_char * size).from_address(_address(ptr))).cast("B")

    @staticmethod
    def gc(ptr: int, destructor: Any) -> _Owned:
        return _Owned(ptr, destructor)

    @property
    def errno(self) -> int:
        return ctypes.get_errno()

    @staticmethod
    def callback(ctype: str) -> Any:
        """A decorator making a C function pointer of a Python function, as cffi's: ctype is
        "ret(*)(params)"; pointer parameters arrive as ints (addresses), as every pointer here."""
        m = re.fullmatch(r"\s*(.+?)\s*\(\s*\*\s*\)\s*\((.*)\)\s*", ctype)
        if m is None:
            raise TypeError(f"ffi.callback: expected 'ret(*)(params)', got {ctype!r}")
        params = [p.strip() for p in m.group(2).split(",") if p.strip() not in ("", "void")]
        types = [ctypes.c_void_p if _ctype(p) is _Pointer else _ctype(p) for p in params]
        restype = _ctype(m.group(1))
        proto = ctypes.CFUNCTYPE(ctypes.c_void_p if restype is _Pointer else restype, *types)
        return lambda fn: _Callback(proto(fn))

    @staticmethod
    def cast(ctype: str, value: Any) -> Any:
        """Only what the package casts: a callback to "void *" (its address)."""
        if ctype.strip() != "void *":
            raise TypeError(f"ffi.cast: only 'void *' is supported, got {ctype!r}")
        return _address(value)


class _Callback:
    """ffi.callback's result: keeps the ctypes function object alive; passes as its address."""

    __slots__ = ("fn", "_as_parameter_")

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self._as_parameter_ = ctypes.cast(fn, ctypes.c_void_p).value


LOADER = "ctypes"   # INFO server's redistill_core_loader
ffi = _FFI()
lib = _load()
