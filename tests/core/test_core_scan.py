"""rd_ks_scan's guarantee, driven straight through the C API so tables can be churned between every few
calls: every key present for the whole scan is returned at least once while stripes shrink and grow."""

from redistill.keyspace import Keyspace


def _scan_with_churn(ks: Keyspace, base: set, extra: list, count: int, churn_every: int, churns: int) -> set:
    seen, cursor, calls, done = set(), 0, 0, 0
    pairs = [(k, b"v") for k in extra]
    while calls < 200_000:
        cursor, batch = ks.scan(cursor, count)
        seen.update(batch)
        calls += 1
        if cursor == 0:
            return seen
        if calls % churn_every == 0 and done < churns:
            # Alternately all extra keys go (each stripe's table halves down to fit its ~2 base
            # keys, merging buckets the cursor has not reached into ones it has) and come back
            # (tables double again), with scan calls in between.
            if done % 2 == 0:
                ks.delete_many(extra)
            else:
                ks.mset(pairs)
            done += 1
    raise AssertionError("scan did not finish")


def test_scan_survives_shrinking_and_growing_tables():
    ks = Keyspace(seed=12345)
    try:
        base = {b"base:%d" % i for i in range(2000)}
        extra = [b"extra:%d" % i for i in range(20_000)]
        ks.mset([(k, b"v") for k in base])
        ks.mset([(k, b"v") for k in extra])
        # COUNT 10 with ~20 keys per stripe: most calls end in the middle of a stripe's table.
        seen = _scan_with_churn(ks, base, extra, count=10, churn_every=1, churns=60)
        missing = base - seen
        assert not missing, f"{len(missing)} keys present for the whole scan were never returned"
    finally:
        ks.close()


def test_scan_without_churn_returns_each_key_once():
    ks = Keyspace(seed=7)
    try:
        keys = {b"k%d" % i for i in range(5000)}
        ks.mset([(k, b"v") for k in keys])
        got, cursor = [], 0
        for _ in range(100_000):
            cursor, batch = ks.scan(cursor, 10)
            got += batch
            if cursor == 0:
                break
        assert cursor == 0 and len(got) == len(keys) and set(got) == keys
    finally:
        ks.close()
