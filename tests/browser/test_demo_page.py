"""The demo page's routes over real HTTP: served with a CSP and no inline script in demo
mode, a dev token the server verifies, and nothing at all once real auth is configured."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from signaling.demo import content_security_policy
from tests.support.server import ServerProcess


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def secured() -> Iterator[ServerProcess]:
    """A server with a real JWT secret (the suite's default): no demo."""
    process = ServerProcess().start()
    yield process
    process.stop()


def test_the_page_has_a_strict_csp_and_no_inline_script(demo_server: ServerProcess) -> None:
    host = f"127.0.0.1:{demo_server.port}"
    page = httpx.get(demo_server.base_url + "/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    csp = page.headers["content-security-policy"]
    assert csp == content_security_policy(host)
    assert "default-src 'none'" in csp and "script-src 'self';" in csp
    assert f"connect-src 'self' ws://{host}/signaling wss://{host}/signaling;" in csp
    assert "unsafe" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    parser = _Tags()
    parser.feed(page.text)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [{"type": "module", "src": "/demo/app.js"}]
    handlers = [(tag, key) for tag, attrs in parser.tags for key in attrs if key.startswith("on")]
    assert handlers == []
    assert all("style" not in attrs for _, attrs in parser.tags)
    for path, media in (("/demo/app.js", "text/javascript"), ("/demo/style.css", "text/css")):
        asset = httpx.get(demo_server.base_url + path)
        assert asset.status_code == 200, path
        assert asset.headers["content-type"].startswith(media)
        assert asset.headers["content-security-policy"] == csp
    assert httpx.get(demo_server.base_url + "/demo/missing.js").json()["code"] == "not_found"


DIRECTIVES = [
    "default-src",
    "script-src",
    "style-src",
    "img-src",
    "connect-src",
    "base-uri",
    "form-action",
    "frame-ancestors",
]


@given(
    st.one_of(
        st.none(), st.text(), st.from_regex(r"[a-z0-9.\-]{1,20}(:[0-9]{1,5})?", fullmatch=True)
    )
)
def test_a_host_header_cannot_widen_the_csp(host: str | None) -> None:
    """Whatever the Host header says, the policy has the same directives, and its sockets
    are that host's ``/signaling`` or none."""
    directives = [d.split(" ") for d in content_security_policy(host).split("; ")]
    assert [d[0] for d in directives] == DIRECTIVES
    connect = dict((d[0], d[1:]) for d in directives)["connect-src"]
    assert connect in (["'self'"], ["'self'", f"ws://{host}/signaling", f"wss://{host}/signaling"])
    assert all(" " not in d and ";" not in d for d in connect)


def test_the_csp_names_the_socket_of_an_ipv6_host() -> None:
    assert "ws://[::1]:11311/signaling" in content_security_policy("[::1]:11311")
    assert "ws://" not in content_security_policy("evil.example; script-src *")


def test_the_dev_token_names_a_fresh_user_the_server_accepts(demo_server: ServerProcess) -> None:
    minted = [httpx.post(demo_server.base_url + "/demo/token", json={"name": " Alice "}).json()]
    minted.append(httpx.post(demo_server.base_url + "/demo/token", content=b"").json())
    assert minted[0]["user_id"] != minted[1]["user_id"]
    for token, name in zip(minted, ("Alice", "Demo user"), strict=True):
        assert re.fullmatch(r"demo-[0-9a-f]{16}", token["user_id"])
        me = httpx.get(
            demo_server.base_url + "/v1/users/me",
            headers={"Authorization": f"Bearer {token['token']}"},
        )
        assert me.status_code == 200
        assert (me.json()["id"], me.json()["display_name"]) == (token["user_id"], name)
    bad = httpx.post(demo_server.base_url + "/demo/token", json={"name": 5})
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_failed")
    wrong_method = httpx.put(demo_server.base_url + "/demo/token")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")


def test_with_real_auth_there_is_no_page_and_no_token(secured: ServerProcess) -> None:
    for method, path in (("GET", "/"), ("POST", "/demo/token"), ("GET", "/demo/app.js")):
        response = httpx.request(method, secured.base_url + path, json={"name": "Mallory"})
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found"
        assert "content-security-policy" not in response.headers
