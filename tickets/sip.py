"""A room's SIP call-in config (reference §17.16): read, create or change, delete. Only the
room's creator may use these."""

from __future__ import annotations

from typing import Annotated, ClassVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling import registry
from signaling.errors import NOT_FOUND, VALIDATION_FAILED, Failure, FieldError
from signaling.registry import SIP_PIN_LENGTH, UnknownRoomError, is_digits
from tickets import examples
from tickets.access import BAD_TOKEN, NOT_CREATOR, ROOM_NOT_FOUND, Api
from tickets.declaration import BACKEND, CREATOR_ONLY, INTERNAL, NO_CONTENT, Answer, Endpoint
from tickets.fields import UuidText
from tickets.http import body_failures, json_response, no_content, read_body

TEN_DIGITS = f"^[0-9]{{{SIP_PIN_LENGTH}}}$"
Digits10 = Annotated[str, msgspec.Meta(pattern=TEN_DIGITS)]
NO_SIP_CONFIG = NOT_FOUND.saying("the room has no SIP config")
BAD_PIN = FieldError(
    field="password", code="invalid_value", message="the PIN must be exactly 10 ASCII digits"
)
NOTHING = FieldError(field="body", message="give password and/or lobby", code="empty")


class SipConfig(msgspec.Struct, kw_only=True):
    """A room's SIP call-in config: the call-in id and PIN a caller dials, each exactly 10
    ASCII digits, and whether callers wait in the lobby."""

    room: UuidText
    sip_id: Digits10
    password: Digits10
    lobby: bool

    @classmethod
    def of(cls, config: registry.SipConfig) -> SipConfig:
        return cls(
            room=config.room, sip_id=config.sip_id, password=config.password, lobby=config.lobby
        )


class PutSipBody(msgspec.Struct):
    """The SIP config's new PIN and/or lobby flag."""

    #: Added to its JSON Schema: the body must give one of them.
    json_schema_extra: ClassVar[dict[str, object]] = {
        "anyOf": [{"required": ["password"]}, {"required": ["lobby"]}]
    }

    password: (
        Annotated[
            str,
            msgspec.Meta(
                description="The PIN: 10 ASCII digits.", extra_json_schema={"pattern": TEN_DIGITS}
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    lobby: bool | msgspec.UnsetType = msgspec.UNSET


async def get_sip(api: Api, request: Request) -> Response:
    _, room = await api.own_room(request)
    config = await api.node.registry.get_sip_config(room.id)
    if config is None:
        raise NO_SIP_CONFIG()
    return json_response(SipConfig.of(config))


async def put_sip(api: Api, request: Request) -> Response:
    _, room = await api.own_room(request)
    body = await read_body(request, PutSipBody)
    if body.password is msgspec.UNSET and body.lobby is msgspec.UNSET:
        raise NOTHING.error()
    password = None if body.password is msgspec.UNSET else body.password
    if password is not None and not is_digits(password, SIP_PIN_LENGTH):
        raise BAD_PIN.error()
    lobby = None if body.lobby is msgspec.UNSET else body.lobby
    try:
        config, created = await api.node.registry.put_sip_config(
            room.id, password=password, lobby=lobby
        )
    except UnknownRoomError:
        raise NOT_FOUND() from None
    return json_response(SipConfig.of(config), 201 if created else 200)


async def delete_sip(api: Api, request: Request) -> Response:
    _, room = await api.own_room(request)
    if not await api.node.registry.delete_sip_config(room.id):
        raise NO_SIP_CONFIG()
    return no_content()


SIP = "/v1/rooms/{room_id}/sip"
EXAMPLE = SipConfig(
    room=examples.ROOM_ID, sip_id=examples.SIP_ID, password=examples.PIN, lobby=False
)
NOT_CONFIGURED = Failure(NO_SIP_CONFIG, "the room is unknown, or has no SIP config")

ENDPOINTS = (
    Endpoint(
        "GET",
        SIP,
        get_sip,
        "sip",
        "Get a room's SIP config",
        CREATOR_ONLY,
        "bearer",
        (Answer(200, "The SIP config.", SipConfig, EXAMPLE),),
        (BAD_TOKEN, NOT_CONFIGURED, NOT_CREATOR, BACKEND, INTERNAL),
    ),
    Endpoint(
        "PUT",
        SIP,
        put_sip,
        "sip",
        "Create or change a room's SIP config",
        "Give `password` (the PIN) and/or `lobby`. Creating a config draws a unique random "
        f"call-in id (and a random PIN when none is given; lobby off by default). "
        f"{CREATOR_ONLY}",
        "bearer",
        (
            Answer(200, "The changed SIP config.", SipConfig, EXAMPLE),
            Answer(201, "The new SIP config.", SipConfig, EXAMPLE),
        ),
        (
            BAD_TOKEN,
            ROOM_NOT_FOUND,
            NOT_CREATOR,
            *body_failures(required=True),
            Failure(
                VALIDATION_FAILED,
                "neither `password` nor `lobby` is given (`errors[].code` `empty`), or "
                "`password` is not exactly 10 ASCII digits",
                invalid=BAD_PIN,
            ),
            BACKEND,
            INTERNAL,
        ),
        PutSipBody,
        body_example=PutSipBody(password=examples.PIN, lobby=True),
    ),
    Endpoint(
        "DELETE",
        SIP,
        delete_sip,
        "sip",
        "Delete a room's SIP config",
        CREATOR_ONLY,
        "bearer",
        (NO_CONTENT,),
        (BAD_TOKEN, NOT_CONFIGURED, NOT_CREATOR, BACKEND, INTERNAL),
    ),
)
