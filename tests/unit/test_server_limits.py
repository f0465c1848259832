"""Server's admission rules without sockets: the failed-AUTH slow-down schedule and the per-address rate limit,
on a fake clock."""
import pytest
from fakeclock import Clock

from redistill import server as server_module
from redistill.config import load_config
from redistill.server import AUTH_FREE_FAILURES, AUTH_MAX_STEP, AUTH_MAX_WAIT, Server


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(server_module.time, "monotonic", c)
    return c


def make(argv=(), env=None):
    return Server(load_config(list(argv) + ["--health-check-port", "0"], env or {}))


def test_auth_failures_free_then_doubling_and_serialised(clock):
    s = make()
    assert [s.auth_failed("1.2.3.4") for _ in range(AUTH_FREE_FAILURES)] == [0.0] * AUTH_FREE_FAILURES
    # Called at the same instant: each reply waits for the previous one of the address, plus its own step.
    assert s.auth_failed("1.2.3.4") == pytest.approx(0.1)
    assert s.auth_failed("1.2.3.4") == pytest.approx(0.1 + 0.2)
    assert s.auth_failed("1.2.3.4") == pytest.approx(0.1 + 0.2 + 0.4)
    assert s.auth_failed("5.6.7.8") == 0.0            # other addresses are not affected
    for _ in range(20):
        d = s.auth_failed("1.2.3.4")
    assert d == pytest.approx(AUTH_MAX_WAIT)          # the queue of one address is bounded
    clock.now += 100                                  # once its replies are out, steps are capped
    assert s.auth_failed("1.2.3.4") == 0.0            # ... and after AUTH_FORGET it starts afresh
    for _ in range(AUTH_FREE_FAILURES + 10):
        clock.now += 5
        d = s.auth_failed("9.9.9.9")
    assert d == pytest.approx(AUTH_MAX_STEP)
    s.auth_succeeded("9.9.9.9")
    assert s.auth_failed("9.9.9.9") == 0.0
    assert s.auth_failures == 3 + 3 + 20 + 1 + 1 + 13 + 1
    assert s.auth_delayed > 0


def test_rate_limit_per_address_per_second(clock):
    s = make(env={"REDISTILL_CONNECTION_RATE_LIMIT": "2"})
    assert [s.rate_ok("a") for _ in range(3)] == [True, True, False]
    assert s.rate_ok("b") is True
    clock.now += 1
    assert s.rate_ok("a") is True


def test_rate_limit_off_by_default(clock):
    s = make()
    assert all(s.rate_ok("a") for _ in range(1000))


def test_own_descriptors_count_listeners_wakeups_and_health():
    """RLIMIT_NOFILE must cover maxclients plus these: per worker one listener per address and port, a
    wake-up socketpair and an epoll; the main wake-up pipe; the health endpoint and its connection cap."""
    from redistill import health

    base = server_module.RESERVED_FDS + 2
    assert make(["--threads", "2"]).own_descriptors() == base + 2 * (1 + 3)
    assert make(["--threads", "3"]).own_descriptors() == base + 3 * (1 + 3)
    with_health = Server(load_config(["--threads", "2", "--health-check-port", "8081"], {}))
    assert with_health.own_descriptors() == base + 2 * (1 + 3) + health.OWN_FDS + health.MAX_CONNECTIONS
