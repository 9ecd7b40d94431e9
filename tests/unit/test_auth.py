"""signaling.auth.Authenticator: HS256 and JWKS verification, Principal, dev tokens."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from signaling.auth import CALL_IN_ROLE, Authenticator, Principal, issue_dev_token
from signaling.config import ConfigError, Settings
from signaling.errors import ApiError

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
OTHER_SECRET = "other-secret-0123456789-abcdefghijklmnopqrstuvwxy"
KID = "key-1"


def _claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": "alice", "iat": now, "exp": now + 300}
    claims.update(extra)
    return {k: v for k, v in claims.items() if v is not None}


def _hs(claims: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def _auth(**settings: Any) -> Authenticator:
    return Authenticator(Settings(jwt_secret=SECRET, **settings))


def _rejected(auth: Authenticator, token: str) -> ApiError:
    with pytest.raises(ApiError) as info:
        auth.verify(token)
    assert info.value.status == 401
    assert info.value.code == "unauthorized"
    return info.value


# --- HS256 ----------------------------------------------------------------------------------


def test_valid_token_becomes_a_principal() -> None:
    token = _hs(
        _claims(
            name="Alice Example",
            email="alice@example.org",
            given_name="Alice",
            family_name="Example",
            realm_access={"roles": ["opentalk-call-in", "other", 7]},
        )
    )
    principal = _auth().verify(token)
    assert principal == Principal(
        sub="alice",
        name="Alice Example",
        email="alice@example.org",
        given_name="Alice",
        family_name="Example",
        roles=frozenset({"opentalk-call-in", "other"}),
    )


def test_name_falls_back_to_preferred_username() -> None:
    principal = _auth().verify(_hs(_claims(preferred_username="alice42")))
    assert principal.name == "alice42"
    both = _auth().verify(_hs(_claims(name="Alice", preferred_username="alice42")))
    assert both.name == "Alice"


def test_minimal_token_has_empty_defaults() -> None:
    principal = _auth().verify(_hs(_claims()))
    assert principal.sub == "alice"
    assert principal.name == ""
    assert principal.email is None
    assert principal.roles == frozenset()


def test_malformed_realm_access_gives_no_roles() -> None:
    principal = _auth().verify(_hs(_claims(realm_access=["opentalk-call-in"])))
    assert principal.roles == frozenset()


def test_require_role() -> None:
    principal = _auth().verify(_hs(_claims(realm_access={"roles": ["a"]})))
    principal.require_role("a")
    with pytest.raises(ApiError) as info:
        principal.require_role("b")
    assert info.value.status == 403


def test_expired_token() -> None:
    now = int(time.time())
    _rejected(_auth(), _hs(_claims(iat=now - 3600, exp=now - 60)))


def test_missing_exp() -> None:
    _rejected(_auth(), _hs({"sub": "alice"}))


def test_wrong_signature() -> None:
    _rejected(_auth(), _hs(_claims(), secret=OTHER_SECRET))


def test_tampered_payload() -> None:
    header, _, signature = _hs(_claims(sub="alice")).split(".")
    forged = _hs(_claims(sub="mallory")).split(".")[1]
    _rejected(_auth(), f"{header}.{forged}.{signature}")


@pytest.mark.parametrize("sub", [None, ""])
def test_missing_or_empty_sub(sub: str | None) -> None:
    claims = _claims()
    if sub is None:
        del claims["sub"]
    else:
        claims["sub"] = sub
    _rejected(_auth(), _hs(claims))


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "a.b", "....", "Bearer x.y.z"])
def test_malformed(token: str) -> None:
    _rejected(_auth(), token)


def test_alg_none_is_rejected() -> None:
    token = jwt.encode(_claims(), "", algorithm="none")
    _rejected(_auth(), token)
    _rejected(_auth(), token + "AAAA")


def test_audience_enforced_when_configured() -> None:
    auth = _auth(jwt_audience="signaling")
    assert auth.verify(_hs(_claims(aud="signaling"))).sub == "alice"
    assert auth.verify(_hs(_claims(aud=["other", "signaling"]))).sub == "alice"
    _rejected(auth, _hs(_claims(aud="other")))
    _rejected(auth, _hs(_claims()))


def test_audience_ignored_when_not_configured() -> None:
    assert _auth().verify(_hs(_claims(aud="anything"))).sub == "alice"


def test_issuer_enforced_when_configured() -> None:
    auth = _auth(jwt_issuer="https://idp.example/realms/opentalk")
    good = _claims(iss="https://idp.example/realms/opentalk")
    assert auth.verify(_hs(good)).sub == "alice"
    _rejected(auth, _hs(_claims(iss="https://evil.example/")))
    _rejected(auth, _hs(_claims()))


# --- Authorization header -------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", [None, "", "Basic YWxpY2U6cGFzcw==", "Bearer", "Bearer   ", "Token abc"]
)
def test_from_header_rejects(header: str | None) -> None:
    with pytest.raises(ApiError) as info:
        _auth().from_header(header)
    assert info.value.status == 401
    assert info.value.headers.get("WWW-Authenticate") == "Bearer"


def test_from_header_rejects_a_non_bearer_scheme_with_a_valid_token() -> None:
    with pytest.raises(ApiError) as info:
        _auth().from_header(f"Basic {_hs(_claims())}")
    assert info.value.status == 401


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_from_header_accepts_bearer(scheme: str) -> None:
    assert _auth().from_header(f"{scheme} {_hs(_claims())}").sub == "alice"


# --- JWKS -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks_file(tmp_path: Path, *keys: tuple[str, rsa.RSAPrivateKey]) -> str:
    entries = []
    for kid, key in keys:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        jwk.update(kid=kid, use="sig", alg="RS256")
        entries.append(jwk)
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": entries}))
    return str(path)


def _rs(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str = KID) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_jwks_rs256_verifies(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    auth = Authenticator(Settings(jwks_file=_jwks_file(tmp_path, (KID, rsa_key))))
    principal = auth.verify(_rs(_claims(name="Alice"), rsa_key))
    assert principal.sub == "alice" and principal.name == "Alice"


def test_jwks_picks_the_key_by_kid(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    second = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    auth = Authenticator(
        Settings(jwks_file=_jwks_file(tmp_path, (KID, rsa_key), ("key-2", second)))
    )
    assert auth.verify(_rs(_claims(sub="one"), rsa_key, KID)).sub == "one"
    assert auth.verify(_rs(_claims(sub="two"), second, "key-2")).sub == "two"
    _rejected(auth, _rs(_claims(), second, KID))  # signed by the other key


def test_jwks_rejects_hs256(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    auth = Authenticator(Settings(jwks_file=_jwks_file(tmp_path, (KID, rsa_key))))
    _rejected(auth, jwt.encode(_claims(), SECRET, algorithm="HS256", headers={"kid": KID}))
    _rejected(auth, _hs(_claims()))


def test_jwks_rejects_a_foreign_key(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    auth = Authenticator(Settings(jwks_file=_jwks_file(tmp_path, (KID, rsa_key))))
    _rejected(auth, _rs(_claims(), stranger))


def test_jwks_expired(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    auth = Authenticator(Settings(jwks_file=_jwks_file(tmp_path, (KID, rsa_key))))
    now = int(time.time())
    _rejected(auth, _rs(_claims(iat=now - 3600, exp=now - 60), rsa_key))


def test_unreadable_jwks_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SIGNALING_JWKS_FILE"):
        Authenticator(Settings(jwks_file=str(tmp_path / "missing.json")))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ConfigError, match="SIGNALING_JWKS_FILE"):
        Authenticator(Settings(jwks_file=str(broken)))


# --- dev tokens -----------------------------------------------------------------------------


def test_dev_token_for_a_user() -> None:
    token = issue_dev_token(SECRET, sub="bob", name="Bob", email="bob@example.org")
    principal = _auth().verify(token)
    assert principal.sub == "bob"
    assert principal.name == "Bob"
    assert principal.email == "bob@example.org"
    assert principal.roles == frozenset()


def test_dev_token_for_call_in_carries_the_role() -> None:
    principal = _auth().verify(issue_dev_token(SECRET, sub="gateway", service="call-in"))
    assert CALL_IN_ROLE == "opentalk-call-in"
    assert principal.roles == frozenset({"opentalk-call-in"})
    principal.require_role("opentalk-call-in")


def test_dev_token_unknown_service() -> None:
    with pytest.raises(ValueError, match="unknown service"):
        issue_dev_token(SECRET, sub="x", service="recorder-ish")


def test_dev_token_audience_and_issuer() -> None:
    auth = _auth(jwt_audience="signaling", jwt_issuer="https://idp.example")
    token = issue_dev_token(SECRET, sub="bob", audience="signaling", issuer="https://idp.example")
    assert auth.verify(token).sub == "bob"
    _rejected(auth, issue_dev_token(SECRET, sub="bob"))


def test_dev_token_expires() -> None:
    _rejected(_auth(), issue_dev_token(SECRET, sub="bob", ttl=-60))
