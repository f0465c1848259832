"""SORT and SORT_RO beyond the reply bytes (tests/differential's "sort" script has those): a SORT is
one atomic step even though its BY and GET patterns read keys its arguments do not name, and SORT
... STORE wakes a client blocked on the destination list."""

import threading
import time

from servers import make_client, run_threads

N = 20


def test_sort_by_and_get_see_one_moment(server):
    """Writers set every weight to one new value with one MSET; SORT BY w_* GET w_* must never
    see two values at once. Several connections, so both worker threads take part."""
    setup = make_client(server)
    setup.flushall()
    setup.rpush("ids", *range(N))
    setup.mset({f"w_{i}": 0 for i in range(N)})
    stop = time.monotonic() + 3
    torn: list = []

    def writer(base):
        c = make_client(server)
        v = base
        while time.monotonic() < stop:
            v += 2
            c.mset({f"w_{i}": v for i in range(N)})
        c.close()

    def sorter():
        c = make_client(server)
        for _ in range(5000):
            if time.monotonic() >= stop:
                break
            for cmd in ("sort", "sort_ro"):
                values = c.execute_command(cmd, "ids", "BY", "w_*", "GET", "w_*")
                if len(set(values)) != 1:
                    torn.append(values)
        c.close()

    run_threads([lambda: writer(0), lambda: writer(1), sorter, sorter], timeout=60)
    setup.close()
    assert not torn, f"SORT saw weights from different MSETs: {torn[0]}"


def test_sort_store_wakes_a_blocked_client(server):
    c, waiter = make_client(server), make_client(server)
    c.flushall()
    c.rpush("src", 3, 1, 2)
    got = []
    t = threading.Thread(target=lambda: got.append(waiter.blpop(["dst"], timeout=10)), daemon=True)
    t.start()
    deadline = time.monotonic() + 10
    while c.info("clients")["blocked_clients"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert c.sort("src", store="dst") == 3
    t.join(timeout=10)
    assert got == [(b"dst", b"1")]
    assert c.lrange("dst", 0, -1) == [b"2", b"3"]
    c.close()
    waiter.close()
