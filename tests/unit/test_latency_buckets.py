"""LATENCY HISTOGRAM's buckets: the labels Redis 7.0 prints (hdr_histogram, 2 significant digits, a
log iterator from 1024 ns by powers of two) and the bucket a duration falls in, up to the clamp at
1 s (LATENCY_HISTOGRAM_MAX_VALUE): a command slower than that is counted, not an error."""

from redistill.commands import latency


def test_labels_are_redis_7_0s():
    # the labels redis-server 7.0.15 printed for SET/GET, LATENCY subcommands and DEBUG SLEEPs
    seen = {13: 8, 14: 16, 15: 33, 16: 66, 20: 1056, 21: 2113, 23: 8454, 25: 33816, 26: 67633, 29: 541065}
    for k, label in seen.items():
        assert latency._key(k - latency.FIRST_LEVEL) == label


def test_a_duration_falls_in_its_bucket():
    assert latency._level(0) == latency._level(1024) == 0             # everything up to 1 us in the first
    assert latency._level(1024 + 8) == 1                              # past 1024's equivalent range
    assert latency._key(latency._level(8_000)) == 8
    assert latency._key(latency._level(25_000_000)) == 33816          # a 25 ms command
    assert latency._level(5 * 10**9) == latency._level(10**9) == latency._LEVELS - 1   # clamped at 1 s


def test_record_of_a_slow_call_counts_it():
    latency.record("test|slow", 3 * 10**9)
    assert sum(latency.histograms()["test|slow"]) == 1
