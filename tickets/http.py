"""REST plumbing shared by every route: typed JSON bodies in, JSON out, pages of lists.

Bodies are decoded with msgspec straight into the route's request type: unparsable JSON →
400 ``invalid_json``; a wrong content type → 400 ``invalid_content_type``; a wrong type, a
missing field or a constraint violation → 422 ``validation_failed`` naming the field.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from signaling.errors import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    INVALID_CONTENT_TYPE,
    INVALID_JSON,
    MAX_BODY,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    PAYLOAD_TOO_LARGE,
    VALIDATION_FAILED,
    ApiError,
    Failure,
    FieldError,
    validation_failed,
)

T = TypeVar("T")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
_json = msgspec.json.Encoder()
_FIELD = re.compile(r"at `\$\.([A-Za-z_][A-Za-z0-9_]*)")
_MISSING = re.compile(r"missing required field `([A-Za-z_][A-Za-z0-9_]*)`")


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` (structs, lists of them) as an ``application/json`` response."""
    return Response(_json.encode(data), status, media_type="application/json")


def no_content() -> Response:
    return Response(status_code=204)


def body_failures(*, required: bool) -> tuple[Failure, ...]:
    """The failures of :func:`read_body` (``required``: an empty body is refused)."""
    empty = "" if not required else ", or is empty"
    return (
        Failure(INVALID_JSON, f"the body is not JSON{empty}"),
        Failure(
            INVALID_CONTENT_TYPE,
            "a body comes with a `Content-Type` that is neither `application/json` nor a "
            "`+json` type (no `Content-Type` counts as JSON)",
        ),
        Failure(PAYLOAD_TOO_LARGE, f"the body is longer than {MAX_BODY} bytes"),
        Failure(
            VALIDATION_FAILED,
            "the body is not an object, a required field is missing or a field has the wrong "
            "type (`errors[].field` names it)",
        ),
    )


async def _bounded_body(request: Request) -> bytes:
    """The body, refused before it is read when ``Content-Length`` announces more than
    :data:`MAX_BODY`, and cut off at ``MAX_BODY`` + 1 bytes when it is streamed."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise PAYLOAD_TOO_LARGE()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY:
            raise PAYLOAD_TOO_LARGE()
    return b"".join(chunks)


async def read_body(request: Request, body_type: type[T], *, empty_ok: bool = False) -> T:
    """Decode the request body as ``body_type``; an empty body counts as ``{}`` if allowed."""
    raw = await _bounded_body(request)
    if not raw.strip():
        if empty_ok:
            raw = b"{}"
        else:
            raise INVALID_JSON("a JSON request body is required")
    else:
        content_type = request.headers.get("content-type", "application/json")
        media = content_type.split(";", 1)[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise INVALID_CONTENT_TYPE()
    try:
        return msgspec.json.decode(raw, type=body_type)
    except msgspec.ValidationError as exc:
        error = exc
    except (msgspec.DecodeError, RecursionError):  # malformed, or nested absurdly deep
        raise INVALID_JSON() from None
    try:  # msgspec reports a type error before it sees trailing garbage
        msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        raise INVALID_JSON() from None
    text = str(error)
    match = _FIELD.search(text) or _MISSING.search(text)
    raise validation_failed(match.group(1) if match else "body", text) from None


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        if not raw.isascii():
            raise ValueError(raw)
        value = int(raw.strip(), 10)
    except ValueError:
        raise validation_failed(name, f"{name} must be an integer") from None
    if value < low or (high is not None and value > high):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise validation_failed(name, f"{name} must be {bound}")
    return value


@dataclasses.dataclass(frozen=True)
class IntQuery:
    """An optional integer query parameter in ``low..high``, as an endpoint declares it
    (``Endpoint.query``) and its handler reads it."""

    name: str
    description: str
    low: int
    high: int
    example: int

    def read(self, request: Request) -> int | None:
        """The value; None when absent; 422 ``validation_failed`` naming it when bad."""
        if self.name not in request.query_params:
            return None
        return _int_param(request, self.name, self.low, self.low, self.high)

    @property
    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}

    @property
    def failure(self) -> Failure:
        return Failure(
            VALIDATION_FAILED,
            f"`{self.name}` is not an integer in {self.low}..{self.high}",
            invalid=FieldError(
                field=self.name,
                code="invalid_value",
                message=f"{self.name} must be {self.low}..{self.high}",
            ),
        )


@dataclasses.dataclass(frozen=True)
class ChoiceQuery:
    """An optional query parameter that names one of ``choices`` (the first when absent), as
    an endpoint declares it (``Endpoint.query``) and its handler reads it."""

    name: str
    description: str
    choices: tuple[str, ...]
    example: str

    def read(self, request: Request) -> str:
        """The value; 422 ``validation_failed`` naming it when it is none of the choices."""
        value = request.query_params.get(self.name, self.choices[0])
        if value not in self.choices:
            raise validation_failed(self.name, self._message)
        return value

    @property
    def _message(self) -> str:
        return f"{self.name} must be one of " + ", ".join(self.choices)

    @property
    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices), "default": self.choices[0]}

    @property
    def failure(self) -> Failure:
        return Failure(
            VALIDATION_FAILED,
            f"`{self.name}` is none of " + ", ".join(f"`{c}`" for c in self.choices),
            invalid=FieldError(field=self.name, code="invalid_value", message=self._message),
        )


def paginate(request: Request, items: list[T]) -> list[T]:
    """One page of ``items`` per the ``per_page`` (1..100, default 30) and ``page`` (>= 1,
    default 1) query parameters; 422 for bad values."""
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = _int_param(request, "page", 1, 1, None)
    start = (page - 1) * per_page
    return items[start : start + per_page]


#: The failure of :func:`paginate`.
PAGINATION = Failure(
    VALIDATION_FAILED,
    f"`per_page` is not an integer in 1..{MAX_PER_PAGE}, or `page` not an integer >= 1",
    invalid=FieldError(
        field="per_page", code="invalid_value", message=f"per_page must be 1..{MAX_PER_PAGE}"
    ),
)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (and other HTTP exceptions) as our JSON error body."""
    assert isinstance(exc, HTTPException)
    problems = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED}
    fallback = BAD_REQUEST if exc.status_code < 500 else INTERNAL_SERVER_ERROR
    problem = dataclasses.replace(problems.get(exc.status_code, fallback), status=exc.status_code)
    return problem(str(exc.detail), headers=dict(exc.headers or {})).response()


#: Starlette exception handlers that answer our errors and Starlette's with a JSON error body.
ERROR_HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    ApiError: _api_error,
    HTTPException: _http_error,
}
