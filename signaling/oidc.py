"""The signing keys of an OpenID provider, found by discovery and kept fresh.

``SIGNALING_OIDC_ISSUER`` names the issuer; its ``/.well-known/openid-configuration`` names
the ``jwks_uri``. The key set is fetched at start-up and every ``SIGNALING_OIDC_CACHE``
seconds (every :data:`RETRY_PERIOD` while no fetch has succeeded yet: a provider that is down
at start-up does not stop the server), and again when a token names a key id the set lacks,
at most once per ``SIGNALING_OIDC_REFRESH_MIN`` seconds. A failed fetch keeps the keys known.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from typing import Any

import jwt

log = logging.getLogger(__name__)
RETRY_PERIOD = 5.0  # seconds between attempts while no key set was fetched
FETCH_TIMEOUT = 5.0
MAX_DOCUMENT = 1_048_576  # bytes of a discovery document or key set


class OidcKeys:
    """The key set of one issuer by key id (see the module docstring)."""

    def __init__(self, issuer: str, cache: float, refresh_min: float) -> None:
        self.issuer = issuer.rstrip("/")
        self._cache = cache
        self._refresh_min = refresh_min
        self.keys: dict[str, jwt.PyJWK] = {}
        self.fetched = False  # a key set was fetched at least once
        self._unknown_kid_at = -refresh_min  # monotonic time of the last kid-driven fetch
        self._lock = asyncio.Lock()

    async def watch(self) -> None:
        """Fetch the key set now and then periodically, until cancelled."""
        while True:
            await self.refresh()
            await asyncio.sleep(self._cache if self.fetched else RETRY_PERIOD)

    async def learn(self, kid: str) -> None:
        """A token names ``kid``: fetch the key set if it is new and the last such fetch is
        ``SIGNALING_OIDC_REFRESH_MIN`` old."""
        if kid in self.keys:
            return
        now = time.monotonic()
        if now - self._unknown_kid_at < self._refresh_min:
            return
        self._unknown_kid_at = now
        log.info("a token names an unknown signing key: fetching the key set of %s", self.issuer)
        await self.refresh()

    async def refresh(self) -> None:
        """Fetch discovery and the key set; on failure log why and keep what is known."""
        async with self._lock:
            try:
                keys = await asyncio.to_thread(self._fetch)
            except (OSError, ValueError, jwt.PyJWTError) as exc:
                log.warning(
                    "cannot fetch the signing keys of %s (%s); %s",
                    self.issuer,
                    exc,
                    "keeping the known ones" if self.fetched else "bearer tokens fail until then",
                )
                return
            if set(keys) != set(self.keys):
                log.info("signing keys of %s: %s", self.issuer, ", ".join(sorted(keys)))
            self.keys, self.fetched = keys, True

    def _fetch(self) -> dict[str, jwt.PyJWK]:
        discovery = _get_json(f"{self.issuer}/.well-known/openid-configuration")
        if discovery.get("issuer", "").rstrip("/") != self.issuer:
            raise ValueError(f"discovery names the issuer {discovery.get('issuer')!r}")
        jwks_uri = discovery.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise ValueError("discovery has no jwks_uri")
        key_set = jwt.PyJWKSet.from_dict(_get_json(jwks_uri))
        return {
            key.key_id: key
            for key in key_set.keys
            if key.key_id and key.public_key_use in (None, "sig")
        }


def _get_json(url: str) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an HTTP URL: {url!r}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
        body = response.read(MAX_DOCUMENT + 1)
    if len(body) > MAX_DOCUMENT:
        raise ValueError(f"{url} is larger than {MAX_DOCUMENT} bytes")
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError(f"{url} is not a JSON object")
    return data
