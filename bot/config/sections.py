"""The sections of the configuration ([discord], [database], [defaults], [logging], [web],
[retention]):
each key's type, default and constraints, and the texts that explain a refused value."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Final, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    StrictInt,
    StringConstraints,
)
from pydantic_settings import NoDecode

from bot.config_sources import shorten, time_of_day
from bot.deadlines import Rule, holiday_calendar, iana_zone
from bot.models import GuildDefaults
from bot.notices import MAX_PER_MESSAGE

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LogFormat = Literal["text", "json"]
LOG_LEVELS: Final[tuple[str, ...]] = get_args(LogLevel)
LOG_FORMATS: Final[tuple[str, ...]] = get_args(LogFormat)
MAX_REMINDERS: Final = 10
MAX_REMINDER_DAYS: Final = 365
MAX_CLIENT_TIMEOUT: Final = 3600.0
MAX_CONNECTIONS: Final = 100_000
MAX_RETENTION_DAYS: Final = 36_500

MAX_REPEAT_GRACE_DAYS: Final = 366
_GUILD: Final = GuildDefaults()  # the [defaults] section's defaults

# Shown after every message about a key that carries no example of its own.
EXAMPLES: Final[Mapping[str, str]] = {
    "discord.token": "DISCORD_TOKEN=... in the environment",
    "discord.api_base_url": "https://discord.com/api/v10",
    "discord.gateway_url": "wss://gateway.discord.gg",
    "discord.sync_guild_ids": "[123456789012345678]",
    "discord.alerts_per_message": "5, or 1 for a message per deadline",
    "database.path": "data/deadlines.sqlite3",
    "defaults.timezone": _GUILD.timezone,
    "defaults.alert_time": "09:00",
    "defaults.reminder_days": "[7, 3, 1]",
    "defaults.calendar": "US, or US-CA for California",
    "defaults.counting": "calendar, roll, court or business",
    "logging.level": "INFO",
    "logging.format": "text or json",
    "web.enabled": "true",
    "web.host": "127.0.0.1, or 0.0.0.0 to listen on every interface (e.g. in a container)",
    "web.port": "8080",
    "web.public_url": "https://desk.example.org",
    "web.client_timeout": "10",
    "web.max_connections": "100",
    "retention.closed_days": "0 (keep forever), or 365",
}

# What a failed declarative constraint (pattern, bounds) means; the value and example follow.
_OR_EMPTY: Final = "(or be empty for the real Discord)"
PROBLEMS: Final[Mapping[str, str]] = {
    "discord.api_base_url": f"must start with http:// or https:// {_OR_EMPTY}",
    "discord.gateway_url": f"must start with ws:// or wss:// {_OR_EMPTY}",
    "discord.sync_guild_ids": "guild ids are positive numbers",
    "discord.alerts_per_message": f"must be a whole number from 1 to {MAX_PER_MESSAGE}",
    "defaults.reminder_days": f"each reminder is 1 to {MAX_REMINDER_DAYS} days before the due date",
    "web.host": "must be a host name or IP address to listen on",
    "web.port": "must be a port number from 1 to 65535 (0: any free one)",
    "web.public_url": "must be an http:// or https:// address without ? or #",
    "web.client_timeout": f"must be a number of seconds above 0, at most {MAX_CLIENT_TIMEOUT:g}",
    "web.max_connections": f"must be a whole number from 1 to {MAX_CONNECTIONS}",
    "retention.closed_days": f"must be a whole number of days from 0 to {MAX_RETENTION_DAYS}",
}
CONSTRAINT_ERRORS: Final = frozenset(
    ("string_pattern_mismatch", "greater_than", "greater_than_equal", "less_than_equal")
)


# --- what declarative constraints cannot say --------------------------------------------------
# A ValueError raised here (or by the deadline engine, whose errors are ValueErrors carrying
# their own example) becomes the message, followed by the key's example.


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _int_list(value: object) -> object:
    """Accept "[5, 2]", "5,2" or "5 2" from the environment; leave other values to pydantic.

    Fields using it are `NoDecode`: pydantic-settings would otherwise insist on JSON.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(f"{shorten(text)!r} is not a list") from None
    try:
        return [int(part) for part in re.split(r"[\s,]+", text) if part]
    except ValueError:
        raise ValueError(f"{shorten(text)!r} is not a list of whole numbers") from None


def _choice(what: str, allowed: tuple[str, ...], fold: Callable[[str], str]) -> BeforeValidator:
    """One of `allowed`, in any case and with blanks around it (which a Literal cannot say)."""

    def parse(value: object) -> object:
        if not isinstance(value, str):
            return value  # let pydantic report the wrong type
        if fold(value.strip()) not in allowed:
            raise ValueError(f"unknown {what} {shorten(value)!r}: use one of {', '.join(allowed)}")
        return fold(value.strip())

    return BeforeValidator(parse)


def _distinct_reminders(days: tuple[int, ...]) -> tuple[int, ...]:
    unique = tuple(sorted(set(days), reverse=True))
    if len(unique) > MAX_REMINDERS:
        raise ValueError(f"at most {MAX_REMINDERS} reminders, got {len(unique)}")
    return unique


