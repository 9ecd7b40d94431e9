"""Log lines: the JSON fields, the bound context and the scrubbing of credentials."""

from __future__ import annotations

import asyncio
import json
import logging

from signaling.logs import JsonFormatter, TextFormatter, bind_namespace, bind_session, redact


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("signaling.test", logging.WARNING, __file__, 1, msg, args, None)


def test_credentials_are_scrubbed() -> None:
    jwt_text = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert redact("< sec-websocket-protocol: opentalk-signaling-json-v1.0, ticket#abcDEF123") == (
        "< sec-websocket-protocol: opentalk-signaling-json-v1.0, ticket#***"
    )
    assert redact("< authorization: Bearer xyz.abc") == "< authorization: Bearer ***"
    assert redact(f"token {jwt_text} refused") == "token *** refused"
    assert redact("nothing secret here") == "nothing secret here"


async def test_a_json_line_names_its_context() -> None:
    formatter = JsonFormatter()
    formatter.node = "n1"

    async def in_a_session() -> dict[str, str]:
        bind_session("room-1", "participant-1")
        with bind_namespace("chat"):
            line: dict[str, str] = json.loads(formatter.format(record("sent %s", "ticket#x")))
        return line

    line = await asyncio.create_task(in_a_session())
    assert line["msg"] == "sent ticket#***"
    assert (line["level"], line["logger"], line["node"]) == ("warning", "signaling.test", "n1")
    assert (line["room"], line["participant"], line["namespace"]) == (
        "room-1",
        "participant-1",
        "chat",
    )
    outside = json.loads(formatter.format(record("plain")))
    assert set(outside) == {"ts", "level", "logger", "msg", "node"}


def test_a_text_line_is_scrubbed_too() -> None:
    assert TextFormatter().format(record("Bearer %s", "abc")).endswith("signaling.test: Bearer ***")
