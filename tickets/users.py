"""The caller (reference §19.12): the profile from the bearer token's claims, and the tariff."""

from __future__ import annotations

from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling.registry import UserProfile
from signaling.tariff import Tariff
from tickets import examples
from tickets.access import BAD_TOKEN, Api
from tickets.declaration import INTERNAL, Answer, Endpoint
from tickets.http import json_response


class CurrentUser(msgspec.Struct, kw_only=True):
    """The caller as ``GET /v1/users/me`` shows it: the profile from the bearer token's claims
    (``sub`` → ``id``, ``name`` → ``display_name``, ``given_name``/``family_name`` →
    ``firstname``/``lastname``, the libravatar URL of ``email``; empty strings where a claim is
    missing) plus fixed values: ``language`` is ``en``, ``tariff_status`` ``default`` and
    ``used_storage`` 0."""

    id: str
    email: str
    title: str
    firstname: str
    lastname: str
    display_name: str
    avatar_url: str
    language: str
    tariff_status: str
    used_storage: Annotated[int, msgspec.Meta(ge=0)]

    @classmethod
    def of(cls, profile: UserProfile) -> CurrentUser:
        return cls(
            **msgspec.structs.asdict(profile),
            language="en",
            tariff_status="default",
            used_storage=0,
        )


async def me(api: Api, request: Request) -> Response:
    return json_response(CurrentUser.of(api.profile(api.principal(request))))


async def my_tariff(api: Api, request: Request) -> Response:
    api.principal(request)
    return json_response(api.node.tariff)


ENDPOINTS = (
    Endpoint(
        "GET",
        "/v1/users/me",
        me,
        "users",
        "Get the caller's profile",
        "The caller's profile, from the bearer token's claims (reference §19.12).",
        "bearer",
        (Answer(200, "The caller.", CurrentUser, CurrentUser.of(examples.PROFILE)),),
        (BAD_TOKEN, INTERNAL),
    ),
    Endpoint(
        "GET",
        "/v1/users/me/tariff",
        my_tariff,
        "tariffs",
        "Get the caller's tariff",
        "The one configured tariff (the object `join_success` carries as `tariff`).",
        "bearer",
        (Answer(200, "The tariff.", Tariff),),
        (BAD_TOKEN, INTERNAL),
    ),
)