def _file_path(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        raise ValueError("must be a file path, got an empty string")
    return Path(value.strip()).expanduser() if isinstance(value, str) else value


def _not_a_bool(value: object) -> object:
    if isinstance(value, bool):  # pydantic would take true as port 1
        raise ValueError(f"must be a port number, got {value}")
    return value


def _a_number(value: object) -> object:
    if isinstance(value, bool):  # pydantic would take true as 1
        raise ValueError(f"must be a number, got {str(value).lower()}")
    return value


def _trimmed(pattern: str) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, pattern=pattern)


# --- sections ---------------------------------------------------------------------------------

_SECTION_CONFIG: Final = ConfigDict(extra="forbid", frozen=True)


class DiscordSection(BaseModel):
    """[discord]: how to reach Discord. Empty URLs mean the real Discord."""

    model_config = _SECTION_CONFIG

    # Tokens pasted into files or secrets often carry a trailing newline.
    token: Annotated[SecretStr, BeforeValidator(_strip)] = SecretStr("")
    api_base_url: Annotated[str, _trimmed(r"^(https?://|$)")] = ""
    gateway_url: Annotated[str, _trimmed(r"^(wss?://|$)")] = ""
    sync_guild_ids: Annotated[
        list[Annotated[StrictInt, Field(gt=0)]],
        NoDecode,
        BeforeValidator(_int_list),
        AfterValidator(lambda ids: list(dict.fromkeys(ids))),
    ] = []
    # Deadlines one alert message may carry when their alerts come due at the same instant
    # in the same channel (a line, an embed and a row of buttons each); 1: one message each.
    alerts_per_message: Annotated[
        int, BeforeValidator(_a_number), Field(ge=1, le=MAX_PER_MESSAGE)
    ] = MAX_PER_MESSAGE


class DatabaseSection(BaseModel):
    """[database]: where the SQLite file lives (its folder is created if missing)."""

    model_config = _SECTION_CONFIG

    path: Annotated[Path, BeforeValidator(_file_path)] = Path("data/deadlines.sqlite3")


class DefaultsSection(BaseModel):
    """[defaults]: what every guild starts with until someone runs /deadline settings."""

    model_config = _SECTION_CONFIG

    timezone: Annotated[str, AfterValidator(lambda name: iana_zone(name).key)] = _GUILD.timezone
    alert_time: Annotated[dt.time, BeforeValidator(time_of_day)] = _GUILD.alert_time
    reminder_days: Annotated[
        tuple[Annotated[StrictInt, Field(ge=1, le=MAX_REMINDER_DAYS)], ...],
        NoDecode,
        BeforeValidator(_int_list),
        AfterValidator(_distinct_reminders),
    ] = _GUILD.reminder_days
    calendar: Annotated[str, AfterValidator(lambda name: holiday_calendar(name).name)] = (
        _GUILD.calendar
    )
    counting: Annotated[
        Rule, BeforeValidator(lambda v: Rule.parse(v) if isinstance(v, str | Rule) else v)
    ] = _GUILD.counting
    close_of_business: Annotated[dt.time, BeforeValidator(time_of_day)] = _GUILD.close_of_business
    # Days a repeating deadline's occurrence may be overdue before the next becomes current.
    repeat_grace_days: Annotated[
        int, BeforeValidator(_a_number), Field(ge=0, le=MAX_REPEAT_GRACE_DAYS)
    ] = _GUILD.repeat_grace_days


class LoggingSection(BaseModel):
    """[logging]: how much to log, and as text lines or JSON objects."""

    model_config = _SECTION_CONFIG

    level: Annotated[LogLevel, _choice("log level", LOG_LEVELS, str.upper)] = "INFO"
    format: Annotated[LogFormat, _choice("log format", LOG_FORMATS, str.lower)] = "text"


class WebSection(BaseModel):
    """[web]: the optional HTTP server that serves calendar feeds. Off unless enabled."""

    model_config = _SECTION_CONFIG

    enabled: bool = False
    host: Annotated[str, _trimmed(r"^[^/\s]+$")] = "127.0.0.1"
    # 0 picks a free port (for tests).
    port: Annotated[int, BeforeValidator(_not_a_bool), Field(ge=0, le=65535)] = 8080
    # Where people reach the server (e.g. behind a reverse proxy); feed URLs start with it.
    # Empty: http://host:port. Something other than slashes must follow the scheme.
    public_url: Annotated[
        str,
        _trimmed(r"^(https?://[^\s?#]*[^\s?#/][^\s?#]*)?$"),
        AfterValidator(lambda url: url.rstrip("/")),
    ] = ""
    # Seconds a client has to send a whole request (from connecting, or from its last answer)
    # and to take each part of an answer; a connection idle or that slow is closed.
    client_timeout: Annotated[
        float, BeforeValidator(_a_number), Field(gt=0, le=MAX_CLIENT_TIMEOUT)
    ] = 10.0
    # Connections open at once; one more is answered 503 and closed at once.
    max_connections: Annotated[int, BeforeValidator(_a_number), Field(ge=1, le=MAX_CONNECTIONS)] = (
        100
    )

    def base_url(self, port: int | None = None) -> str:
        """The URL feeds are reached at: public_url, else http://host:port (`port`: bound)."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port if port is None else port}"


class RetentionSection(BaseModel):
    """[retention]: how long done and cancelled deadlines are kept. 0: forever (the default)."""

    model_config = _SECTION_CONFIG

    # Days after a deadline was closed (or last edited) that the daily clean-up deletes it.
    closed_days: Annotated[int, BeforeValidator(_a_number), Field(ge=0, le=MAX_RETENTION_DAYS)] = 0
