"""The error catalogue: every REST and handshake error as a value, the exception tree, the
WebSocket close codes.

A :class:`Problem` is one kind of error answer: its HTTP status, stable ``code`` and default
message (reference §2.1). A raise site calls it (``raise NOT_FOUND("unknown room")``) to get
an :class:`ApiError`, rendered as ``{"code": ..., "message": ...}`` JSON; an endpoint's
declaration names the same values in its :class:`Failure` list, and the document generators
read them there. So a code, its status and its message are written once, here (a message
that a raise site and a document share is a variant: ``NOT_FOUND.saying("unknown invite")``).
A WebSocket command's errors are module ``error`` events (each module's ``types``); a
connection ends with a :class:`CloseCode`, whose ``reconnect`` says whether to come back.

The exception tree::

    Exception
     ├── SignalingError               the root of this project's exceptions
     │    ├── ApiError                a REST or handshake answer: a Problem and a message
     │    ├── BackendUnavailable      a shared backend cannot do it now; retrying helps
     │    ├── ConfigError             (signaling.config) an invalid setting: the CLI exits 2
     │    ├── Refused                 a publication with a keep whose room flag is off
     │    ├── RegistryError           (signaling.registry) the registry cannot be used
     │    │    └── SchemaTooNewError  its schema is newer than this code
     │    └── UnknownRoomError        (signaling.registry) also a LookupError
     ├── redis.exceptions.RedisError
     │    ├── ConnectionError         Redis killed, refusing, cut off, loading; pool exhausted
     │    ├── TimeoutError            Redis paused or too slow to answer
     │    └── ResponseError
     │         ├── ClusterDownError   a Redis Cluster without a master for a slot
     │         └── TryAgainError      a Redis Cluster slot in migration
     └── redis.exceptions.RedisClusterException
          └── SlotNotCoveredError     no master known for a slot (a failover under way)

:data:`BACKEND_ERRORS` are :class:`BackendUnavailable` and the five Redis ones named above:
"the shared backend is unreachable" (REST answers 503 ``service_unavailable``, a WebSocket
command gets a ``service_unavailable`` error event). Any other exception is a bug (500).
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Literal

import msgspec
from redis.exceptions import ClusterDownError, SlotNotCoveredError, TryAgainError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.responses import Response

from signaling.wire import SUBPROTOCOL

#: The longest REST request body, in bytes.
MAX_BODY = 64 * 1024
_json = msgspec.json.Encoder()


class SignalingError(Exception):
    """The root of this project's own exceptions."""


@dataclasses.dataclass(frozen=True)
class Problem:
    """One kind of REST or handshake error: HTTP status, stable ``code``, default message and
    the headers every answer of it carries."""

    status: int
    code: str
    message: str
    headers: tuple[tuple[str, str], ...] = ()

    def __call__(
        self,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        errors: list[FieldError] | None = None,
    ) -> ApiError:
        """The error to raise, with ``message`` instead of the default one."""
        return ApiError(self, message, headers=headers, errors=errors)

    def saying(self, message: str) -> Problem:
        """The same problem with another default message."""
        return dataclasses.replace(self, message=message)


class Error(msgspec.Struct, kw_only=True):
    """Every REST error (reference §2.1): a stable machine-readable ``code`` and a human
    ``message``."""

    code: str
    message: str


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    """One invalid value: the body field or query parameter (``body`` for the body as a
    whole), ``invalid_value`` (or ``empty`` for a body that changes nothing) and what is
    wrong."""

    field: str
    code: Literal["invalid_value", "empty"]
    message: str

    def error(self) -> ApiError:
        """422 ``validation_failed`` for this value."""
        return VALIDATION_FAILED(errors=[self])


class ValidationError(msgspec.Struct, kw_only=True):
    """422: a value has the wrong type, is missing or breaks a constraint."""

    code: Literal["validation_failed"]
    message: str
    errors: list[FieldError]


