"""REST plumbing shared by every route: typed JSON bodies in, JSON out, errors as JSON.

Bodies are decoded with msgspec straight into the route's request type: unparsable JSON →
400 ``invalid_json``; a wrong content type → 400 ``invalid_content_type``; a wrong type, a
missing field or a constraint violation → 422 ``validation_failed`` naming the field.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling.errors import ApiError, invalid_json, validation_failed

T = TypeVar("T")
MAX_BODY = 64 * 1024
_json = msgspec.json.Encoder()
_FIELD = re.compile(r"at `\$\.([A-Za-z_][A-Za-z0-9_]*)")
_MISSING = re.compile(r"missing required field `([A-Za-z_][A-Za-z0-9_]*)`")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``data`` (structs, dicts, lists) as an ``application/json`` response."""
    return Response(_json.encode(data), status, headers, media_type="application/json")


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.status, error.headers)


def _too_large() -> ApiError:
    """413, and the connection closes: the rest of the upload is not read."""
    message = f"request bodies are limited to {MAX_BODY} bytes"
    return ApiError(413, "payload_too_large", message, headers={"Connection": "close"})


async def _bounded_body(request: Request) -> bytes:
    """The body, refused before it is read when ``Content-Length`` announces more than
    :data:`MAX_BODY`, and cut off at ``MAX_BODY`` + 1 bytes when it is streamed."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
    return b"".join(chunks)


async def read_body(request: Request, body_type: type[T], *, empty_ok: bool = False) -> T:
    """Decode the request body as ``body_type``; an empty body counts as ``{}`` if allowed."""
    raw = await _bounded_body(request)
    if not raw.strip():
        if empty_ok:
            raw = b"{}"
        else:
            raise invalid_json("a JSON request body is required")
    else:
        content_type = request.headers.get("content-type", "application/json")
        media = content_type.split(";", 1)[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise ApiError(400, "invalid_content_type", "the body must be application/json")
    try:
        return msgspec.json.decode(raw, type=body_type)
    except msgspec.ValidationError as exc:
        error = exc
    except (msgspec.DecodeError, RecursionError):  # malformed, or nested absurdly deep
        raise invalid_json() from None
    try:  # msgspec reports a type error before it sees trailing garbage
        msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        raise invalid_json() from None
    text = str(error)
    match = _FIELD.search(text) or _MISSING.search(text)
    raise validation_failed(match.group(1) if match else "body", text) from None
