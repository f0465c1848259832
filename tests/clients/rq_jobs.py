"""Job functions for test_rq.py (imported by name in the worker: rq_jobs.add), and the worker itself:
`python rq_jobs.py URL QUEUE` runs one burst of a real rq.Worker (forking a work horse per job) in
this process, with the worker's pub/sub control channel left out: redis-py 8 can hang joining that
channel's thread when a burst ends (seen against redis-server too), and it is not what the test is
about."""
import sys


def add(a, b):
    return a + b


def fail(message):
    raise ValueError(message)


if __name__ == "__main__":
    import redis
    import rq
    from rq.worker import Worker

    Worker.subscribe = Worker.unsubscribe = lambda self: None
    conn = redis.Redis.from_url(sys.argv[1])
    worker = rq.Worker([rq.Queue(sys.argv[2], connection=conn)], connection=conn)
    sys.exit(0 if worker.work(burst=True) else 1)
