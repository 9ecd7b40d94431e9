"""The polls namespace's rules, pure (§10, §19.6): a ``start``'s validation in the
reference's order, and vote counting: a participant's latest vote replaces its earlier ones,
so the tally depends only on each participant's current choices, never on arrival order."""

from __future__ import annotations

from collections.abc import Mapping

from signaling.modules.polls.types import ErrorCode, Start

MAX_DURATION = 86_400


def validate(command: Start) -> ErrorCode | None:
    """The first error of a ``start`` command in the reference's order, or None."""
    if command.duration not in (None, 0) and not 2 <= command.duration <= MAX_DURATION:
        return "invalid_duration"
    if not 2 <= len(command.topic) <= 500:
        return "invalid_topic_length"
    if not 2 <= len(command.choices) <= 64:
        return "invalid_choice_count"
    if any(not 1 <= len(choice.encode()) <= 100 for choice in command.choices):
        return "invalid_choice_description"
    return None


def apply_vote(
    votes: Mapping[str, list[int]], participant: str, choices: list[int]
) -> dict[str, list[int]]:
    """``votes`` with ``participant``'s choices replaced; ``[]`` withdraws (abstains)."""
    updated = dict(votes)
    if choices:
        updated[participant] = sorted(set(choices))
    else:
        updated.pop(participant, None)
    return updated


def tally(choice_count: int, votes: Mapping[str, list[int]]) -> list[int]:
    """Votes per choice id ``0..choice_count-1``."""
    counts = [0] * choice_count
    for choices in votes.values():
        for choice in set(choices):
            if 0 <= choice < choice_count:
                counts[choice] += 1
    return counts
