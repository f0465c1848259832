"""Only the cffi hook: cffi_modules is a setup() keyword and cannot live in pyproject.toml."""
from setuptools import setup

setup(cffi_modules=["build_ffi.py:ffibuilder"])
