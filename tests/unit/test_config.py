"""signaling.config.load_settings: defaults, env, TOML file, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signaling.config import ConfigError, Settings, load_settings


def _toml(tmp_path: Path, text: str) -> str:
    path = tmp_path / "signaling.toml"
    path.write_text(text)
    return str(path)


def test_defaults_without_env() -> None:
    settings = load_settings({})
    assert settings == Settings()
    assert settings.port == 11311
    assert settings.host == "127.0.0.1"
    assert settings.redis_url is None
    assert settings.embedded
    assert settings.workers == 1
    assert settings.cors_origins == []
    assert settings.ticket_ttl == 30.0


def test_unrelated_env_vars_are_ignored() -> None:
    assert load_settings({"PORT": "1", "SIGNALING_NOT_A_SETTING": "x"}) == Settings()


def test_env_strings_become_numbers() -> None:
    settings = load_settings(
        {
            "SIGNALING_PORT": "8080",
            "SIGNALING_TICKET_TTL": "2.5",
            "SIGNALING_PARTICIPANT_LIMIT": "12",
            "SIGNALING_HOST": "0.0.0.0",
        }
    )
    assert settings.port == 8080 and isinstance(settings.port, int)
    assert settings.ticket_ttl == 2.5
    assert settings.participant_limit == 12
    assert settings.host == "0.0.0.0"


def test_env_comma_lists() -> None:
    settings = load_settings(
        {
            "SIGNALING_CORS_ORIGINS": " https://a.example , https://b.example,,",
            "SIGNALING_DISABLED_MODULES": "polls",
            "SIGNALING_WEBSOCKET_ORIGINS": "",
        }
    )
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.disabled_modules == ["polls"]
    assert settings.websocket_origins == []


def test_empty_optional_string_is_none() -> None:
    assert load_settings({"SIGNALING_REDIS_URL": ""}).redis_url is None


def test_redis_url_from_env_leaves_embedded_mode() -> None:
    settings = load_settings({"SIGNALING_REDIS_URL": "redis://localhost:6380/0"})
    assert settings.redis_url == "redis://localhost:6380/0"
    assert not settings.embedded


def test_toml_file_with_env_winning(tmp_path: Path) -> None:
    path = _toml(
        tmp_path,
        'host = "0.0.0.0"\nport = 9000\ncors_origins = ["https://x.example"]\nticket_ttl = 5\n',
    )
    settings = load_settings({"SIGNALING_CONFIG": path, "SIGNALING_PORT": "9001"})
    assert settings.host == "0.0.0.0"
    assert settings.port == 9001
    assert settings.cors_origins == ["https://x.example"]
    assert settings.ticket_ttl == 5.0


def test_overrides_win_over_env_and_none_overrides_are_ignored(tmp_path: Path) -> None:
    path = _toml(tmp_path, "port = 9000\n")
    settings = load_settings(
        {"SIGNALING_CONFIG": path, "SIGNALING_PORT": "9001", "SIGNALING_HOST": "::1"},
        overrides={"port": 9002, "host": None},
    )
    assert settings.port == 9002
    assert settings.host == "::1"


def test_unknown_toml_key(tmp_path: Path) -> None:
    path = _toml(tmp_path, "port = 9000\nprot = 1\n")
    with pytest.raises(ConfigError, match="prot"):
        load_settings({"SIGNALING_CONFIG": path})


def test_unreadable_or_broken_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SIGNALING_CONFIG"):
        load_settings({"SIGNALING_CONFIG": str(tmp_path / "missing.toml")})
    broken = _toml(tmp_path, "port = = 1\n")
    with pytest.raises(ConfigError, match="SIGNALING_CONFIG"):
        load_settings({"SIGNALING_CONFIG": broken})


def test_bad_toml_value_names_the_variable(tmp_path: Path) -> None:
    path = _toml(tmp_path, 'port = "not a number"\n')
    with pytest.raises(ConfigError, match="SIGNALING_PORT"):
        load_settings({"SIGNALING_CONFIG": path})


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SIGNALING_PORT": "0"}, "SIGNALING_PORT"),
        ({"SIGNALING_PORT": "65536"}, "SIGNALING_PORT"),
        ({"SIGNALING_PORT": "eighty"}, "SIGNALING_PORT"),
        ({"SIGNALING_TICKET_TTL": "-1"}, "SIGNALING_TICKET_TTL"),
        ({"SIGNALING_TICKET_TTL": "0"}, "SIGNALING_TICKET_TTL"),
        ({"SIGNALING_HEARTBEAT_INTERVAL": "-0.5"}, "SIGNALING_HEARTBEAT_INTERVAL"),
        ({"SIGNALING_ROOM_GRACE_PERIOD": "-1"}, "SIGNALING_ROOM_GRACE_PERIOD"),
        ({"SIGNALING_PARTICIPANT_LIMIT": "-3"}, "SIGNALING_PARTICIPANT_LIMIT"),
        ({"SIGNALING_EARLY_JOIN": "-1"}, "SIGNALING_EARLY_JOIN"),
        ({"SIGNALING_RESUMPTION_TTL": "soon"}, "SIGNALING_RESUMPTION_TTL"),
        ({"SIGNALING_PARTICIPANT_LIMIT": "1.5"}, "SIGNALING_PARTICIPANT_LIMIT"),
        ({"SIGNALING_WORKERS": "0"}, "SIGNALING_WORKERS"),
        ({"SIGNALING_WORKERS": "2"}, "SIGNALING_WORKERS"),
        ({"SIGNALING_WORKERS": "2"}, "SIGNALING_REDIS_URL"),
        ({"SIGNALING_MAX_MESSAGE_SIZE": "100"}, "SIGNALING_MAX_MESSAGE_SIZE"),
        (
            {"SIGNALING_REDIS_URL": "redis://r:6379", "SIGNALING_REDIS_CLUSTER_NODES": "r:7000"},
            "SIGNALING_REDIS_CLUSTER_NODES",
        ),
        ({"SIGNALING_REDIS_CLUSTER_NODES": "r:7000,r"}, "SIGNALING_REDIS_CLUSTER_NODES"),
        ({"SIGNALING_REDIS_CLUSTER_NODES": "r:70000"}, "SIGNALING_REDIS_CLUSTER_NODES"),
        ({"SIGNALING_JWT_SECRET": "s", "SIGNALING_JWKS_FILE": "k.json"}, "SIGNALING_JWKS_FILE"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    assert variable in str(info.value)


def test_workers_with_redis_are_fine() -> None:
    settings = load_settings({"SIGNALING_WORKERS": "4", "SIGNALING_REDIS_URL": "redis://r:6379"})
    assert settings.workers == 4


def test_a_cluster_is_a_shared_backend_for_workers() -> None:
    env = {"SIGNALING_WORKERS": "2", "SIGNALING_REDIS_CLUSTER_NODES": "10.0.0.1:7000, r2:7001"}
    settings = load_settings(env)
    assert settings.redis_cluster_nodes == ["10.0.0.1:7000", "r2:7001"]
    assert not settings.embedded


def test_zero_is_allowed_where_non_negative() -> None:
    settings = load_settings(
        {
            "SIGNALING_ROOM_GRACE_PERIOD": "0",
            "SIGNALING_TIME_LIMIT": "0",
            "SIGNALING_EARLY_JOIN": "0",
        }
    )
    assert settings.room_grace_period == 0
    assert settings.time_limit == 0
    assert settings.early_join == 0
    assert load_settings({}).early_join == 600


@given(port=st.integers(-100_000, 200_000))
def test_port_range_property(port: int) -> None:
    env = {"SIGNALING_PORT": str(port)}
    if 0 < port < 65536:
        assert load_settings(env).port == port
    else:
        with pytest.raises(ConfigError, match="SIGNALING_PORT"):
            load_settings(env)


@given(
    origins=st.lists(
        st.text(st.characters(exclude_characters=",", exclude_categories=["Cs"]), min_size=1)
        .map(str.strip)
        .filter(bool),
        max_size=5,
    )
)
def test_comma_list_property(origins: list[str]) -> None:
    env = {"SIGNALING_CORS_ORIGINS": " , ".join(origins)}
    assert load_settings(env).cors_origins == origins


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SIGNALING_LOG_FORMAT": "xml"}, "SIGNALING_LOG_FORMAT"),
        ({"SIGNALING_OIDC_ISSUER": "https://id.example", "SIGNALING_JWT_SECRET": "s"}, "OIDC"),
        ({"SIGNALING_OIDC_CACHE": "0"}, "SIGNALING_OIDC_CACHE"),
        ({"SIGNALING_OIDC_REFRESH_MIN": "-1"}, "SIGNALING_OIDC_REFRESH_MIN"),
    ],
)
def test_operating_settings_are_checked(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings(env)


def test_operating_settings_from_env() -> None:
    settings = load_settings(
        {
            "SIGNALING_LOG_FORMAT": "json",
            "SIGNALING_METRICS_TOKEN": "t",
            "SIGNALING_OIDC_ISSUER": "https://id.example/realms/opentalk",
            "SIGNALING_OIDC_CACHE": "600",
        }
    )
    assert (settings.log_format, settings.metrics_token) == ("json", "t")
    assert settings.oidc_issuer == "https://id.example/realms/opentalk"
    assert settings.oidc_cache == 600
    assert settings.oidc_refresh_min == 60


def test_the_demo_is_on_only_with_the_embedded_dev_secret(tmp_path: Path) -> None:
    assert load_settings({}).demo_enabled
    jwks = str(tmp_path / "jwks.json")
    for real_auth in (
        {"SIGNALING_JWT_SECRET": "s"},
        {"SIGNALING_JWKS_FILE": jwks},
        {"SIGNALING_OIDC_ISSUER": "https://id.example"},
        {"SIGNALING_REDIS_URL": "redis://127.0.0.1:1/0", "SIGNALING_JWT_SECRET": "s"},
    ):
        assert not load_settings(real_auth).demo_enabled, real_auth
        with pytest.raises(ConfigError, match="SIGNALING_DEMO"):
            load_settings({**real_auth, "SIGNALING_DEMO": "true"})
    assert not load_settings({"SIGNALING_DEMO": "false"}).demo_enabled
    assert load_settings({"SIGNALING_DEMO": "1"}).demo_enabled
    assert load_settings({"SIGNALING_JWT_SECRET": ""}).demo_enabled  # empty: unset


def test_rest_rates_are_off_or_within_range() -> None:
    defaults = load_settings({})
    assert (defaults.rest_rate_read, defaults.rest_rate_write, defaults.rest_rate_start) == (
        20,
        5,
        5,
    )
    settings = load_settings({"SIGNALING_REST_RATE_READ": "0", "SIGNALING_REST_RATE_START": "0.5"})
    assert (settings.rest_rate_read, settings.rest_rate_start) == (0, 0.5)
    for group in ("READ", "WRITE", "START"):
        for bad in ("-1", "0.001", "nan", "inf", "2000000", "many"):
            with pytest.raises(ConfigError, match=f"SIGNALING_REST_RATE_{group}"):
                load_settings({f"SIGNALING_REST_RATE_{group}": bad})
