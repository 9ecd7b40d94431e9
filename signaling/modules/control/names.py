"""Display-name rules (reference §1, §17.2, §19.5)."""

from __future__ import annotations

MAX_DISPLAY_NAME = 100


def normalise_display_name(name: str | None) -> str | None:
    """Trim and collapse whitespace runs to one space; None if the result is empty or longer
    than 100 characters."""
    if name is None:
        return None
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_DISPLAY_NAME:
        return None
    return cleaned


def mask_phone_number(number: str) -> str:
    """Replace every digit but the last three with ``*`` (``+49 30 12345678`` →
    ``+** ** *****678``); other characters stay."""
    keep = 3
    masked: list[str] = []
    for char in reversed(number):
        if char.isdigit():
            if keep > 0:
                keep -= 1
            else:
                char = "*"
        masked.append(char)
    return "".join(reversed(masked))
