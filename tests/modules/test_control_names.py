"""signaling.modules.control.names: display-name normalisation and phone-number masking."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from signaling.modules.control.names import (
    MAX_DISPLAY_NAME,
    mask_phone_number,
    normalise_display_name,
)

_NAMES = st.text(
    st.characters(exclude_categories=["Cs"])
    | st.sampled_from([" ", "\t", "\n", "\u00a0", "\u2003", "\u3000"]),
    max_size=130,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Alice", "Alice"),
        ("  Alice   Smith \n", "Alice Smith"),
        ("a\tb\u00a0\u2003c", "a b c"),
        ("", None),
        ("   \t\n ", None),
        (None, None),
        ("x" * 100, "x" * 100),
        ("x" * 101, None),
        ("  " + "x" * 100 + "  ", "x" * 100),  # trimming happens before the length check
        ("x " * 50, "x " * 49 + "x"),  # 99 characters once trimmed
    ],
)
def test_normalise_examples(raw: str | None, expected: str | None) -> None:
    assert normalise_display_name(raw) == expected


@given(_NAMES)
@example("a  b")
@example(" \u2028x\u2029 ")
def test_normalise_is_idempotent_and_clean(raw: str) -> None:
    result = normalise_display_name(raw)
    if result is None:
        words = raw.split()
        assert not words or len(" ".join(words)) > MAX_DISPLAY_NAME
        return
    assert 1 <= len(result) <= MAX_DISPLAY_NAME
    assert normalise_display_name(result) == result
    assert result == result.strip()
    assert not result[0].isspace() and not result[-1].isspace()
    assert all(not (a.isspace() and b.isspace()) for a, b in itertools.pairwise(result))
    assert all(c == " " or not c.isspace() for c in result)  # only plain spaces remain
    assert result.split() == raw.split()  # the words themselves are untouched


def test_mask_example() -> None:
    assert mask_phone_number("+49 30 12345678") == "+** ** *****678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("12", "12"),
        ("123", "123"),
        ("1234", "*234"),
        ("+1 (555) 010-9999", "+* (***) ***-*999"),
        ("no digits", "no digits"),
        ("12ab3cd4", "*2ab3cd4"),
    ],
)
def test_mask_examples(raw: str, expected: str) -> None:
    assert mask_phone_number(raw) == expected


_PHONE = st.text(st.sampled_from("0123456789+-() ./#abc"), max_size=40) | st.text(max_size=40)


@given(_PHONE)
def test_mask_property(number: str) -> None:
    masked = mask_phone_number(number)
    assert len(masked) == len(number)
    digit_positions = [i for i, c in enumerate(number) if c.isdigit()]
    kept = set(digit_positions[-3:])
    for i, (before, after) in enumerate(zip(number, masked, strict=True)):
        if not before.isdigit() or i in kept:
            assert after == before
        else:
            assert after == "*"
    assert masked.count("*") - number.count("*") == max(0, len(digit_positions) - 3)
    assert mask_phone_number(masked) == masked  # at most three digits are left
