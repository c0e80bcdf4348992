"""Configuration: file choice, precedence, validation messages, token checks, log redaction."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from support import without_config_environment

from bot.config import (
    Config,
    ConfigError,
    check_database_path,
    load_config,
    masked,
    require_token,
)
from bot.config_sources import SECTIONS
from bot.deadlines import Rule
from bot.logs import TokenRedactingFilter, configure_logging
from bot.models import GuildDefaults

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
OTHER_TOKEN = "OTg3NjU0MzIxMDk4NzY1NDMy.XyZwVu.ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210"

DEFAULT_SETTINGS = {
    "discord.token": "(not set)",
    "discord.api_base_url": "(not set)",
    "discord.gateway_url": "(not set)",
    "discord.sync_guild_ids": "(none)",
    "discord.alerts_per_message": "5",
    "database.path": "data/deadlines.sqlite3",
    "defaults.timezone": "America/New_York",
    "defaults.alert_time": "09:00",
    "defaults.reminder_days": "7, 3, 1",
    "defaults.calendar": "US",
    "defaults.counting": "calendar",
    "defaults.close_of_business": "17:00",
    "defaults.repeat_grace_days": "1",
    "logging.level": "INFO",
    "logging.format": "text",
    "web.enabled": "false",
    "web.host": "127.0.0.1",
    "web.port": "8080",
    "web.public_url": "(not set)",
    "web.client_timeout": "10",
    "web.max_connections": "100",
    "retention.closed_days": "0",
}


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder with no BOT_* or DISCORD_TOKEN variables from the outside."""
    without_config_environment(tmp_path, monkeypatch)
    return tmp_path


