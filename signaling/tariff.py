"""The one configured tariff (reference §17.4), in the shape of ``join_success.tariff`` and of
``GET /v1/users/me/tariff`` (§19.3, §19.12)."""

from __future__ import annotations

import msgspec

from signaling.config import Settings

DEFAULT_TARIFF_ID = "00000000-0000-0000-0000-000000000000"


class Quotas(msgspec.Struct, omit_defaults=True):
    """Limits; a quota that is unlimited is omitted, never 0 (§19.3)."""

    room_participant_limit: int | None = None
    room_time_limit_secs: int | None = None


class ModuleFeatures(msgspec.Struct):
    """The features of an enabled module (none so far)."""

    features: list[str] = []


class Tariff(msgspec.Struct):
    """The configured tariff (the object ``join_success`` carries as ``tariff``): its quotas
    and the modules it enables."""

    id: str
    name: str
    quotas: Quotas
    modules: dict[str, ModuleFeatures]


def build_tariff(settings: Settings, module_namespaces: list[str]) -> Tariff:
    """The tariff that lists ``module_namespaces`` (the enabled, tariffed modules)."""
    return Tariff(
        id=DEFAULT_TARIFF_ID,
        name="Default",
        quotas=Quotas(
            room_participant_limit=settings.participant_limit or None,
            room_time_limit_secs=settings.time_limit or None,
        ),
        modules={name: ModuleFeatures() for name in module_namespaces},
    )
