"""The error catalogue: REST errors and WebSocket close codes.

REST errors are raised as :class:`ApiError` anywhere below a route and rendered as
``{"code": ..., "message": ...}`` JSON with their status (reference §2.1). WebSocket errors
are module ``error`` events (see each module's ``types``) or one of the :class:`CloseCode`
values below; a client should reconnect after the codes whose ``reconnect`` is true.
"""

from __future__ import annotations

import enum
from typing import Any

from signaling.redis_client import LINK_ERRORS


class ApiError(Exception):
    """A REST error with its HTTP status, stable ``code`` and human ``message``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """The JSON body of the response."""
        return {"code": self.code, "message": self.message, **self.extra}


def bad_request(message: str = "Bad request") -> ApiError:
    return ApiError(400, "bad_request", message)


def invalid_json(message: str = "The request body is not valid JSON") -> ApiError:
    return ApiError(400, "invalid_json", message)


def unauthorized(message: str = "Authentication required") -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def forbidden(message: str = "Access to this resource is forbidden") -> ApiError:
    return ApiError(403, "forbidden", message)


def not_found(message: str = "A requested resource could not be found") -> ApiError:
    return ApiError(404, "not_found", message)


def validation_failed(field: str, message: str, code: str = "invalid_value") -> ApiError:
    return ApiError(
        422,
        "validation_failed",
        "Some provided values are invalid",
        extra={"errors": [{"field": field, "code": code, "message": message}]},
    )


def service_unavailable(message: str) -> ApiError:
    return ApiError(503, "service_unavailable", message, headers={"Retry-After": "1"})


class BackendUnavailable(Exception):
    """Live state, tokens or the broker cannot be reached right now; retrying later helps."""


#: Exceptions that mean "the shared backend is unreachable": REST answers 503, a WebSocket
#: command gets a ``service_unavailable`` error event.
BACKEND_ERRORS: tuple[type[Exception], ...] = (BackendUnavailable, *LINK_ERRORS)


class CloseCode(enum.IntEnum):
    """WebSocket close codes the server sends (reference §3, §17.11, §19.9)."""

    NORMAL = 1000  # client close, kicked, banned, room deleted, time limit, takeover
    GOING_AWAY = 1001  # server shutdown: reconnect and resume
    POLICY = 1008  # rate flooding, join timeout: final
    TOO_BIG = 1009  # a message above SIGNALING_MAX_MESSAGE_SIZE: final
    INTERNAL = 1011  # internal error
    RESTART = 1012  # backend state lost: reconnect and resume
    SLOW_CONSUMER = 1013  # send queue overflow: reconnect and resume

    @property
    def reconnect(self) -> bool:
        """Whether the reference web app reconnects after this code (§19.9)."""
        return self in (CloseCode.GOING_AWAY, CloseCode.RESTART, CloseCode.SLOW_CONSUMER)