def setenv(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- sources and precedence -------------------------------------------------------------------


def test_defaults_without_a_file() -> None:
    config = load_config()
    assert config.config_file is None
    assert config.discord.token.get_secret_value() == ""
    assert config.discord.sync_guild_ids == []
    assert config.database.path == Path("data/deadlines.sqlite3")
    assert config.defaults.timezone == "America/New_York"
    assert config.defaults.alert_time == dt.time(9, 0)
    assert config.defaults.reminder_days == (7, 3, 1)
    assert config.defaults.calendar == "US"
    assert config.defaults.counting is Rule.CALENDAR
    assert config.logging.level == "INFO"
    assert config.logging.format == "text"
    assert config.guild_defaults() == GuildDefaults()
    assert config.effective_settings() == DEFAULT_SETTINGS


def test_the_example_file_holds_exactly_the_defaults() -> None:
    config = load_config(ROOT / "config.example.toml")
    assert config.effective_settings() == DEFAULT_SETTINGS


def test_values_from_the_file_are_validated_and_normalized(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bot.toml",
        f"""
[discord]
token = "{TOKEN}\\n"
api_base_url = "http://127.0.0.1:8080/api/v10"
gateway_url = "ws://127.0.0.1:8080/gateway"
sync_guild_ids = [111111111111111111, 222222222222222222]

[database]
path = "/srv/desk/deadlines.sqlite3"

[defaults]
timezone = "Europe/Berlin"
alert_time = "8:30"
reminder_days = [1, 14, 3, 14]
calendar = "us-ca"
counting = "Business"

[logging]
level = "debug"
format = "JSON"
""",
    )
    config = load_config(path)
    assert config.config_file == path
    assert config.discord.token.get_secret_value() == TOKEN  # the newline is stripped
    assert config.discord.api_base_url == "http://127.0.0.1:8080/api/v10"
    assert config.discord.gateway_url == "ws://127.0.0.1:8080/gateway"
    assert config.discord.sync_guild_ids == [111111111111111111, 222222222222222222]
    assert config.database.path == Path("/srv/desk/deadlines.sqlite3")
    assert config.guild_defaults() == GuildDefaults(
        timezone="Europe/Berlin",
        alert_time=dt.time(8, 30),
        reminder_days=(14, 3, 1),
        calendar="US-CA",
        counting=Rule.BUSINESS,
    )
    assert config.logging.level == "DEBUG"
    assert config.logging.format == "json"


def test_toml_local_time_is_accepted_for_alert_time(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[defaults]\nalert_time = 07:45:00\n")
    assert load_config(path).defaults.alert_time == dt.time(7, 45)


def test_environment_overrides_the_file_key_by_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path / "c.toml",
        '[database]\npath = "file.sqlite3"\n'
        '[defaults]\ntimezone = "Europe/Berlin"\nreminder_days = [9]\n',
    )
    setenv(
        monkeypatch,
        BOT_DATABASE__PATH="/data/x.sqlite3",
        BOT_DEFAULTS__REMINDER_DAYS="[5,2]",
        BOT_DISCORD__SYNC_GUILD_IDS="[1,2]",
    )
    config = load_config(path)
    assert config.database.path == Path("/data/x.sqlite3")
    assert config.defaults.reminder_days == (5, 2)
    assert config.discord.sync_guild_ids == [1, 2]
    # Keys the environment does not name keep the file's values.
    assert config.defaults.timezone == "Europe/Berlin"


@pytest.mark.parametrize("value", ["[5,2]", "5,2", "2, 5", "5 2"])
def test_lists_from_the_environment_as_json_or_plain(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_DEFAULTS__REMINDER_DAYS", value)
    config = load_config()
    assert config.defaults.reminder_days == (5, 2)


def test_environment_names_are_case_insensitive_and_empty_means_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setenv(monkeypatch, bot_defaults__timezone="UTC", BOT_DATABASE__PATH="")
    config = load_config()
    assert config.defaults.timezone == "UTC"
    assert config.database.path == Path("data/deadlines.sqlite3")


def test_discord_token_variable_wins_over_file_and_bot_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "c.toml", '[discord]\ntoken = "from-the-file"\n')
    assert load_config(path).discord.token.get_secret_value() == "from-the-file"
    monkeypatch.setenv("BOT_DISCORD__TOKEN", OTHER_TOKEN)
    assert load_config(path).discord.token.get_secret_value() == OTHER_TOKEN
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    assert load_config(path).discord.token.get_secret_value() == TOKEN
    # Blank is unset: the file's token stays.
    monkeypatch.delenv("BOT_DISCORD__TOKEN")
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    assert load_config(path).discord.token.get_secret_value() == "from-the-file"


def test_os_environ_is_read_at_each_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_DEFAULTS__TIMEZONE", "Asia/Tokyo")
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    config = load_config()
    assert config.defaults.timezone == "Asia/Tokyo"
    assert require_token(config) == TOKEN
    # Nothing is cached: without the variables, the defaults are back.
    monkeypatch.delenv("BOT_DEFAULTS__TIMEZONE")
    monkeypatch.delenv("DISCORD_TOKEN")
    assert load_config().defaults.timezone == "America/New_York"
    assert load_config().discord.token.get_secret_value() == ""


def test_init_kwargs_are_file_values_under_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setenv(
        monkeypatch,
        BOT_DEFAULTS__TIMEZONE="Asia/Tokyo",
        BOT_DEFAULTS__CALENDAR="US-NY",
        DISCORD_TOKEN=TOKEN,
    )
    tables = {"defaults": {"timezone": "UTC", "counting": "business"}, "discord": {"token": "x"}}
    config = Config(**tables)  # type: ignore[arg-type]
    assert config.defaults.timezone == "Asia/Tokyo"  # the environment wins
    assert config.defaults.calendar == "US-NY"
    assert config.defaults.counting is Rule.BUSINESS  # merged key by key with the environment
    assert config.discord.token.get_secret_value() == TOKEN
    # Exactly what load_config makes of a file holding those tables.
    path = write(
        tmp_path / "c.toml",
        '[defaults]\ntimezone = "UTC"\ncounting = "business"\n[discord]\ntoken = "x"\n',
    )
    assert load_config(path).model_dump() == config.model_dump()


def test_bot_config_variable_picks_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "elsewhere.toml", '[defaults]\ntimezone = "Europe/Paris"\n')
    monkeypatch.setenv("BOT_CONFIG", str(path))
    config = load_config()
    assert config.config_file == path
    assert config.defaults.timezone == "Europe/Paris"


def test_config_toml_in_the_working_directory_is_used(tmp_path: Path) -> None:
    write(tmp_path / "config.toml", '[defaults]\ntimezone = "Europe/Rome"\n')
    config = load_config()
    assert config.config_file == Path("config.toml")
    assert config.defaults.timezone == "Europe/Rome"


