"""The worker's C event loop (rd_worker_poll) keeps waiting in C while every event is a fast command:
Python's timers and the wake-up socket must still get their turn on that same worker."""

import time

from resp import RespSocket
from servers import start_server, stop_and_check


def test_idle_sweep_and_slow_commands_run_while_a_client_streams_fast_commands():
    # One worker: the busy client and the idle one share its loop.  The busy client's events are all
    # served in C; the once-a-second sweep (a Python timer, also prompted by the cron's call_soon on
    # the wake-up socket) must still close the idle client, and a slow command must still reach Python.
    # timeout = 3, not 1: under CI's load this test process itself can stall past a second between
    # two SETs, and then the sweep rightly closes the busy client too.
    sp = start_server("redistill", ["--threads", "1"], config_text="[server]\ntimeout = 3\n")
    busy, idle = RespSocket(sp.host, sp.port), RespSocket(sp.host, sp.port)
    try:
        assert idle.call("PING") == b"+PONG\r\n"
        closed = False
        deadline = time.monotonic() + 20
        for i in range(200_000):  # bounded in count and in time
            assert busy.call("SET", "k", str(i)) == b"+OK\r\n"
            if i % 500 == 0:
                idle.sock.settimeout(0.001)
                try:
                    closed = idle.sock.recv(1) == b""
                except (BlockingIOError, TimeoutError, OSError):
                    closed = False
                if closed or time.monotonic() > deadline:
                    break
        assert closed, "the idle client was not closed while another client kept the worker busy"
        # A command Python serves (CLIENT) answers in the middle of the stream, too.
        assert busy.call("CLIENT", "SETNAME", "busy") == b"+OK\r\n"
        assert busy.call("GET", "k") == b"$%d\r\n%d\r\n" % (len(str(i)), i)
    finally:
        busy.close()
        idle.close()
        stop_and_check(sp)
