"""Vote counting, pure: a participant's latest vote replaces its earlier ones (§10), so the
tally depends only on each participant's current choices, never on arrival order."""

from __future__ import annotations

from collections.abc import Mapping


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