def test_explicit_path_beats_bot_config_which_beats_config_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "config.toml", '[defaults]\ntimezone = "Europe/Rome"\n')
    env_file = write(tmp_path / "env.toml", '[defaults]\ntimezone = "Europe/Paris"\n')
    arg_file = write(tmp_path / "arg.toml", '[defaults]\ntimezone = "Europe/Oslo"\n')
    monkeypatch.setenv("BOT_CONFIG", str(env_file))
    assert load_config().defaults.timezone == "Europe/Paris"
    assert load_config(arg_file).defaults.timezone == "Europe/Oslo"


def test_a_named_file_that_does_not_exist_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.toml"
    assert config_error(missing) == f"config file not found: {missing}"
    assert "is a folder" in config_error(tmp_path)
    monkeypatch.setenv("BOT_CONFIG", str(missing))
    message = config_error()
    assert message == f"config file not found: {missing} (from BOT_CONFIG)"


def test_results_compare_equal_and_are_frozen() -> None:
    config = load_config()
    assert config == load_config()
    with pytest.raises(ValidationError):
        config.defaults.timezone = "UTC"


# --- validation errors ------------------------------------------------------------------------


def test_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[defaults]\ntimzone = "UTC"\n')
    message = config_error(path)
    assert message.startswith("defaults.timzone: unknown key")
    assert "timezone" in message  # the keys that do exist are listed


def test_unknown_section_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[dicsord]\ntoken = "x"\n')
    message = config_error(path)
    assert message.startswith("dicsord: unknown section")
    assert "discord" in message


@pytest.mark.parametrize("toml", ['_env_prefix = "X_"', '_secrets_dir = "/"', "[_foo]\nx = 1"])
def test_top_level_names_with_an_underscore_are_unknown_sections(tmp_path: Path, toml: str) -> None:
    # BaseSettings would otherwise take `_env_prefix` and its kin as options for itself.
    message = config_error(write(tmp_path / "c.toml", toml + "\n"))
    assert re.match(r"^_\w+: unknown section \(the sections are: discord, database, ", message)


@pytest.mark.parametrize(
    ("variable", "meant"),
    [
        ("BOT_DEFAULT__TIMEZONE", "BOT_DEFAULTS__TIMEZONE (defaults.timezone)"),
        ("bot_default__timezone", "BOT_DEFAULTS__TIMEZONE (defaults.timezone)"),
        ("BOT_DEFALTS__TIMZONE", "BOT_DEFAULTS__TIMEZONE (defaults.timezone)"),
        ("BOT_DATABASE_PATH", "BOT_DATABASE__PATH (database.path)"),
        ("BOT_DICSORD__TOKEN", "BOT_DISCORD__TOKEN (discord.token)"),
        ("BOT_DEFAULT", "BOT_DEFAULTS"),
    ],
)
def test_a_variable_naming_no_section_is_ignored_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, variable: str, meant: str
) -> None:
    monkeypatch.setenv(variable, "Asia/Tokyo")
    config = load_config()
    assert config.defaults.timezone == "America/New_York"  # ignored, as before
    assert config.warnings == (
        f"{variable} is not a setting, so it is ignored: did you mean {meant}?",
    )


def test_no_warning_for_settings_or_for_empty_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    setenv(monkeypatch, BOT_DEFAULTS__TIMEZONE="Asia/Tokyo", BOT_CONFIG="", BOT_DEFALT__X="")
    monkeypatch.setenv("BOT_WEB", '{"port": 9000}')
    config = load_config()
    assert (config.defaults.timezone, config.web.port) == ("Asia/Tokyo", 9000)
    assert config.warnings == ()


def test_a_variable_like_no_setting_says_how_settings_are_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_NAME", "Deadline Desk")
    assert load_config().warnings == (
        "BOT_NAME is not a setting, so it is ignored: settings are BOT_SECTION__KEY, for "
        "example BOT_DATABASE__PATH",
    )


def test_the_sections_known_without_pydantic_are_the_configs() -> None:
    assert tuple(Config.model_fields) == SECTIONS


