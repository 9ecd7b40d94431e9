"""Redis helpers the live state and the webhook outbox and records share: hint indexes
(see :mod:`signaling.state.redis`: sorted sets of rooms scored by the time of their last
mark, each hint checked against the room before it is dropped) and script answers."""

from typing import Any

#: Drop a hint only if it still has the score it was read with (one marked meanwhile stays).
#: KEYS: the index; ARGV: the room, the score it was read with.
UNMARK = """
if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) == tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
"""


def pairs(flat: list[Any]) -> dict[Any, Any]:
    """A hash from a script's flat ``HGETALL`` answer (field, value, field, value, …)."""
    return dict(zip(flat[::2], flat[1::2], strict=True))
