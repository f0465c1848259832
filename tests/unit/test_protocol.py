"""redistill.protocol: RESP2/RESP3 encoders (as Redis's addReply* send them) and the frame decoders."""
import random

import pytest

from redistill import protocol
from redistill.errors import CommandError
from redistill.protocol import NULL_ARRAY, SetReply, Verbatim, encode


@pytest.mark.parametrize("value, resp2, resp3", [
    (None, b"$-1\r\n", b"_\r\n"),
    (NULL_ARRAY, b"*-1\r\n", b"_\r\n"),
    (b"", b"$0\r\n\r\n", b"$0\r\n\r\n"),
    (b"a\r\nb\0", b"$5\r\na\r\nb\0\r\n", b"$5\r\na\r\nb\0\r\n"),
    ("OK", b"+OK\r\n", b"+OK\r\n"),
    (True, b":1\r\n", b"#t\r\n"),
    (False, b":0\r\n", b"#f\r\n"),
    (0, b":0\r\n", b":0\r\n"),
    (-(1 << 63), b":-9223372036854775808\r\n", b":-9223372036854775808\r\n"),
    ([], b"*0\r\n", b"*0\r\n"),
    ([b"a", None, 1], b"*3\r\n$1\r\na\r\n$-1\r\n:1\r\n", b"*3\r\n$1\r\na\r\n_\r\n:1\r\n"),
    ({b"k": b"v"}, b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n", b"%1\r\n$1\r\nk\r\n$1\r\nv\r\n"),
    ({}, b"*0\r\n", b"%0\r\n"),
    (SetReply(["a", "b"]), b"*2\r\n+a\r\n+b\r\n", b"~2\r\n+a\r\n+b\r\n"),
    (frozenset(), b"*0\r\n", b"~0\r\n"),
    (Verbatim("txt", "a:1\r\n"), b"$5\r\na:1\r\n\r\n", b"=9\r\ntxt:a:1\r\n\r\n"),
    (CommandError("syntax error"), b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
])
def test_encode(value, resp2, resp3):
    assert encode(value, 2) == resp2
    assert encode(value, 3) == resp3


def test_nested_maps_flatten_in_resp2_only():
    value = {b"outer": {b"inner": [1, {b"x": None}]}}
    assert encode(value, 3) == b"%1\r\n$5\r\nouter\r\n%1\r\n$5\r\ninner\r\n*2\r\n:1\r\n%1\r\n$1\r\nx\r\n_\r\n"
    assert encode(value, 2) == b"*2\r\n$5\r\nouter\r\n*2\r\n$5\r\ninner\r\n*2\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n"


@pytest.mark.parametrize("d, text", [
    (1.5, b"1.5"), (0.1, b"0.10000000000000001"), (-0.0, b"-0"), (1e20, b"1e+20"), (3.0, b"3"),
    (float("inf"), b"inf"), (float("-inf"), b"-inf"), (float("nan"), b"nan"),
])
def test_doubles_as_addReplyDouble(d, text):
    assert encode(d, 3) == b"," + text + b"\r\n"
    assert encode(d, 2) == b"$%d\r\n%s\r\n" % (len(text), text)


def test_error_lines():
    assert CommandError("-WRONGTYPE Operation").line == "-WRONGTYPE Operation"
    assert CommandError("a\r\nb").line == "-ERR a  b"  # never breaks the protocol
    # user bytes survive as latin-1
    assert encode(CommandError("unknown command '\xe9'"), 2) == b"-ERR unknown command '\xe9'\r\n"


def test_unencodable_type_is_an_error():
    with pytest.raises(TypeError):
        encode(object(), 2)


def _frame(args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def _random_args(rng):
    alphabet = [b"", b"\0", b"\r\n", b"a", bytes(range(256)), b"$3\r\n", b"*1\r\n"]
    return [rng.choice(alphabet) * rng.randint(0, 3) + rng.randbytes(rng.randint(0, 40))
            for _ in range(rng.randint(1, 12))]


def test_python_decoder_round_trips():
    rng = random.Random(1234)
    for _ in range(500):
        args = _random_args(rng)
        assert protocol.decode_frame_python(_frame(args)) == args


@pytest.mark.skipif(protocol.hiredis is None, reason="hiredis not installed")
def test_decoders_agree_on_random_frames():
    rng = random.Random(99)
    for _ in range(500):
        frame = _frame(_random_args(rng))
        assert protocol.decode_frame_hiredis(frame) == protocol.decode_frame_python(frame)
    big = _frame([b"x" * (1 << 20), b""])
    assert protocol.decode_frame_hiredis(big) == protocol.decode_frame_python(big)


@pytest.mark.parametrize("decode", [protocol.decode_frame_python, protocol.decode_frame_hiredis])
def test_decoders_reject_broken_frames(decode):
    if decode is protocol.decode_frame_hiredis and protocol.hiredis is None:
        pytest.skip("hiredis not installed")
    for bad in (b"*2\r\n$1\r\na\r\n", b"$1\r\na\r\n", b"*1\r\n$5\r\nab\r\n"):
        with pytest.raises(ValueError):
            decode(bad)
    assert decode(_frame([b"ok"])) == [b"ok"]  # and the next frame still decodes


def test_big_frame_decoder_agrees_and_copies_each_argument_out():
    """decode_big_frame reads a frame in place (a memoryview over C's buffer): same arguments as the
    other decoders, for few big arguments and for many small ones, and none of them a view."""
    rng = random.Random(7)
    frames = [[b"SET", b"k", b"v" * protocol.BIG_FRAME], [b"x" * protocol.BIG_FRAME, b"", b"\r\n$1\r\n"]]
    frames += [[b"DEL"] + [rng.randbytes(rng.randint(0, 20)) for _ in range(200)] + [b"y" * protocol.BIG_FRAME]]
    for args in frames + [_random_args(rng) for _ in range(50)]:
        got = protocol.decode_big_frame(memoryview(bytearray(_frame(args))))
        assert got == args
        assert all(type(a) is bytes for a in got)
    with pytest.raises(ValueError):
        protocol.decode_big_frame(memoryview(_frame([b"ok"]) + b"junk"))
