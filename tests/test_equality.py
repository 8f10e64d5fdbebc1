import math

import pytest

from signoff.equality import Opaque, approx, as_equality, decode, exact, unordered
from signoff.errors import SpecError
from signoff.runner.worker_main import canonical


@pytest.mark.parametrize(("a", "b"), [(1, 1.0), (1, True), (0, False), ([1], (1,)), ("a", b"a"),
                                      ({"a": 1}, {"a": 1.0}), ({1, 2}, frozenset({1, 2}))])
def test_exact_is_type_strict(a, b):
    assert not exact().same(canonical(a), canonical(b))
    assert exact().same(canonical(a), canonical(a))


def test_nan_equals_nan_and_signed_zeros_are_equal():
    assert exact().same([math.nan], [math.nan])
    assert exact().same(0.0, -0.0)
    assert not exact().same(1.0, 1.0 + 1e-15)


def test_dict_order_does_not_matter_but_list_order_does():
    assert exact().same({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not exact().same([1, 2], [2, 1])


def test_approx_within_and_beyond_tolerance():
    close = approx(rel=1e-9)
    assert close.same([1.0, 2.0], [1.0 + 1e-12, 2.0])
    assert not close.same([1.0], [1.0 + 1e-6])
    assert not close.same(1, 1.0)  # still type-strict


def test_approx_never_lets_all_zero_pass_for_nonzero():
    loose = approx(rel=1.0, abs=1.0)
    assert not loose.same([1e-3, 2e-3], [0.0, 0.0])
    assert loose.same([1e-3, 2e-3], [1.5e-3, 2e-3])
    assert loose.same([0.0], [1e-20])  # drift away from an exact zero is allowed


def test_unordered_compares_multisets():
    assert unordered().same([1, 2, 2], [2, 1, 2])
    assert not unordered().same([1, 2, 2], [1, 1, 2])
    assert not unordered().same([1, 2], [1.0, 2])


def test_custom_function_gets_decoded_values():
    seen = []
    equal = as_equality(lambda ref, cand: seen.append((ref, cand)) or True)
    assert equal.same(canonical(b"x"), canonical(bytearray(b"x")))
    assert seen == [(b"x", Opaque("builtins.bytearray", b"x"))]


def test_bad_equal_is_a_spec_error():
    with pytest.raises(SpecError, match="equal"):
        as_equality(42)
    with pytest.raises(SpecError, match="rel"):
        approx(rel=-1)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return True


def test_objects_compare_by_state_never_by_their_eq():
    assert not exact().same(canonical(Point(1, 2)), canonical(Point(1, 3)))
    assert exact().same(canonical(Point(1, 2)), canonical(Point(1, 2)))
    assert decode(canonical(Point(1, 2))) == Opaque(f"{__name__}.Point", {"x": 1, "y": 2})


def test_tuples_that_look_like_object_records_stay_tuples():
    from signoff.runner.worker_main import OBJECT_MARK

    sneaky = (OBJECT_MARK, "x", None)
    assert decode(canonical(sneaky)) == sneaky


def test_a_dict_keyed_by_objects_is_unserializable_not_a_crash():
    from signoff.runner.worker_main import Unserializable

    with pytest.raises(Unserializable, match="cannot be hashed"):
        canonical({Key(1): "one"})
    with pytest.raises(Unserializable, match="cannot be hashed"):
        canonical({Key(1)})
    assert canonical({1: Key(1)}) == {1: canonical(Key(1))}  # objects as values are fine


class Key:
    def __init__(self, v):
        self.v = v

    def __hash__(self):
        return hash(self.v)
