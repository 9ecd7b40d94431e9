"""``transport.text_frame`` builds a server text frame once for every recipient: its bytes
must be exactly what websockets' own server side would write, and a client must read back the
text (every length class of RFC 6455 §5.2: 7-bit, 16-bit and 64-bit lengths)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from signaling.transport import text_frame

texts = st.one_of(
    st.text(max_size=200),
    st.integers(min_value=100, max_value=70_000).map(lambda n: "é" * (n // 2) + "x" * (n % 2)),
)


@given(texts)
def test_the_frame_is_what_websockets_would_send(text: str) -> None:
    expected = Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
    assert text_frame(text) == expected


@given(st.lists(texts, min_size=1, max_size=3))
def test_a_client_reads_the_texts_back(sent: list[str]) -> None:
    client = ClientProtocol(parse_uri("ws://example.invalid/"), state=State.OPEN, max_size=None)
    client.receive_data(b"".join(text_frame(text) for text in sent))
    frames = [event for event in client.events_received() if isinstance(event, Frame)]
    assert [bytes(frame.data).decode() for frame in frames] == sent
    assert all(frame.opcode is Opcode.TEXT and frame.fin for frame in frames)
