"""A line-by-line Python port of Redis's stringmatchlen (util.c): the test oracle for csrc/glob.c."""
from __future__ import annotations

import sys

MAX_NESTING = 1000  # Redis's stringmatchlen_impl: deeper '*' recursion is "no match"


def stringmatch(pattern: bytes, string: bytes, nocase: bool = False) -> bool:
    """True when `string` matches `pattern`: * ? [abc] [^a-z] and backslash escapes, as Redis."""
    # One Python frame per nesting level (pure-Python frames do not use the C stack on 3.11+).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, MAX_NESTING + 500))
    try:
        return _match(pattern, 0, string, 0, nocase, [False], 0)
    finally:
        sys.setrecursionlimit(limit)


def _sc(b: int) -> int:
    """A byte as C's (signed) char, as Redis's comparisons see it."""
    return b - 256 if b >= 128 else b


def _lower(c: int) -> int:
    """glibc's tolower() in the C locale (Redis's) on a signed char value: a negative one comes back
    as its unsigned byte, except -1 (EOF), which stays; A-Z become a-z.  So under nocase [\x80-z]
    is an empty range and [a-\xff] runs from -1 to 'a'."""
    if c < -1:
        return c + 256
    return c + 32 if 0x41 <= c <= 0x5A else c


def _match(p: bytes, pi: int, s: bytes, si: int, nocase: bool, skip_longer: list[bool], nesting: int) -> bool:
    # A line-by-line port of stringmatchlen_impl, indices instead of pointers.  skip_longer is
    # Redis's guard against exponential time on patterns like "*a*a*a*b": once the rest of the
    # pattern failed from every position, earlier '*'s need not try longer matches.  nesting is its
    # guard against deep recursion: past MAX_NESTING levels an attempt fails.
    if nesting > MAX_NESTING:
        return False
    plen, slen = len(p), len(s)
    while pi < plen and si < slen:
        c = p[pi]
        if c == 0x2A:  # '*'
            while pi + 1 < plen and p[pi + 1] == 0x2A:
                pi += 1
            if pi + 1 == plen:
                return True
            while si < slen:
                if _match(p, pi + 1, s, si, nocase, skip_longer, nesting + 1):
                    return True
                if skip_longer[0]:
                    return False
                si += 1
            skip_longer[0] = True
            return False
        if c == 0x3F:  # '?'
            si += 1
        elif c == 0x5B:  # '['
            pi, matched = _match_class(p, pi + 1, s[si], nocase)
            if not matched:
                return False
            si += 1
        else:
            if c == 0x5C and plen - pi >= 2:  # '\\' makes the next byte literal
                pi += 1
            a, b = _sc(p[pi]), _sc(s[si])
            if (_lower(a) != _lower(b)) if nocase else a != b:
                return False
            si += 1
        pi += 1
        if si == slen:
            while pi < plen and p[pi] == 0x2A:
                pi += 1
            break
    return pi == plen and si == slen


def _match_class(p: bytes, pi: int, byte: int, nocase: bool) -> tuple[int, bool]:
    """byte against the class whose body starts at p[pi]; returns (index of its last byte, matched)."""
    plen = len(p)
    ch = _sc(byte)
    negate = pi < plen and p[pi] == 0x5E  # '^'
    if negate:
        pi += 1
    matched = False
    while True:
        left = plen - pi
        if left >= 2 and p[pi] == 0x5C:  # escaped byte: compared exactly, even with nocase
            pi += 1
            matched |= _sc(p[pi]) == ch
        elif left > 0 and p[pi] == 0x5D:  # ']'
            break
        elif left == 0:  # unterminated: the class ends with the pattern
            pi -= 1
            break
        elif left >= 3 and p[pi + 1] == 0x2D:  # range, ends in either order (as signed chars)
            lo, hi = sorted((_sc(p[pi]), _sc(p[pi + 2])))
            c = ch
            if nocase:  # lowered after ordering, as Redis: [Z-a] then matches nothing
                lo, hi, c = _lower(lo), _lower(hi), _lower(c)
            matched |= lo <= c <= hi
            pi += 2
        else:
            a = _sc(p[pi])
            matched |= (_lower(a) == _lower(ch)) if nocase else a == ch
        pi += 1
    return pi, matched != negate
