"""Chooses how `import redistill._core` loads the C core (docs/FREE_THREADING.md).

Normally that is the cffi extension `make build` compiles, and this module changes nothing.  On a
free-threaded interpreter cffi does not support (3.13t: no `_cffi_backend` there) it installs an
import hook so that redistill._core is the ctypes core (_core_ctypes.py) instead; the hook runs
before the path search because an extension built for another interpreter may sit in the same
folder (the `.abi3.so` of a GIL build is importable by name on 3.13t, and fails to load there).
REDISTILL_CORE=ctypes forces the ctypes core on any interpreter (to test it on a GIL build).
"""
import importlib.util
import os
import sys
import sysconfig

_CTYPES_CORE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_core_ctypes.py")


class _CtypesCore:
    """Meta path finder: redistill._core comes from _core_ctypes.py."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "redistill._core":
            return None
        return importlib.util.spec_from_file_location(name, _CTYPES_CORE)


def wants_ctypes() -> bool:
    if os.environ.get("REDISTILL_CORE") == "ctypes":
        return True
    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        return False   # a GIL build: the cffi extension
    return importlib.util.find_spec("_cffi_backend") is None   # 3.14t has cffi>=2; 3.13t does not


def install() -> None:
    if wants_ctypes() and not any(isinstance(f, _CtypesCore) for f in sys.meta_path):
        sys.meta_path.insert(0, _CtypesCore())