def test_unknown_key_from_the_environment_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_DEFAULTS__TIMZONE", "UTC")
    message = config_error()
    assert message.startswith("defaults.timzone (from BOT_DEFAULTS__TIMZONE): unknown key")


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[defaults]\ntimezone = "Mars/Base"',
            "defaults.timezone: unknown time zone 'Mars/Base' (for example: America/New_York)",
        ),
        (
            '[defaults]\ntimezone = "localtime"',
            "defaults.timezone: unknown time zone 'localtime' (for example: America/New_York)",
        ),
        ('[defaults]\ntimezone = "right/UTC"', "defaults.timezone: unknown time zone"),
        (
            '[defaults]\nalert_time = "25:00"',
            "defaults.alert_time: '25:00' is not a time of day as HH:MM",
        ),
        ("[defaults]\nalert_time = 900", "defaults.alert_time: must be a time of day as HH:MM"),
        (
            "[defaults]\nreminder_days = [0]",
            "defaults.reminder_days: each reminder is 1 to 365 days before the due date, got 0",
        ),
        ("[defaults]\nreminder_days = [366]", "defaults.reminder_days: each reminder is 1 to 365"),
        (
            f"[defaults]\nreminder_days = {list(range(1, 12))}",
            "defaults.reminder_days: at most 10 reminders, got 11",
        ),
        (
            '[defaults]\nreminder_days = ["7"]',
            "defaults.reminder_days[0]: input should be a valid integer",
        ),
        ('[defaults]\ncalendar = "UK"', "defaults.calendar: unknown holiday calendar 'UK'"),
        ('[defaults]\ncounting = "weekly"', "defaults.counting: unknown counting rule 'weekly'"),
        ("[defaults]\ntimezone = 5", "defaults.timezone: input should be a valid string, got 5"),
        ('[logging]\nlevel = "LOUD"', "logging.level: unknown log level 'LOUD'"),
        ('[logging]\nformat = "xml"', "logging.format: unknown log format 'xml'"),
        ('[database]\npath = ""', "database.path: must be a file path"),
        ('[discord]\napi_base_url = "discord.com"', "discord.api_base_url: must start with http"),
        ('[discord]\ngateway_url = "https://x"', "discord.gateway_url: must start with ws"),
        ("[discord]\nsync_guild_ids = [0]", "discord.sync_guild_ids: guild ids are positive"),
        ("defaults = 5", "defaults: must be a table such as [defaults]"),
    ],
)
def test_bad_values_name_the_key_and_give_an_example(
    tmp_path: Path, toml: str, expected: str
) -> None:
    message = config_error(write(tmp_path / "c.toml", toml + "\n"))
    assert message.startswith(expected)
    assert "for example: " in message or "table such as" in message


def test_a_bad_value_from_the_environment_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "c.toml", '[defaults]\ntimezone = "UTC"\n')
    monkeypatch.setenv("BOT_DEFAULTS__TIMEZONE", "Mars/Base")
    message = config_error(path)
    assert message == (
        "defaults.timezone (from BOT_DEFAULTS__TIMEZONE): unknown time zone 'Mars/Base' "
        "(for example: America/New_York)"
    )
    monkeypatch.delenv("BOT_DEFAULTS__TIMEZONE")
    monkeypatch.setenv("BOT_DEFAULTS__REMINDER_DAYS", "7,x")
    assert config_error().startswith(
        "defaults.reminder_days (from BOT_DEFAULTS__REMINDER_DAYS): '7,x' is not a list"
    )


def test_a_whole_section_variable_that_is_not_json_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_DEFAULTS", "{timezone: UTC")
    message = config_error()
    assert message.startswith("BOT_DEFAULTS: not a valid JSON object")


def test_several_problems_report_the_first_and_count_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[defaults]\ntimezone = "Mars/Base"\ncalendar = "UK"\n')
    message = config_error(path)
    assert message.startswith("defaults.timezone: unknown time zone")
    assert message.endswith("(and 1 more problem)")


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[defaults]\ncalendar = "US"\ntimezone = UTC\n')
    message = config_error(path)
    assert message.startswith(f"{path}: invalid TOML: ")
    assert "line 3" in message


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b'[defaults]\ntimezone = "\xff"\n')
    assert config_error(path) == f"{path}: not UTF-8 text, as TOML requires"


