"""The [web] section: defaults, file and environment values, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import without_config_environment

from bot.config import ConfigError, load_config


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no ./config.toml can be picked up, with no BOT_* or DISCORD_TOKEN variables."""
    without_config_environment(tmp_path, monkeypatch)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_web_is_off_by_default() -> None:
    web = load_config().web
    assert (web.enabled, web.host, web.port, web.public_url) == (False, "127.0.0.1", 8080, "")
    assert web.base_url() == "http://127.0.0.1:8080"
    assert web.base_url(port=43210) == "http://127.0.0.1:43210"


def test_web_from_the_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path / "desk.toml",
        '[web]\nenabled = true\nhost = " 0.0.0.0 "\nport = 9000\n'
        'public_url = "https://desk.example.org/feeds/"\n',
    )
    web = load_config(path).web
    assert (web.enabled, web.host, web.port) == (True, "0.0.0.0", 9000)
    assert web.public_url == "https://desk.example.org/feeds"
    assert web.base_url(port=1) == "https://desk.example.org/feeds"
    monkeypatch.setenv("BOT_WEB__ENABLED", "false")
    monkeypatch.setenv("BOT_WEB__PORT", "8181")
    monkeypatch.setenv("BOT_WEB__HOST", "::1")
    overridden = load_config(path).web
    assert (overridden.enabled, overridden.port) == (False, 8181)
    monkeypatch.delenv("BOT_WEB__ENABLED")
    monkeypatch.setenv("BOT_WEB__PORT", "81")
    overridden = load_config().web
    assert overridden.base_url() == "http://[::1]:81"


def test_client_limits_from_the_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = load_config().web
    assert (web.client_timeout, web.max_connections) == (10.0, 100)
    path = write(tmp_path / "desk.toml", "[web]\nclient_timeout = 2.5\nmax_connections = 40\n")
    web = load_config(path).web
    assert (web.client_timeout, web.max_connections) == (2.5, 40)
    monkeypatch.setenv("BOT_WEB__CLIENT_TIMEOUT", "30")
    monkeypatch.setenv("BOT_WEB__MAX_CONNECTIONS", "500")
    web = load_config(path).web
    assert (web.client_timeout, web.max_connections) == (30.0, 500)
    shown = load_config(path).effective_settings()
    assert (shown["web.client_timeout"], shown["web.max_connections"]) == ("30", "500")


def test_web_settings_are_shown_by_check_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_WEB__ENABLED", "1")
    shown = load_config().effective_settings()
    assert shown["web.enabled"] == "true"
    assert shown["web.port"] == "8080"
    assert shown["web.public_url"] == "(not set)"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[web]\nport = 70000", "web.port: must be a port number from 1 to 65535"),
        ("[web]\nport = -1", "web.port: must be a port number"),
        ("[web]\nport = true", "web.port: must be a port number, got True"),
        ('[web]\nport = "http"', "web.port: "),
        ('[web]\nhost = ""', "web.host: must be a host name or IP address"),
        ('[web]\nhost = "http://x"', "web.host: must be a host name or IP address"),
        ('[web]\npublic_url = "desk.example.org"', "web.public_url: must be an http:// or"),
        ('[web]\npublic_url = "https://"', "web.public_url: must be an http:// or"),
        ('[web]\npublic_url = "https://x.org/?a=1"', "web.public_url: must be an http:// or"),
        ('[web]\nenabled = "maybe"', "web.enabled: "),
        ("[web]\nlisten = 1", "web.listen: unknown key (the keys in [web] are: enabled, host"),
        ("[web]\nclient_timeout = 0", "web.client_timeout: must be a number of seconds above 0"),
        ("[web]\nclient_timeout = -2", "web.client_timeout: must be a number of seconds"),
        ("[web]\nclient_timeout = 3601", "web.client_timeout: must be a number of seconds"),
        ("[web]\nclient_timeout = true", "web.client_timeout: must be a number, got true"),
        ('[web]\nclient_timeout = "soon"', "web.client_timeout: "),
        ("[web]\nmax_connections = 0", "web.max_connections: must be a whole number from 1"),
        ("[web]\nmax_connections = 2.5", "web.max_connections: "),
        ("[web]\nmax_connections = false", "web.max_connections: must be a number, got false"),
    ],
)
def test_bad_web_values_are_one_line_errors(tmp_path: Path, toml: str, expected: str) -> None:
    path = write(tmp_path / "desk.toml", toml + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(expected), message
    assert "\n" not in message
    assert "for example" in message or "keys in [web]" in message
