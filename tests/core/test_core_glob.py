"""csrc/glob.c (KEYS, SCAN MATCH, CONFIG GET) against glob_ref.py, an independent line-by-line Python port
of Redis's stringmatchlen: both must agree on every pattern, including malformed classes and dangling
escapes."""

import random

import pytest

from glob_ref import stringmatch
from redistill.keyspace import Keyspace, glob_match


def test_c_and_python_glob_agree_on_random_patterns():
    rng = random.Random(11)
    pattern_bytes = b"ab*?[]^-\\"
    subject_bytes = b"ab-^]\\*?["
    ks = Keyspace(seed=5)
    try:
        checked = matched = 0
        for _ in range(400):
            subjects = {bytes(rng.choice(subject_bytes) for _ in range(rng.randint(0, 6))) for _ in range(12)}
            ks.exec([b"FLUSHALL"], 2)
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


def test_c_and_python_glob_agree_with_nocase_and_high_bytes():
    """CONFIG GET and COMMAND LIST match with nocase; bytes >= 0x80 are signed chars in ranges, and
    glibc's C-locale tolower() turns them unsigned: [\\x80-z] is empty under nocase only."""
    rng = random.Random(12)
    pattern_bytes = b"aAzZmM*?[]^-\\\x80\xff\x7f\x00"
    subject_bytes = b"aAzZmM-^]\\\x80\xff\x7f\x00"
    checked = matched = 0
    for _ in range(20_000):
        pattern = bytes(rng.choice(pattern_bytes) for _ in range(rng.randint(0, 7)))
        subject = bytes(rng.choice(subject_bytes) for _ in range(rng.randint(0, 5)))
        for nocase in (False, True):
            want = stringmatch(pattern, subject, nocase)
            assert glob_match(pattern, subject, nocase) == want, (pattern, subject, nocase)
            checked += 1
            matched += want
    assert matched > checked // 50


@pytest.mark.parametrize("atom", [b"a", b"?", b"[a]", b"[^b]", b"\\a", b"[a-b]", b"A"])
def test_nesting_bound_agrees_with_the_oracle(atom):
    """Redis's bound: a match that needs more than 1000 nested '*' fails.  Around that bound, and far past
    it (100,000 stars: the pattern that overflowed the stack), C and the oracle agree."""
    rng = random.Random(atom)
    subjects = [b"a" * n for n in (0, 999, 1000, 1001, 1002)] + [b"a" * 1500 + b"b"]
    for stars in (1, 999, 1000, 1001, 100_000):
        for tail in (b"", b"*", b"*b", b"?"):
            pattern = (b"*" + atom) * stars + tail
            for subject in subjects:
                want = stringmatch(pattern, subject)
                assert glob_match(pattern, subject) == want, (atom, stars, tail, len(subject))
                assert glob_match(pattern, subject.upper(), True) == stringmatch(pattern, subject.upper(), True)
    # random mixes of atoms and stars near the bound
    for _ in range(25):
        parts = [rng.choice([b"*", b"*", atom, b"?", b"a"]) for _ in range(rng.randint(1990, 2020))]
        pattern, subject = b"".join(parts), b"a" * rng.randint(900, 1100)
        assert glob_match(pattern, subject) == stringmatch(pattern, subject), len(pattern)
