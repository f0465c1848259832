"""The rate limit on repeated log lines (redistill/logutil.py), on a fake clock: no server."""
import logging

import pytest
from fakeclock import Clock

from redistill import logutil


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(logutil.time, "monotonic", c)
    monkeypatch.setattr(logutil, "_FILTER", logutil.RepeatFilter())   # a fresh table for each test
    return c


@pytest.fixture
def logged(clock):
    """A redistill logger through get_logger and the messages that reach its handler."""
    messages = []

    class Collect(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    logger = logutil.get_logger(f"redistill.test.{id(messages)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = Collect()
    logger.addHandler(handler)
    yield logger, messages
    logger.removeHandler(handler)
    logger.filters.clear()


def test_burst_then_dropped_then_counted(logged, clock):
    logger, messages = logged
    for i in range(logutil.BURST + 15):
        logger.warning("Rejected client %s: %s", f"10.0.0.{i}", "max number of clients reached")
    assert messages == [f"Rejected client 10.0.0.{i}: max number of clients reached" for i in range(logutil.BURST)]
    clock.now += logutil.WINDOW
    logger.warning("Rejected client %s: %s", "10.0.0.99", "max number of clients reached")
    assert messages[-1] == (f"Rejected client 10.0.0.99: max number of clients reached (and 15 more like this "
                            f"before it, not logged: at most {logutil.BURST} per {logutil.WINDOW:g} s)")
    logger.warning("Rejected client %s: %s", "10.0.0.100", "x")   # the new window counts from one again
    assert messages[-1] == "Rejected client 10.0.0.100: x"


def test_templates_and_levels_are_limited_apart(logged, clock):
    logger, messages = logged
    for _ in range(logutil.BURST + 5):
        logger.warning("accept() failed on %s", "worker 0")
        logger.info("accept() failed on %s", "worker 0")
        logger.warning("other %d", 1)
    assert len(messages) == 3 * logutil.BURST


def test_every_module_logger_is_limited():
    import redistill.accepting  # noqa: F401
    import redistill.health  # noqa: F401
    import redistill.server  # noqa: F401

    for name in ("redistill", "redistill.health", "redistill.accept"):
        assert logutil._FILTER in logging.getLogger(name).filters, name
