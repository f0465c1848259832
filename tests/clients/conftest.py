"""Fixtures of the real-client tests: a server with a password (the product description's client
examples use one) and has_command() to skip what the server under test does not have yet."""

from __future__ import annotations

import pytest

from servers import start_server, stop_and_check
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


@pytest.fixture(scope="package")
def secured(request):
    """The target server started with --requirepass PASSWORD."""
    sp = start_server(request.config.getoption("--target"), ["--requirepass", PASSWORD], password=PASSWORD)
    yield sp
    stop_and_check(sp)
