"""Log lines: ``SIGNALING_LOG_FORMAT=text`` (one readable line) or ``json`` (one object a line).

A JSON line has ``ts``, ``level``, ``logger``, ``msg`` and, where known, ``node`` (the process's
node id), ``room``, ``participant`` and ``namespace`` (the command being handled), plus
``exc`` for a traceback. The room and participant are bound once per connection task
(:func:`bind_session`), the namespace around each command (:func:`bind_namespace`).
uvicorn's own loggers, the access log among them, propagate to the same handler.

Nothing secret is logged on purpose; as a second line of defence every line is scrubbed of
what looks like a credential (:func:`redact`): a ``ticket#…`` protocol item, an
``Authorization`` value, a JWT.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

from signaling.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_ROOM: ContextVar[str | None] = ContextVar("room", default=None)
_PARTICIPANT: ContextVar[str | None] = ContextVar("participant", default=None)
_NAMESPACE: ContextVar[str | None] = ContextVar("namespace", default=None)
_SECRETS = re.compile(
    r"(ticket#)[^\s,'\"]+"
    r"|((?:bearer|basic)\s+)[^\s,'\"]+"
    r"|eyJ[\w-]+\.[\w-]+\.[\w-]*",  # a JWT, wherever it shows up
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with every credential-looking part replaced by ``***``."""
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2) or "") + "***", text)


def bind_session(room: str, participant: str) -> None:
    """Name the room and participant on every line the current task logs from now on."""
    _ROOM.set(room)
    _PARTICIPANT.set(participant)


@contextlib.contextmanager
def bind_namespace(namespace: str) -> Iterator[None]:
    """Name ``namespace`` on every line logged inside the block."""
    token = _NAMESPACE.set(namespace)
    try:
        yield
    finally:
        _NAMESPACE.reset(token)


class TextFormatter(logging.Formatter):
    """The classic line, scrubbed."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring)."""

    node: str | None = None

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        context = {
            "node": self.node,
            "room": _ROOM.get(),
            "participant": _PARTICIPANT.get(),
            "namespace": _NAMESPACE.get(),
        }
        line.update({key: value for key, value in context.items() if value is not None})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, ensure_ascii=False))


def setup_logging(settings: Settings) -> None:
    """One stderr handler on the root logger in the configured format; uvicorn's loggers
    (``log_config=None``) propagate to it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())


def name_node(node_id: str) -> None:
    """Put ``node`` on every JSON line of this process from now on."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, JsonFormatter):
            handler.formatter.node = node_id
