"""A line-by-line Python port of Redis's stringmatchlen (util.c): the test oracle for csrc/glob.c."""
from __future__ import annotations


def stringmatch(pattern: bytes, string: bytes, nocase: bool = False) -> bool:
    """True when `string` matches `pattern`: * ? [abc] [^a-z] and backslash escapes, as Redis."""
    if nocase:
        pattern, string = pattern.lower(), string.lower()
    return _match(pattern, 0, string, 0, [False])


def _match(p: bytes, pi: int, s: bytes, si: int, skip_longer: list[bool]) -> bool:
    # A line-by-line port of stringmatchlen_impl, indices instead of pointers.  skip_longer is
    # Redis's guard against exponential time on patterns like "*a*a*a*b": once the rest of the
    # pattern failed from every position, earlier '*'s need not try longer matches.
    plen, slen = len(p), len(s)
    while pi < plen and si < slen:
        c = p[pi]
        if c == 0x2A:  # '*'
            while pi + 1 < plen and p[pi + 1] == 0x2A:
                pi += 1
            if pi + 1 == plen:
                return True
            while si < slen:
                if _match(p, pi + 1, s, si, skip_longer):
                    return True
                if skip_longer[0]:
                    return False
                si += 1
            skip_longer[0] = True
            return False
        if c == 0x3F:  # '?'
            si += 1
        elif c == 0x5B:  # '['
            pi, matched = _match_class(p, pi + 1, s[si])
            if not matched:
                return False
            si += 1
        else:
            if c == 0x5C and plen - pi >= 2:  # '\\' makes the next byte literal
                pi += 1
            if p[pi] != s[si]:
                return False
            si += 1
        pi += 1
        if si == slen:
            while pi < plen and p[pi] == 0x2A:
                pi += 1
            break
    return pi == plen and si == slen


def _match_class(p: bytes, pi: int, ch: int) -> tuple[int, bool]:
    """ch against the class whose body starts at p[pi]; returns (index of its last byte, matched)."""
    plen = len(p)
    negate = pi < plen and p[pi] == 0x5E  # '^'
    if negate:
        pi += 1
    matched = False
    while True:
        left = plen - pi
        if left >= 2 and p[pi] == 0x5C:  # escaped byte
            pi += 1
            matched |= p[pi] == ch
        elif left > 0 and p[pi] == 0x5D:  # ']'
            break
        elif left == 0:  # unterminated: the class ends with the pattern
            pi -= 1
            break
        elif left >= 3 and p[pi + 1] == 0x2D:  # range, ends in either order
            lo, hi = sorted((p[pi], p[pi + 2]))
            matched |= lo <= ch <= hi
            pi += 2
        else:
            matched |= p[pi] == ch
        pi += 1
    return pi, matched != negate
