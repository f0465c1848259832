"""Fixtures of the real-client tests: a server with a password (the product description's client
examples use one) and has_command() to skip what the server under test does not have yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from resp import RespSocket, parse

PASSWORD = "your-password"


def has_command(server, name: str) -> bool:
    """COMMAND INFO answers nil for a command (or "container|sub") the server does not have."""
    s = RespSocket(server.host, server.port)
    try:
        if server.password:
            s.call("AUTH", server.password)
        return parse(s.call("COMMAND", "INFO", name))[0] is not None
    finally:
        s.close()


def root_conftest(config):
    """tests/conftest.py as pytest loaded it (`import conftest` may give tests/core/conftest.py in a full run)."""
    return config.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))


@pytest.fixture(scope="package")
def secured(request):
    """The target server started with --requirepass PASSWORD."""
    root = root_conftest(request.config)
    sp = root.start_server(request.config.getoption("--target"), ["--requirepass", PASSWORD], password=PASSWORD)
    yield sp
    root.stop_and_check(sp)
