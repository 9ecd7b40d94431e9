"""Heartbeat ping payloads: 8 bytes each, never the same twice in a row of many."""

from signaling.transport import _PingPayloads


def test_payloads_are_8_bytes_and_distinct_across_refills() -> None:
    payloads = _PingPayloads()
    drawn = [payloads.next() for _ in range(3 * 512 + 7)]  # three refills and a bit
    assert {len(payload) for payload in drawn} == {8}
    assert len(set(drawn)) == len(drawn)