class ApiError(SignalingError):
    """A REST or handshake error answer: a :class:`Problem` with its message (and, for
    ``validation_failed``, the invalid values)."""

    def __init__(
        self,
        problem: Problem,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        errors: list[FieldError] | None = None,
    ) -> None:
        self.problem = problem
        self.status = problem.status
        self.code = problem.code
        self.message = problem.message if message is None else message
        self.headers = {**dict(problem.headers), **(headers or {})}
        self.errors = errors
        super().__init__(f"{self.status} {self.code}: {self.message}")

    def view(self) -> Error | ValidationError:
        """The JSON body of the answer."""
        if self.errors is None:
            return Error(code=self.code, message=self.message)
        return ValidationError(code="validation_failed", message=self.message, errors=self.errors)

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer, as plain data."""
        body: dict[str, Any] = msgspec.to_builtins(self.view())
        return body

    def response(self) -> Response:
        """The answer as an ``application/json`` response."""
        return Response(
            _json.encode(self.view()), self.status, self.headers, media_type="application/json"
        )


@dataclasses.dataclass(frozen=True)
class Failure:
    """An error answer an endpoint (or the handshake) declares: the problem, when it is sent,
    a sample message where the raise site builds its own, and for a 422 the sample value."""

    problem: Problem
    when: str
    message: str | None = None
    invalid: FieldError = dataclasses.field(
        default_factory=lambda: FieldError(
            field="body", code="invalid_value", message="Expected `bool`, got `str`"
        )
    )

    @property
    def sample(self) -> str:
        return self.problem.message if self.message is None else self.message


def validation_failed(
    field: str, message: str, code: Literal["invalid_value", "empty"] = "invalid_value"
) -> ApiError:
    """422 ``validation_failed`` for one invalid value."""
    return FieldError(field=field, code=code, message=message).error()


_RETRY = (("Retry-After", "1"),)  # raise sites that know the wait say it

BAD_REQUEST = Problem(400, "bad_request", "Room id mismatch")
INVALID_JSON = Problem(400, "invalid_json", "The request body is not valid JSON")
INVALID_CONTENT_TYPE = Problem(400, "invalid_content_type", "the body must be application/json")
INVALID_CREDENTIALS = Problem(400, "invalid_credentials", "unknown call-in id or wrong PIN")
NO_BREAKOUT_ROOMS = Problem(400, "no_breakout_rooms", "the room has no active breakout rooms")
INVALID_BREAKOUT_ROOM_ID = Problem(400, "invalid_breakout_room_id", "no such breakout room")
SESSION_RUNNING = Problem(
    400, "session_running", "the session of the given resumption token is still running"
)
MISSING_PROTOCOL = Problem(400, "missing_protocol", "Sec-WebSocket-Protocol is required")
INVALID_PROTOCOL = Problem(400, "invalid_protocol", f"the protocol {SUBPROTOCOL} is required")
UNAUTHORIZED = Problem(
    401, "unauthorized", "missing Authorization header", (("WWW-Authenticate", "Bearer"),)
)
WRONG_ROOM_PASSWORD = Problem(401, "wrong_room_password", "the room password is wrong")
MISSING_TICKET = Problem(401, "missing_ticket", "a ticket#<ticket> protocol item is required")
INVALID_TICKET = Problem(401, "invalid_ticket", "the ticket is not valid")
FORBIDDEN = Problem(403, "forbidden", "only the creator of the room may do this")
BANNED_FROM_ROOM = Problem(403, "banned_from_room", "you are banned from this room")
NOT_STARTED_YET = Problem(403, "not_started_yet", "the room has not started yet")
NOT_FOUND = Problem(404, "not_found", "unknown room")
METHOD_NOT_ALLOWED = Problem(405, "method_not_allowed", "Method Not Allowed")
PAYLOAD_TOO_LARGE = Problem(
    413,
    "payload_too_large",
    f"request bodies are limited to {MAX_BODY} bytes",
    (("Connection", "close"),),  # the rest of the upload is not read
)
MODERATION_DISABLED = Problem(
    409, "moderation_disabled", "the tariff disables the moderation module"
)
CHAT_DISABLED = Problem(409, "chat_disabled", "the room's chat is disabled")
VALIDATION_FAILED = Problem(422, "validation_failed", "Some provided values are invalid")
CANNOT_BAN_GUEST = Problem(422, "cannot_ban_guest", "guests and SIP callers cannot be banned")
CANNOT_BAN_ROOM_OWNER = Problem(422, "cannot_ban_room_owner", "the room's owner cannot be banned")
CANNOT_SEND_ROOM_OWNER_TO_WAITING_ROOM = Problem(
    422,
    "cannot_send_room_owner_to_waiting_room",
    "the room's owner cannot be sent to the waiting room",
)
TOO_MANY_REQUESTS = Problem(
    429, "too_many_requests", "too many failed attempts; try again later", _RETRY
)
INTERNAL_SERVER_ERROR = Problem(500, "internal_server_error", "internal server error")
SERVICE_UNAVAILABLE = Problem(
    503, "service_unavailable", "the backend is unreachable; retry shortly", _RETRY
)


class BackendUnavailable(SignalingError):
    """Live state, tokens or the broker cannot do it right now; retrying later helps."""


class Refused(SignalingError):
    """A publication's keeping was refused (its room flag is off): it did not go out."""


#: Exceptions that mean "the shared backend is unreachable" (see the tree above).
BACKEND_ERRORS: tuple[type[Exception], ...] = (
    BackendUnavailable,
    RedisConnectionError,
    RedisTimeoutError,
    ClusterDownError,
    TryAgainError,
    SlotNotCoveredError,
)


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
