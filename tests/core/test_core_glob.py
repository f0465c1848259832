"""csrc/glob.c (KEYS, SCAN MATCH, CONFIG GET) against glob_ref.py, an independent line-by-line Python port
of Redis's stringmatchlen: both must agree on every pattern, including malformed classes and dangling
escapes."""

import random

from glob_ref import stringmatch
from redistill.keyspace import Keyspace


def test_c_and_python_glob_agree_on_random_patterns():
    rng = random.Random(11)
    pattern_bytes = b"ab*?[]^-\\"
    subject_bytes = b"ab-^]\\*?["
    ks = Keyspace(seed=5)
    try:
        checked = matched = 0
        for _ in range(400):
            subjects = {bytes(rng.choice(subject_bytes) for _ in range(rng.randint(0, 6))) for _ in range(12)}
            ks.flush()
            ks.mset([(s, b"v") for s in subjects])
            for _ in range(10):
                pattern = bytes(rng.choice(pattern_bytes) for _ in range(rng.randint(0, 7)))
                # KEYS * is "every key" in Redis, the empty one too (stringmatchlen would not match it)
                want = sorted(s for s in subjects if pattern == b"*" or stringmatch(pattern, s))
                assert sorted(ks.keys(pattern)) == want, pattern
                checked += len(subjects)
                matched += len(want)
        assert matched > checked // 50  # the patterns really match things (~5%), not only reject
    finally:
        ks.close()
