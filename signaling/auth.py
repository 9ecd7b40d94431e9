"""Bearer-token verification (PyJWT): HS256 with a shared secret, or RS256/ES256 from a JWKS file
or from an OpenID provider's discovery (:mod:`signaling.oidc`).

A verified token becomes a :class:`Principal`. Service roles come from Keycloak-style
``realm_access.roles`` (reference §18), e.g. ``opentalk-call-in`` for SIP gateways.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from pathlib import Path
from typing import Any

import jwt
import msgspec

from signaling.config import ConfigError, Settings
from signaling.errors import FORBIDDEN, UNAUTHORIZED, ApiError
from signaling.oidc import OidcKeys

log = logging.getLogger(__name__)

CALL_IN_ROLE = "opentalk-call-in"
ADMIN_ROLE = "signaling-admin"  # webhooks, and every room's meeting sessions
SERVICE_ROLES = {"call-in": CALL_IN_ROLE, "admin": ADMIN_ROLE}
DEV_SECRET_FILE = "dev-jwt-secret"
LEEWAY = 5  # seconds of clock skew allowed on exp, nbf and iat
_ASYMMETRIC = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "EdDSA"]


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The caller a bearer token names."""

    sub: str
    name: str = ""
    email: str | None = None
    given_name: str = ""
    family_name: str = ""
    roles: frozenset[str] = frozenset()
    groups: tuple[str, ...] = ()  # chat groups of the user directory (the ``groups`` claim)

    def require_role(self, role: str) -> None:
        """Raise 403 ``forbidden`` unless the token carries ``role``."""
        if role not in self.roles:
            raise FORBIDDEN(f"this endpoint needs a token with the {role!r} role")


def dev_secret(data_dir: str) -> str:
    """The embedded default's HS256 secret, created once (mode 0600) in the data dir."""
    path = Path(data_dir) / DEV_SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret + "\n")
    return secret


def hs256_secret(settings: Settings) -> str:
    """The configured HS256 secret, or the dev secret in embedded mode.

    Raises:
        ConfigError: JWKS or OIDC is configured, or Redis is configured without a shared secret.
    """
    if settings.jwks_file is not None or settings.oidc_issuer is not None:
        raise ConfigError("tokens are verified with public keys: there is no HS256 secret")
    if settings.jwt_secret:
        return settings.jwt_secret
    if not settings.embedded:
        raise ConfigError(
            "SIGNALING_JWT_SECRET, SIGNALING_JWKS_FILE or SIGNALING_OIDC_ISSUER is required "
            "with Redis"
        )
    return dev_secret(settings.data_dir)


class Authenticator:
    """Verifies bearer tokens against the configured keys."""

    def __init__(self, settings: Settings) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._max_age = settings.jwt_max_age
        self._keys: dict[str | None, Any]
        self.oidc: OidcKeys | None = None
        if settings.oidc_issuer is not None:
            self.oidc = OidcKeys(
                settings.oidc_issuer, settings.oidc_cache, settings.oidc_refresh_min
            )
            self._issuer = settings.oidc_issuer  # iss must be exactly the issuer
            self._keys = {}
            self._algorithms = _ASYMMETRIC
        elif settings.jwks_file is not None:
            self._keys = _load_jwks(settings.jwks_file)
            self._algorithms = _ASYMMETRIC
        else:
            self._keys = {None: hs256_secret(settings)}
            self._algorithms = ["HS256"]

    def verify(self, token: str) -> Principal:
        """Decode and check ``token``.

        Raises:
            ApiError: 401 ``unauthorized`` for a malformed, expired, wrongly signed or
                wrongly addressed token, or (``SIGNALING_JWT_MAX_AGE``) one issued for longer
                or longer ago; the message names the reason, never the library's text.
        """
        required = ["exp", "sub", "iat"] if self._max_age else ["exp", "sub"]
        try:
            key = self._key(jwt.get_unverified_header(token))
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": required, "verify_aud": self._audience is not None},
                leeway=LEEWAY,
            )
        except jwt.PyJWTError as exc:
            raise UNAUTHORIZED(f"invalid bearer token: {_reason(exc)}") from None
        if self._max_age:
            self._check_age(claims)
        return _principal(claims)

    def _key(self, header: dict[str, Any]) -> Any:
        """The key ``header`` asks for (the only one, when the set has one and no OIDC)."""
        if self.oidc is None:
            key = self._keys.get(header.get("kid")) if len(self._keys) > 1 else None
            return next(iter(self._keys.values())) if key is None else key
        if not self.oidc.fetched:
            log.warning(
                "bearer token refused: the signing keys of %s are not fetched yet",
                self.oidc.issuer,
            )
            raise UNAUTHORIZED(f"invalid bearer token: {NO_KEYS}")
        kid = header.get("kid")
        key = self.oidc.keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            log.warning("bearer token refused: %s has no signing key of its kid", self.oidc.issuer)
            raise UNAUTHORIZED(f"invalid bearer token: {UNKNOWN_KEY}")
        return key

    async def watch_keys(self) -> None:
        """Keep the OpenID provider's keys fresh until cancelled (nothing to do without)."""
        if self.oidc is not None:
            await self.oidc.watch()

    async def learn_key(self, authorization: str | None) -> None:
        """Before a request with ``authorization`` is verified: fetch the provider's keys when
        its token names a key id they lack (rate-limited by :class:`OidcKeys`)."""
        if self.oidc is None or not authorization:
            return
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return
        try:
            kid = jwt.get_unverified_header(token.strip()).get("kid")
        except jwt.PyJWTError:
            return
        if isinstance(kid, str):
            await self.oidc.learn(kid)

    def _check_age(self, claims: dict[str, Any]) -> None:
        issued, expires = claims.get("iat"), claims.get("exp")
        if not isinstance(issued, int | float) or not isinstance(expires, int | float):
            raise UNAUTHORIZED("invalid bearer token: iat and exp must be numbers")
        if expires - issued > self._max_age or time.time() - issued > self._max_age + LEEWAY:
            raise UNAUTHORIZED("invalid bearer token: it lives longer than this server allows")

    def from_header(self, authorization: str | None) -> Principal:
        """Verify an ``Authorization: Bearer <jwt>`` header value."""
        if not authorization:
            raise UNAUTHORIZED()  # "missing Authorization header"
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UNAUTHORIZED("the Authorization header must be 'Bearer <token>'")
        return self.verify(token.strip())


