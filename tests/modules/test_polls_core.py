"""The pure vote-counting core of the polls module (reference §10): re-voting replaces the
participant's previous choices and an empty vote abstains, so the tally depends only on each
participant's last vote, never on how votes of different participants interleave."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from signaling.modules.polls.core import MAX_DURATION, apply_vote, tally, validate
from signaling.modules.polls.types import Start

PARTICIPANTS = ["a", "b", "c", "d", "e"]


@st.composite
def polls(draw: st.DrawFn) -> tuple[int, list[tuple[str, list[int]]]]:
    """A choice count and a sequence of (participant, distinct valid choice ids) votes."""
    choice_count = draw(st.integers(min_value=2, max_value=8))
    choices = st.lists(
        st.integers(min_value=0, max_value=choice_count - 1), unique=True, max_size=choice_count
    )
    votes = draw(st.lists(st.tuples(st.sampled_from(PARTICIPANTS), choices), max_size=30))
    return choice_count, votes


def fold(votes: list[tuple[str, list[int]]]) -> dict[str, list[int]]:
    state: dict[str, list[int]] = {}
    for participant, choices in votes:
        state = apply_vote(state, participant, list(choices))
    return state


def last_votes(votes: list[tuple[str, list[int]]]) -> dict[str, list[int]]:
    last: dict[str, list[int]] = {}
    for participant, choices in votes:
        last[participant] = choices
    return last


@given(polls())
def test_any_interleaving_counts_like_each_participants_last_vote(
    poll: tuple[int, list[tuple[str, list[int]]]],
) -> None:
    choice_count, votes = poll
    only_last = [(participant, choices) for participant, choices in last_votes(votes).items()]
    assert tally(choice_count, fold(votes)) == tally(choice_count, fold(only_last))


@given(polls())
def test_the_tally_counts_each_current_choice_once(
    poll: tuple[int, list[tuple[str, list[int]]]],
) -> None:
    """An independent model: one count per participant per choice of its last vote; an empty
    last vote (abstain) counts nothing."""
    choice_count, votes = poll
    expected = [0] * choice_count
    for choices in last_votes(votes).values():
        for choice in choices:
            expected[choice] += 1
    counts = tally(choice_count, fold(votes))
    assert counts == expected
    assert len(counts) == choice_count


@given(polls(), st.permutations(PARTICIPANTS))
def test_the_order_of_participants_does_not_matter(
    poll: tuple[int, list[tuple[str, list[int]]]], order: list[str]
) -> None:
    choice_count, votes = poll
    last = last_votes(votes)
    reordered = [(participant, last[participant]) for participant in order if participant in last]
    assert tally(choice_count, fold(reordered)) == tally(choice_count, fold(votes))


def test_a_revote_moves_the_count_and_an_abstain_withdraws_it() -> None:
    votes = apply_vote({}, "a", [1])
    assert tally(3, votes) == [0, 1, 0]
    votes = apply_vote(votes, "b", [1, 2])
    assert tally(3, votes) == [0, 2, 1]
    votes = apply_vote(votes, "a", [2])
    assert tally(3, votes) == [0, 1, 2]
    votes = apply_vote(votes, "b", [])
    assert tally(3, votes) == [0, 0, 1]
    assert tally(3, {}) == [0, 0, 0]


# -- validating a start ---------------------------------------------------------------------

starts = st.builds(
    Start,
    topic=st.text(max_size=6).map(lambda t: t * 100),  # 0, or 100 and more characters
    choices=st.lists(st.text(max_size=3).map(lambda t: t * 40), max_size=70),
    duration=st.none() | st.integers(-5, 5) | st.integers(MAX_DURATION - 2, MAX_DURATION + 2),
)


@given(starts)
def test_the_first_invalid_field_names_the_error_in_the_references_order(command: Start) -> None:
    checks = [
        (
            "invalid_duration",
            command.duration in (None, 0) or 2 <= command.duration <= MAX_DURATION,
        ),
        ("invalid_topic_length", 2 <= len(command.topic) <= 500),
        ("invalid_choice_count", 2 <= len(command.choices) <= 64),
        ("invalid_choice_description", all(1 <= len(c.encode()) <= 100 for c in command.choices)),
    ]
    first = next((code for code, ok in checks if not ok), None)
    assert validate(command) == first