def test_errors_never_echo_the_token(tmp_path: Path) -> None:
    # A token of the wrong type is an error; the message must not quote the value.
    path = write(tmp_path / "c.toml", f'[discord]\ntoken = ["{TOKEN}"]\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith("discord.token: input should be a valid string")
    assert "MTIzNDU2" not in message
    # Nor would a traceback: pydantic's own error, which quotes the input, is not chained.
    # (pydantic shortens long inputs, so look for a piece of the token, not all of it.)
    assert TOKEN[:12] not in "".join(traceback.format_exception(caught.value))


# --- token ------------------------------------------------------------------------------------


def test_require_token_returns_a_well_formed_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", f" {TOKEN}\n")
    assert require_token(load_config()) == TOKEN


def test_require_token_without_a_token() -> None:
    with pytest.raises(ConfigError) as caught:
        require_token(load_config())
    assert str(caught.value) == (
        "no Discord token: set DISCORD_TOKEN (or [discord] token in the config file)"
    )


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        f"Bot {TOKEN}",
        f'"{TOKEN}"',
        "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe",  # two parts
        "MTIzNDU2Nzg5MDEyMzQ1Njc4..abcdefghijklmnopqrstuvwxyz",  # empty middle
        "abc.defg.hij",  # parts too short
        "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrst+/==",  # base64, not base64url
    ],
)
def test_require_token_rejects_malformed_tokens(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", token)
    with pytest.raises(ConfigError) as caught:
        require_token(load_config())
    assert str(caught.value) == (
        "the Discord token is malformed: expected three dot-separated parts, "
        "as copied from the Developer Portal's Bot page"
    )


def test_masked_shows_four_characters_at_each_end() -> None:
    assert masked(TOKEN) == "MTIz…89AB"
    assert masked(SecretStr(TOKEN)) == "MTIz…89AB"
    assert masked("abcdefghijklmnopqrstuvwxyz") == "abcd…wxyz"
    assert masked("") == "(not set)"
    assert masked("   ") == "(not set)"
    # Too short to hide most of it: show nothing of it.
    assert masked("short-secret") == "****"


def test_effective_settings_list_every_key_with_the_token_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    config = load_config()
    shown = config.effective_settings()
    assert shown["discord.token"] == "MTIz…89AB"
    assert TOKEN not in "".join(shown.values())
    expected_keys = {
        f"{name}.{key}"
        for name, field in Config.model_fields.items()
        for key in field.annotation.model_fields  # type: ignore[union-attr]
    }
    assert set(shown) == expected_keys
    assert TOKEN not in repr(config)
    assert TOKEN not in str(config.model_dump())


# --- database path ----------------------------------------------------------------------------


def test_check_database_path_leaves_nothing_behind(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "data" / "deadlines.sqlite3"
    check_database_path(db)
    assert list(tmp_path.iterdir()) == []  # no folder made (the bot makes it), no scratch left
    (tmp_path / "nested").mkdir()
    check_database_path(db)
    assert list(tmp_path.rglob("*")) == [tmp_path / "nested"]
    db.parent.mkdir()
    check_database_path(db)
    assert list(db.parent.iterdir()) == []  # the scratch file is gone, no database yet


def test_check_database_path_under_a_file_further_up_is_an_error(tmp_path: Path) -> None:
    blocker = write(tmp_path / "afile", "not a folder")
    with pytest.raises(ConfigError) as caught:
        check_database_path(blocker / "data" / "db.sqlite3")
    assert str(caught.value).startswith(
        f"database.path: cannot create the folder {blocker / 'data'} for "
        f"{blocker / 'data' / 'db.sqlite3'}: {blocker} is a file, not a folder"
    )


def test_check_database_path_accepts_an_existing_database(tmp_path: Path) -> None:
    db = tmp_path / "deadlines.sqlite3"
    db.write_bytes(b"SQLite format 3\x00")
    check_database_path(str(db))
    assert db.read_bytes() == b"SQLite format 3\x00"


def test_check_database_path_under_a_regular_file_is_an_error(tmp_path: Path) -> None:
    blocker = write(tmp_path / "afile", "not a folder")
    with pytest.raises(ConfigError) as caught:
        check_database_path(blocker / "db.sqlite3")
    message = str(caught.value)
    assert message.startswith(f"database.path: cannot create the folder {blocker}")
    assert "\n" not in message


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_check_database_path_in_a_folder_that_takes_no_files() -> None:
    # /proc/self exists but refuses new files even to root: only the write probe notices.
    with pytest.raises(ConfigError) as caught:
        check_database_path("/proc/self/deadlines.sqlite3")
    assert str(caught.value).startswith(
        "database.path: cannot create files in the folder /proc/self: "
    )


def test_check_database_path_that_is_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^database\.path: .* is a folder"):
        check_database_path(tmp_path)


# --- logging ----------------------------------------------------------------------------------


@pytest.fixture
def restore_root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("restore_root_logger")
def test_text_logs_redact_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    configure_logging(load_config(), stream=stream)
    log = logging.getLogger("deadline_desk.test")
    log.info("connecting with %s", TOKEN)
    log.warning(f"header was Bot {TOKEN}")
    log.debug("below the level: %s", TOKEN)
    try:
        raise RuntimeError(f"login failed for {TOKEN}")
    except RuntimeError:
        log.exception("gateway error")
    output = stream.getvalue()
    assert TOKEN not in output
    lines = output.splitlines()
    assert re.match(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO deadline_desk\.test: connecting with "
        r"MTIz…89AB$",
        lines[0],
    )
    assert lines[1].endswith("WARNING deadline_desk.test: header was Bot MTIz…89AB")
    assert "below the level" not in output
    assert "RuntimeError: login failed for MTIz…89AB" in output


@pytest.mark.usefixtures("restore_root_logger")
def test_json_logs_are_one_object_per_line_with_extras_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    setenv(monkeypatch, DISCORD_TOKEN=TOKEN, BOT_LOGGING__FORMAT="json", BOT_LOGGING__LEVEL="debug")
    configure_logging(load_config(), stream=stream)
    log = logging.getLogger("deadline_desk.json")
    log.debug("alert sent", extra={"guild_id": 42, "url": f"https://x/?t={TOKEN}"})
    log.info("plain %d", 7)
    output = stream.getvalue()
    assert TOKEN not in output
    first, second = (json.loads(line) for line in output.splitlines())
    assert first == {
        "time": first["time"],
        "level": "DEBUG",
        "logger": "deadline_desk.json",
        "message": "alert sent",
        "guild_id": 42,
        "url": "https://x/?t=MTIz…89AB",
    }
    assert first["time"].endswith("Z")
    stamp = dt.datetime.fromisoformat(first["time"].replace("Z", "+00:00"))
    assert abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(minutes=1)
    assert second["message"] == "plain 7"


def test_configure_logging_replaces_its_own_handler_only(
    restore_root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = restore_root_logger
    before = list(root.handlers)
    monkeypatch.setenv("BOT_LOGGING__LEVEL", "WARNING")
    config = load_config()
    first = configure_logging(config, stream=io.StringIO())
    second = configure_logging(config, stream=io.StringIO())
    assert first not in root.handlers
    assert root.handlers == [*before, second]
    assert root.level == logging.WARNING


def test_redacting_filter_on_any_handler() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", (TOKEN,), None)
    assert TokenRedactingFilter(SecretStr(TOKEN)).filter(record) is True
    assert record.getMessage() == "token=MTIz…89AB"
    # No token configured: records pass untouched.
    untouched = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", (TOKEN,), None)
    TokenRedactingFilter("").filter(untouched)
    assert untouched.args == (TOKEN,)


@pytest.mark.parametrize("value", ["0", "6", '"five"'])
def test_alerts_per_message_is_one_to_five(tmp_path: Path, value: str) -> None:
    message = config_error(write(tmp_path / "c.toml", f"[discord]\nalerts_per_message = {value}\n"))
    assert message.startswith("discord.alerts_per_message: ")
    assert "1 for a message per deadline" in message


def test_alerts_per_message_one_turns_grouping_off(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "c.toml", "[discord]\nalerts_per_message = 1\n"))
    assert config.discord.alerts_per_message == 1