_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "it has expired"),
    (jwt.ImmatureSignatureError, "it is not valid yet"),
    (jwt.MissingRequiredClaimError, "it lacks a required claim"),
    (jwt.InvalidAudienceError, "it is meant for another audience"),
    (jwt.InvalidIssuerError, "it comes from another issuer"),
    (jwt.InvalidSignatureError, "its signature does not match"),
    (jwt.InvalidAlgorithmError, "its algorithm is not accepted"),
)
MALFORMED = "it is malformed"
NO_KEYS = "the identity provider's keys are not available yet"
UNKNOWN_KEY = "its signing key is unknown"
#: Every reason a refused token can be given (fixed texts: the library's may echo input).
REFUSAL_REASONS = frozenset({MALFORMED, NO_KEYS, UNKNOWN_KEY, *(text for _, text in _REASONS)})


def _reason(exc: jwt.PyJWTError) -> str:
    """A fixed description of why a token was refused."""
    return next((text for kind, text in _REASONS if isinstance(exc, kind)), MALFORMED)


def _principal(claims: dict[str, Any]) -> Principal:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise UNAUTHORIZED("the token's sub claim must be a non-empty string")
    realm = claims.get("realm_access")
    roles = realm.get("roles", []) if isinstance(realm, dict) else []

    def text(name: str) -> str:
        value = claims.get(name)
        return value if isinstance(value, str) else ""

    groups = claims.get("groups")
    return Principal(
        sub=sub,
        groups=tuple(sorted({g for g in groups if isinstance(g, str) and g}))
        if isinstance(groups, list)
        else (),
        name=text("name") or text("preferred_username"),
        email=text("email") or None,
        given_name=text("given_name"),
        family_name=text("family_name"),
        roles=frozenset(r for r in roles if isinstance(r, str)),
    )


def _load_jwks(path: str) -> dict[str | None, Any]:
    try:
        with open(path) as fh:
            data = json.load(fh)
        key_set = jwt.PyJWKSet.from_dict(data)
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        raise ConfigError(f"cannot load SIGNALING_JWKS_FILE={path}: {exc}") from exc
    return {key.key_id: key for key in key_set.keys}


def issue_dev_token(
    secret: str,
    *,
    sub: str,
    name: str | None = None,
    email: str | None = None,
    service: str | None = None,
    groups: list[str] | None = None,
    ttl: int = 24 * 3600,
    audience: str | None = None,
    issuer: str | None = None,
) -> str:
    """An HS256 token for local use: a user, or a service (``call-in``, ``admin``) with its
    realm role."""
    claims: dict[str, Any] = {"sub": sub, "iat": int(time.time()), "exp": int(time.time()) + ttl}
    if name:
        claims["name"] = name
    if email:
        claims["email"] = email
    if groups:
        claims["groups"] = groups
    if service is not None:
        if service not in SERVICE_ROLES:
            raise ValueError(f"unknown service {service!r}; known: {', '.join(SERVICE_ROLES)}")
        claims["realm_access"] = {"roles": [SERVICE_ROLES[service]]}
    if audience:
        claims["aud"] = audience
    if issuer:
        claims["iss"] = issuer
    return jwt.encode(claims, secret, algorithm="HS256")


__all__ = ["ApiError", "Authenticator", "Principal", "issue_dev_token"]
