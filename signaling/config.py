"""Settings: defaults, an optional TOML file (``SIGNALING_CONFIG``) and ``SIGNALING_*`` env vars.

Environment variables win over the file; the file wins over the defaults. Durations are
seconds, sizes bytes, limits counts (reference §18).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from typing import Any

import msgspec

from signaling.errors import SignalingError

ENV_PREFIX = "SIGNALING_"
REST_RATES = (0.01, 1_000_000.0)  # the REST rate limits' range (requests a second), or 0


class ConfigError(SignalingError):
    """The configuration cannot be used; the message says which setting and why."""


class Settings(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Every tunable of a server process."""

    host: str = "127.0.0.1"
    port: int = 11311
    data_dir: str = "./data"
    redis_url: str | None = None
    redis_cluster_nodes: list[str] = []  # host:port start-up nodes of a Redis Cluster
    workers: int = 1
    log_level: str = "info"
    log_format: str = "text"  # or "json": one object per line
    metrics_token: str | None = None  # GET /metrics wants "Authorization: Bearer <it>"

    # Bearer tokens (reference §18): an HS256 secret, or a JWKS file of an OIDC provider.
    jwt_secret: str | None = None
    jwks_file: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # OpenID Connect discovery: the issuer's keys, fetched and refreshed while running.
    oidc_issuer: str | None = None
    oidc_cache: float = 3600.0  # seconds between two fetches of the key set
    oidc_refresh_min: float = 60.0  # an unknown kid refetches at most this often
    # The browser demo page on GET / (signaling.demo); unset: on exactly when tokens are
    # verified with the embedded dev secret.
    demo: bool | None = None

    # Browsers: CORS for the REST side, and an optional Origin allowlist for /signaling.
    cors_origins: list[str] = []
    websocket_origins: list[str] = []

    ticket_ttl: float = 30.0
    resumption_ttl: float = 120.0
    room_grace_period: float = 60.0
    join_timeout: float = 60.0
    heartbeat_interval: float = 15.0
    heartbeat_timeout: float = 20.0
    presence_ttl: float = 10.0
    breakout_linger: float = 300.0
    shutdown_timeout: float = 5.0
    drain_seconds: float = 10.0  # SIGTERM: clients are closed with 1001 spread over this long
    # Per-channel delivery history (Redis): how far back a node can repair what it missed.
    history_size: int = 1000
    history_ttl: float = 120.0

    participant_limit: int = 0
    room_record_limit: int = 10_000  # participant records one signaling room keeps (0 = none)
    time_limit: int = 0
    early_join: float = 600.0  # a scheduled room admits joins this long before its starts_at
    disabled_modules: list[str] = []
    chat_history_limit: int = 100

    rate_limit: float = 10.0
    rate_burst: int = 30
    rate_flood_seconds: float = 10.0
    max_message_size: int = 1_048_576
    send_queue_limit: int = 1000
    send_queue_bytes: int = 4_194_304
    send_stall_timeout: float = 10.0

    # Connections (per process): the first request's headers, per client address, in total.
    header_timeout: float = 10.0
    max_connections_per_ip: int = 128
    trusted_proxies: list[str] = []

    # REST requests a second per client address and per bearer subject, bursts of twice
    # that, shared by all nodes (tickets/limits.py): GETs, record writes, start calls; 0 = off.
    rest_rate_read: float = 20.0
    rest_rate_write: float = 5.0
    rest_rate_start: float = 5.0

    password_attempts: int = 5
    password_window: float = 60.0
    guess_attempts: int = 20
    jwt_max_age: float = 0.0
    avatar_base_url: str = "https://seccdn.libravatar.org/avatar/"

    # Webhooks and meeting sessions (signaling/webhooks): retries back off from the base
    # doubling to the max, for retry_for seconds; a quit and a rejoin within move_window
    # seconds is no leave (a breakout move); a room's outbox lease lasts lease seconds.
    webhook_retry_base: float = 1.0
    webhook_retry_max: float = 600.0
    webhook_retry_for: float = 86_400.0
    webhook_move_window: float = 5.0
    webhook_lease: float = 30.0
    session_retention: float = 2_592_000.0  # 30 days

    def __post_init__(self) -> None:
        positive = (
            "ticket_ttl",
            "resumption_ttl",
            "join_timeout",
            "heartbeat_interval",
            "heartbeat_timeout",
            "presence_ttl",
            "rate_limit",
            "password_window",
            "history_ttl",
            "history_size",
            "webhook_retry_base",
            "webhook_retry_max",
            "webhook_lease",
            "session_retention",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be > 0")
        non_negative = (
            "room_grace_period",
            "breakout_linger",
            "participant_limit",
            "room_record_limit",
            "time_limit",
            "early_join",
            "chat_history_limit",
            "shutdown_timeout",
            "drain_seconds",
            "jwt_max_age",
            "webhook_retry_for",
            "webhook_move_window",
        )
        for name in non_negative:
            if getattr(self, name) < 0:
                raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be >= 0")
        for name in ("rest_rate_read", "rest_rate_write", "rest_rate_start"):
            rate = getattr(self, name)
            if not (rate == 0 or REST_RATES[0] <= rate <= REST_RATES[1]):  # also NaN, inf
                raise ConfigError(
                    f"{ENV_PREFIX}{name.upper()} must be 0 (off) or {REST_RATES[0]:g} to "
                    f"{REST_RATES[1]:g} requests a second, not {rate}"
                )
        if not 0 < self.port < 65536:
            raise ConfigError(f"{ENV_PREFIX}PORT must be 1..65535, not {self.port}")
        if self.workers < 1:
            raise ConfigError(f"{ENV_PREFIX}WORKERS must be >= 1")
        if self.redis_url is not None and self.redis_cluster_nodes:
            raise ConfigError(
                f"set {ENV_PREFIX}REDIS_URL (one Redis) or {ENV_PREFIX}REDIS_CLUSTER_NODES"
                " (a Redis Cluster), not both"
            )
        for node in self.redis_cluster_nodes:
            host, _, port = node.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ConfigError(
                    f"{ENV_PREFIX}REDIS_CLUSTER_NODES wants host:port[,host:port...], not {node!r}"
                )
        if self.workers > 1 and self.embedded:
            raise ConfigError(
                f"{ENV_PREFIX}WORKERS={self.workers} needs {ENV_PREFIX}REDIS_URL or"
                f" {ENV_PREFIX}REDIS_CLUSTER_NODES: worker processes "
                "on the embedded backend would not share rooms, tickets or sessions"
            )
        if self.rate_burst < 1 or self.send_queue_limit < 1 or self.max_message_size < 1024:
            raise ConfigError(
                f"{ENV_PREFIX}RATE_BURST and {ENV_PREFIX}SEND_QUEUE_LIMIT must be >= 1, "
                f"{ENV_PREFIX}MAX_MESSAGE_SIZE >= 1024"
            )
        for name in (
            "send_queue_bytes",
            "max_connections_per_ip",
            "password_attempts",
            "guess_attempts",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be >= 1")
        for name in ("send_stall_timeout", "header_timeout"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be > 0")
        if self.jwt_secret is not None and self.jwks_file is not None:
            raise ConfigError(f"set {ENV_PREFIX}JWT_SECRET or {ENV_PREFIX}JWKS_FILE, not both")
        if self.oidc_issuer is not None and (self.jwt_secret or self.jwks_file):
            raise ConfigError(
                f"set {ENV_PREFIX}OIDC_ISSUER or {ENV_PREFIX}JWT_SECRET / {ENV_PREFIX}JWKS_FILE"
            )
        if self.demo and not self.uses_dev_secret:
            raise ConfigError(
                f"{ENV_PREFIX}DEMO mints tokens with the embedded dev secret: it cannot be on "
                f"with {ENV_PREFIX}JWT_SECRET, {ENV_PREFIX}JWKS_FILE, {ENV_PREFIX}OIDC_ISSUER "
                f"or {ENV_PREFIX}REDIS_URL"
            )
        if self.oidc_cache <= 0 or self.oidc_refresh_min < 0:
            raise ConfigError(
                f"{ENV_PREFIX}OIDC_CACHE must be > 0 and {ENV_PREFIX}OIDC_REFRESH_MIN >= 0"
            )
        if self.log_format not in ("text", "json"):
            raise ConfigError(
                f"{ENV_PREFIX}LOG_FORMAT must be text or json, not {self.log_format!r}"
            )

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: one process holds all state."""
        return self.redis_url is None and not self.redis_cluster_nodes

    @property
    def uses_dev_secret(self) -> bool:
        """Tokens are verified with the embedded dev secret (no Redis, no real auth)."""
        return self.embedded and not (self.jwt_secret or self.jwks_file or self.oidc_issuer)

    @property
    def demo_enabled(self) -> bool:
        """The demo page and its token route are served (never with real auth configured)."""
        return self.uses_dev_secret if self.demo is None else self.demo


_FIELDS: dict[str, Any] = {f.name: f for f in msgspec.structs.fields(Settings)}


def _from_env_value(name: str, raw: str) -> Any:
    field_type = _FIELDS[name].type
    if field_type == list[str]:
        return [item.strip() for item in raw.split(",") if item.strip()]
    if raw == "" and field_type == (str | None):
        return None
    return raw


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Build settings from the TOML file named by ``SIGNALING_CONFIG``, the environment and
    explicit overrides (command-line flags), in increasing precedence.

    Raises:
        ConfigError: unknown keys, unparsable values or values out of range.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    config_file = env.get(f"{ENV_PREFIX}CONFIG")
    if config_file:
        try:
            with open(config_file, "rb") as fh:
                values.update(tomllib.load(fh))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {ENV_PREFIX}CONFIG={config_file}: {exc}") from exc
        unknown = sorted(set(values) - set(_FIELDS))
        if unknown:
            raise ConfigError(f"unknown settings in {config_file}: {', '.join(unknown)}")
    for name in _FIELDS:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = _from_env_value(name, raw)
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid setting: {_env_name(str(exc))}") from exc


def _env_name(message: str) -> str:
    """Rewrite msgspec's ``$.field`` paths into the env var names operators use."""
    for name in _FIELDS:
        message = message.replace(f"$.{name}", ENV_PREFIX + name.upper())
    return message
