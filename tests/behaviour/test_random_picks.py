"""SRANDMEMBER, HRANDFIELD, SPOP and ZRANDMEMBER pick uniformly: Redis's own chi-square checks
(tests/unit/type/{set,hash,zset}.tcl, df = 9, limit 40: a 1e-5 chance of a false alarm), plus a larger
set where a bucket-then-chain pick is visibly biased."""

from collections import Counter


def chi_square(picks):
    counts = Counter(picks)
    expected = len(picks) / len(counts)
    return sum((n - expected) ** 2 / expected for n in counts.values())


def test_negative_counts_are_uniform(rc):
    rc.sadd("s", *range(10))
    rc.hset("h", mapping={i: i for i in range(10)})
    rc.zadd("z", {str(i): i for i in range(10)})
    assert chi_square(rc.srandmember("s", -1000)) < 40
    assert chi_square(rc.hrandfield("h", -1000)) < 40
    assert chi_square(rc.zrandmember("z", -1000)) < 40


def test_single_picks_are_uniform(rc):
    rc.sadd("s", *range(10))
    rc.hset("h", mapping={i: i for i in range(10)})
    pipe = rc.pipeline(transaction=False)
    for _ in range(1000):
        pipe.srandmember("s")
        pipe.hrandfield("h")
    picks = pipe.execute()
    assert chi_square(picks[0::2]) < 40
    assert chi_square(picks[1::2]) < 40


def test_spop_is_uniform(rc):
    pipe = rc.pipeline(transaction=False)
    for _ in range(1000):
        pipe.sadd("s", *range(10))
        pipe.spop("s")
    assert chi_square(pipe.execute()[1::2]) < 40


def test_positive_counts_are_uniform(rc):
    rc.sadd("s", *range(10))
    for size in (8, 2):
        picks = []
        for _ in range(1000 // size):
            picks += rc.srandmember("s", size)
        assert chi_square(picks) < 40


def test_large_set_negative_count(rc):
    # 500 members, df = 499: the statistic's mean is 499 and its deviation ~32, so 700 is a six-sigma
    # bound; picking a bucket, then a place in its chain, lands near 2,900.
    rc.sadd("big", *range(500))
    assert chi_square(rc.srandmember("big", -50000)) < 700
    rc.hset("bigh", mapping={i: i for i in range(500)})
    assert chi_square(rc.hrandfield("bigh", -50000)) < 700
