"""Configuration: a TOML file overlaid by environment variables, validated in one place.

Sources, highest priority first: keyword arguments to `Config(...)`, the `DISCORD_TOKEN`
environment variable (for `discord.token` only), `BOT_`-prefixed environment variables with
`__` between section and key (`BOT_DATABASE__PATH=/data/d.sqlite3`), the TOML file, then the
defaults below. `load_config` picks the file: `--config`, else `$BOT_CONFIG`, else
`./config.toml` if present, else none. Relative paths (the file, `database.path`) are
relative to the working directory.

Every problem surfaces as one `ConfigError` whose message names the dotted key, says what
is wrong and gives an example. The Discord token is a `SecretStr`: it is never echoed in
errors, `masked()` shows four characters at each end, and `configure_logging` installs a
filter that redacts it from log records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TextIO

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    SecretStr,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from bot.deadlines import (
    DEFAULT_CALENDAR,
    DEFAULT_TIMEZONE,
    DeadlineError,
    Rule,
    holiday_calendar,
    zone,
)
from bot.models import GuildDefaults

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG_FILE",
    "ENV_PREFIX",
    "TOKEN_ENV",
    "Config",
    "ConfigError",
    "DatabaseSection",
    "DefaultsSection",
    "DiscordSection",
    "JsonFormatter",
    "LoggingSection",
    "TokenRedactingFilter",
    "WebSection",
    "check_database_path",
    "choose_config_file",
    "configure_logging",
    "load_config",
    "masked",
    "require_token",
]

ENV_PREFIX: Final = "BOT_"
CONFIG_ENV: Final = "BOT_CONFIG"
TOKEN_ENV: Final = "DISCORD_TOKEN"
DEFAULT_CONFIG_FILE: Final = Path("config.toml")

TEXT_LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS: Final = ("text", "json")
MAX_REMINDERS: Final = 10
MAX_REMINDER_DAYS: Final = 365

# A bot token is three base64url segments: user id, timestamp, HMAC. Permissive on lengths
# because Discord has changed them before; strict enough to catch "Bot xyz", quotes, or a
# client secret pasted by mistake.
_TOKEN_SHAPE: Final = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
# Shorter tokens are malformed anyway, and redacting a two-letter "token" would mangle every
# log line containing those letters.
_MIN_REDACTED_LENGTH: Final = 8
_MASK_KEEP: Final = 4
_HHMM: Final = re.compile(r"^(\d{1,2}):(\d{2})$")

# Shown after messages from pydantic's own checks, which carry no example of their own.
_EXAMPLES: Final[Mapping[str, str]] = {
    "discord.token": "DISCORD_TOKEN=... in the environment",
    "discord.api_base_url": "https://discord.com/api/v10",
    "discord.gateway_url": "wss://gateway.discord.gg",
    "discord.sync_guild_ids": "[123456789012345678]",
    "database.path": "data/deadlines.sqlite3",
    "defaults.timezone": DEFAULT_TIMEZONE,
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
}


class ConfigError(Exception):
    """The configuration cannot be used.

    str() is one line: the dotted key, what is wrong, and an example of what works.
    """


# --- sections ---------------------------------------------------------------------------------

_SECTION_CONFIG: Final = ConfigDict(extra="forbid", frozen=True)


class DiscordSection(BaseModel):
    """[discord]: how to reach Discord. Empty URLs mean the real Discord."""

    model_config = _SECTION_CONFIG

    token: SecretStr = SecretStr("")
    api_base_url: str = ""
    gateway_url: str = ""
    # NoDecode: pydantic-settings would otherwise insist on JSON ("[1,2]") in the environment;
    # `_int_list` accepts that and also the "1,2" people type.
    sync_guild_ids: Annotated[list[StrictInt], NoDecode] = []

    @field_validator("token", mode="before")
    @classmethod
    def _strip_token(cls, value: object) -> object:
        # Tokens pasted into files or secrets often carry a trailing newline.
        return value.strip() if isinstance(value, str) else value

    @field_validator("api_base_url", "gateway_url", mode="after")
    @classmethod
    def _check_url(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        key = f"discord.{info.field_name}"
        schemes = ("http://", "https://") if key == "discord.api_base_url" else ("ws://", "wss://")
        if value and not value.startswith(schemes):
            raise ValueError(
                f"must start with {' or '.join(schemes)} (or be empty for the real Discord), "
                f"got {_shorten(value)!r}"
                f" (for example: {_EXAMPLES[key]})"
            )
        return value

    @field_validator("sync_guild_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        return _int_list(value, example=_EXAMPLES["discord.sync_guild_ids"])

    @field_validator("sync_guild_ids", mode="after")
    @classmethod
    def _check_ids(cls, value: list[int]) -> list[int]:
        for guild_id in value:
            if guild_id <= 0:
                raise ValueError(
                    f"guild ids are positive numbers, got {guild_id} "
                    f"(for example: {_EXAMPLES['discord.sync_guild_ids']})"
                )
        return list(dict.fromkeys(value))


class DatabaseSection(BaseModel):
    """[database]: where the SQLite file lives (its folder is created if missing)."""

    model_config = _SECTION_CONFIG

    path: Path = Path("data/deadlines.sqlite3")

    @field_validator("path", mode="before")
    @classmethod
    def _check_path(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                raise ValueError(
                    f"must be a file path, got an empty string "
                    f"(for example: {_EXAMPLES['database.path']})"
                )
            return Path(value.strip()).expanduser()
        return value


class DefaultsSection(BaseModel):
    """[defaults]: what every guild starts with until someone runs /deadline settings."""

    model_config = _SECTION_CONFIG

    timezone: str = DEFAULT_TIMEZONE
    alert_time: dt.time = dt.time(9, 0)
    reminder_days: Annotated[tuple[StrictInt, ...], NoDecode] = (7, 3, 1)
    calendar: str = DEFAULT_CALENDAR
    counting: Rule = Rule.CALENDAR

    @field_validator("timezone", mode="after")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        with _engine_errors():
            zone(value)
        return value.strip()

    @field_validator("alert_time", mode="before")
    @classmethod
    def _parse_alert_time(cls, value: object) -> object:
        example = _EXAMPLES["defaults.alert_time"]
        if isinstance(value, dt.time):
            # TOML has a local-time literal (alert_time = 09:00:00); take it if it is whole minutes.
            if value.tzinfo is None and value.second == 0 and value.microsecond == 0:
                return value
            raise ValueError(
                f"must be a time of day as HH:MM, got {value} (for example: {example})"
            )
        if not isinstance(value, str):
            # pydantic would read a number as seconds after midnight: never what was meant.
            raise ValueError(
                f"must be a time of day as HH:MM, got {value!r} (for example: {example})"
            )
        match = _HHMM.match(value.strip())
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(
                f"{_shorten(value)!r} is not a time of day as HH:MM, 00:00 to 23:59 "
                f"(for example: {example})"
            )
        return dt.time(int(match[1]), int(match[2]))

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _parse_reminder_days(cls, value: object) -> object:
        return _int_list(value, example=_EXAMPLES["defaults.reminder_days"])

    @field_validator("reminder_days", mode="after")
    @classmethod
    def _check_reminder_days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        example = _EXAMPLES["defaults.reminder_days"]
        for days in value:
            if not 1 <= days <= MAX_REMINDER_DAYS:
                raise ValueError(
                    f"each reminder is 1 to {MAX_REMINDER_DAYS} days before the due date, "
                    f"got {days} (for example: {example})"
                )
        unique = tuple(sorted(set(value), reverse=True))
        if len(unique) > MAX_REMINDERS:
            raise ValueError(
                f"at most {MAX_REMINDERS} reminders, got {len(unique)} (for example: {example})"
            )
        return unique

    @field_validator("calendar", mode="after")
    @classmethod
    def _check_calendar(cls, value: str) -> str:
        with _engine_errors():
            return holiday_calendar(value).name

    @field_validator("counting", mode="before")
    @classmethod
    def _parse_counting(cls, value: object) -> object:
        if not isinstance(value, str | Rule):
            return value  # let pydantic report the wrong type
        with _engine_errors():
            return Rule.parse(value)


class LoggingSection(BaseModel):
    """[logging]: how much to log, and as text lines or JSON objects."""

    model_config = _SECTION_CONFIG

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"

    @field_validator("level", mode="before")
    @classmethod
    def _parse_level(cls, value: object) -> object:
        return _choice(value, LOG_LEVELS, str.upper, "log level", _EXAMPLES["logging.level"])

    @field_validator("format", mode="before")
    @classmethod
    def _parse_format(cls, value: object) -> object:
        return _choice(value, LOG_FORMATS, str.lower, "log format", _EXAMPLES["logging.format"])


class WebSection(BaseModel):
    """[web]: the optional HTTP server that serves calendar feeds. Off unless enabled."""

    model_config = _SECTION_CONFIG

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8080  # 0 picks a free port (for tests)
    # Where people reach the server (e.g. behind a reverse proxy); feed URLs start with it.
    # Empty: http://host:port.
    public_url: str = ""

    @field_validator("host", mode="after")
    @classmethod
    def _check_host(cls, value: str) -> str:
        value = value.strip()
        if not value or "/" in value or any(ch.isspace() for ch in value):
            raise ValueError(
                f"must be a host name or IP address to listen on, got {_shorten(value)!r} "
                f"(for example: {_EXAMPLES['web.host']})"
            )
        return value

    @field_validator("port", mode="before")
    @classmethod
    def _reject_bool_port(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError(f"must be a port number, got {value} (for example: 8080)")
        return value

    @field_validator("port", mode="after")
    @classmethod
    def _check_port(cls, value: int) -> int:
        if not 0 <= value <= 65535:
            raise ValueError(
                f"must be a port number from 1 to 65535 (0: any free one), got {value} "
                "(for example: 8080)"
            )
        return value

    @field_validator("public_url", mode="after")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        example = _EXAMPLES["web.public_url"]
        if (
            not value.startswith(("http://", "https://"))
            or any(ch.isspace() for ch in value)
            or "?" in value
            or "#" in value
            or not value.split("://", 1)[1].strip("/")
        ):
            raise ValueError(
                f"must be an http:// or https:// address without ? or #, got "
                f"{_shorten(value)!r} (for example: {example})"
            )
        return value.rstrip("/")

    def base_url(self, port: int | None = None) -> str:
        """The URL feeds are reached at: public_url, else http://host:port (`port`: bound)."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port if port is None else port}"


# --- the settings -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _LoadContext:
    toml_file: Path | None
    environ: Mapping[str, str]


# `settings_customise_sources` is a classmethod, so a file chosen at run time and an injected
# environment cannot reach it as arguments (pydantic-settings issue #259). `load_config` sets
# this for the duration of one `Config()` call; a ContextVar keeps concurrent loads apart and,
# unlike a per-call subclass, leaves every result an exact, comparable `Config`.
_LOAD_CONTEXT: ContextVar[_LoadContext | None] = ContextVar("deadline_desk_config", default=None)


class Config(BaseSettings):
    """The bot's whole configuration. Build it with `load_config`; `Config()` reads only env.

    Sections are frozen; `config_file` says which TOML file was read (None: none).
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        # An exported-but-empty variable (BOT_DATABASE__PATH=) means "not set", as in shells.
        env_ignore_empty=True,
        extra="forbid",
        frozen=True,
    )

    discord: DiscordSection = DiscordSection()
    database: DatabaseSection = DatabaseSection()
    defaults: DefaultsSection = DefaultsSection()
    logging: LoggingSection = LoggingSection()
    web: WebSection = WebSection()

    _config_file: Path | None = PrivateAttr(default=None)

    @property
    def config_file(self) -> Path | None:
        """The TOML file these settings were read from, or None."""
        return self._config_file

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Priority: init kwargs > DISCORD_TOKEN > BOT_* env > TOML file > defaults."""
        context = _LOAD_CONTEXT.get() or _LoadContext(toml_file=None, environ=os.environ)
        return (
            init_settings,
            _DiscordTokenSource(settings_cls, context.environ),
            _MappingEnvSource(settings_cls, context.environ),
            TomlConfigSettingsSource(settings_cls, toml_file=context.toml_file),
        )

    def guild_defaults(self) -> GuildDefaults:
        """The [defaults] section as the GuildDefaults every new guild starts with."""
        section = self.defaults
        return GuildDefaults(
            timezone=section.timezone,
            alert_time=section.alert_time,
            reminder_days=section.reminder_days,
            calendar=section.calendar,
            counting=section.counting,
        )

    def effective_settings(self) -> dict[str, str]:
        """Every key as "section.key" -> display text, in declaration order; the token masked."""
        shown: dict[str, str] = {}
        for section_name in type(self).model_fields:
            section = getattr(self, section_name)
            for key in type(section).model_fields:
                shown[f"{section_name}.{key}"] = _display(getattr(section, key))
        return shown


class _DiscordTokenSource(PydanticBaseSettingsSource):
    """DISCORD_TOKEN, the name every Discord tutorial uses, as `discord.token`."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self._token = environ.get(TOKEN_ENV, "").strip()

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Required by the base class; unused because __call__ returns the nested value itself.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return {"discord": {"token": self._token}} if self._token else {}


class _MappingEnvSource(EnvSettingsSource):
    """EnvSettingsSource reading a given mapping instead of os.environ (tests pass their own)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        # Set before super().__init__, which loads the variables through _load_env_vars.
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {
            (name if self.case_sensitive else name.lower()): value
            for name, value in self._environ.items()
            if not (self.env_ignore_empty and value == "")
        }


# --- loading ----------------------------------------------------------------------------------


def choose_config_file(
    path: str | Path | None = None, *, env: Mapping[str, str] | None = None
) -> Path | None:
    """The TOML file to read: `path`, else $BOT_CONFIG, else ./config.toml if it exists, else None.

    A file named explicitly (argument or BOT_CONFIG) must exist: a typo there must not
    silently fall back to defaults. Raises ConfigError.
    """
    environ = os.environ if env is None else env
    if path is not None and str(path).strip():
        return _existing_file(Path(path).expanduser(), "")
    from_env = environ.get(CONFIG_ENV, "").strip()
    if from_env:
        return _existing_file(Path(from_env).expanduser(), f" (from {CONFIG_ENV})")
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_config(path: str | Path | None = None, *, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the configuration; raises ConfigError with a one-line message.

    `path` is the --config argument; `env` replaces os.environ (for BOT_CONFIG, BOT_* and
    DISCORD_TOKEN) when given. Does not check the token or the database folder: see
    `require_token` and `check_database_path`, which only some commands need.
    """
    environ = os.environ if env is None else env
    toml_file = choose_config_file(path, env=environ)
    context = _LOAD_CONTEXT.set(_LoadContext(toml_file=toml_file, environ=environ))
    try:
        config = Config()
    except ValidationError as exc:
        # `from None`: the chained ValidationError would print the offending input, which
        # for discord.token is the secret itself.
        raise ConfigError(_describe_validation_error(exc, environ)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{toml_file}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{toml_file}: not UTF-8 text, as TOML requires") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {toml_file}: {exc.strerror or exc}") from None
    except SettingsError as exc:
        # Only the environment source decodes values: a whole section given as one variable
        # (BOT_DEFAULTS='{...') that is not JSON. Its message names our field, not the variable.
        field = re.search(r'field "([^"]+)"', str(exc))
        variable = ENV_PREFIX + (field[1].upper() if field else "...")
        raise ConfigError(
            f"{variable}: not a valid JSON object; set one key per variable instead "
            f"(for example: {ENV_PREFIX}DATABASE__PATH=data/deadlines.sqlite3)"
        ) from None
    finally:
        _LOAD_CONTEXT.reset(context)
    config._config_file = toml_file
    return config


def _existing_file(path: Path, origin: str) -> Path:
    if path.is_dir():
        raise ConfigError(f"config file {path}{origin} is a folder, not a file")
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}{origin}")
    return path


# --- checks some commands need ----------------------------------------------------------------


def require_token(config: Config) -> str:
    """The Discord token; raises ConfigError if it is missing or not shaped like a bot token."""
    token = config.discord.token.get_secret_value().strip()
    if not token:
        raise ConfigError(
            f"no Discord token: set {TOKEN_ENV} (or [discord] token in the config file)"
        )
    if not _TOKEN_SHAPE.match(token):
        raise ConfigError(
            "the Discord token is malformed: expected three dot-separated parts, "
            "as copied from the Developer Portal's Bot page"
        )
    return token


def masked(token: str | SecretStr) -> str:
    """The token with only its first and last 4 characters: "MTIz…wxyz"; "(not set)" if empty.

    A value too short to keep 4 + 4 characters and still hide most of it shows as "****".
    """
    if isinstance(token, SecretStr):
        token = token.get_secret_value()
    token = token.strip()
    if not token:
        return "(not set)"
    if len(token) < 4 * _MASK_KEEP:
        return "****"
    return f"{token[:_MASK_KEEP]}…{token[-_MASK_KEEP:]}"


def check_database_path(path: str | Path) -> None:
    """Make sure the SQLite file can be created or written; raises ConfigError.

    Really tries: creates the folder (kept, since the bot would create it anyway) and
    creates and deletes a scratch file in it, because permission bits lie (root, ACLs,
    read-only mounts).
    """
    db = Path(path)
    folder = db.parent
    if db.is_dir():
        raise ConfigError(f"database.path: {db} is a folder; name a file inside it")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"database.path: cannot create the folder {folder} for {db}: {_reason(exc)} "
            f"(for example: {_EXAMPLES['database.path']})"
        ) from None
    try:
        # SQLite also creates journal files next to the database, so the folder must be writable.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".deadline-desk-check-"):
            pass
    except OSError as exc:
        raise ConfigError(
            f"database.path: cannot create files in the folder {folder}: {_reason(exc)}"
        ) from None
    try:
        if db.exists():
            # r+b neither truncates nor changes the file; it only proves we may write it.
            with db.open("r+b"):
                pass
    except OSError as exc:
        raise ConfigError(f"database.path: cannot write to {db}: {_reason(exc)}") from None


# --- logging ----------------------------------------------------------------------------------


class TokenRedactingFilter(logging.Filter):
    """Replaces the token with its masked form in a record's message, extras and traceback.

    Installed on a handler (not a logger) so that it also sees records propagated from
    child loggers such as discord.*.
    """

    def __init__(self, token: str | SecretStr) -> None:
        super().__init__()
        secret = token.get_secret_value() if isinstance(token, SecretStr) else token
        secret = secret.strip()
        self._token = secret if len(secret) >= _MIN_REDACTED_LENGTH else ""
        self._mask = masked(secret)

    def redact(self, text: str) -> str:
        """`text` with every occurrence of the token masked."""
        return text.replace(self._token, self._mask) if self._token else text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._token:
            return True
        try:
            message = record.getMessage()
            broken = False
        except Exception:
            # A bad format string: logging would later print msg and args verbatim in its
            # error report, so flatten them here where they can still be redacted.
            message = f"{record.msg!r} % {record.args!r}"
            broken = True
        if broken or self._token in message:
            record.msg = self.redact(message)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key in _extra_keys(record):
            value = record.__dict__[key]
            if isinstance(value, str) and self._token in value:
                record.__dict__[key] = self.redact(value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, extras, exc."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _extra_keys(record):
            payload.setdefault(key, record.__dict__[key])
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra such as a datetime or an id object must not kill the line.
        return json.dumps(payload, ensure_ascii=False, default=str)


class _DeskHandler(logging.StreamHandler[TextIO]):
    """Marks the handler configure_logging installed, so a second call replaces it."""


def configure_logging(config: Config, *, stream: TextIO | None = None) -> logging.Handler:
    """Point the root logger at `stream` (default stderr) with the configured level and format.

    The handler carries a TokenRedactingFilter for the configured token. Calling again
    replaces the handler this function installed earlier and leaves other handlers alone.
    Returns the installed handler.
    """
    handler = _DeskHandler(sys.stderr if stream is None else stream)
    if config.logging.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_LOG_FORMAT))
    handler.addFilter(TokenRedactingFilter(config.discord.token))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _DeskHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(config.logging.level)
    return handler


# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRS: Final = frozenset(
    logging.LogRecord("", logging.INFO, "", 0, "", None, None).__dict__
) | {"message", "asctime", "taskName"}


def _extra_keys(record: logging.LogRecord) -> list[str]:
    return [key for key in record.__dict__ if key not in _RECORD_ATTRS]


# --- helpers ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _engine_errors() -> Iterator[None]:
    """Turn the deadline engine's errors (which carry their own example) into ValueErrors."""
    try:
        yield
    except DeadlineError as exc:
        raise ValueError(str(exc)) from None


def _int_list(value: object, *, example: str) -> object:
    """Accept "[5, 2]", "5,2" or "5 2" from the environment; leave other values to pydantic."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(f"{_shorten(text)!r} is not a list (for example: {example})") from None
    parts = [part for part in re.split(r"[\s,]+", text) if part]
    try:
        return [int(part) for part in parts]
    except ValueError:
        raise ValueError(
            f"{_shorten(text)!r} is not a list of whole numbers (for example: {example})"
        ) from None


def _choice(
    value: object,
    allowed: tuple[str, ...],
    normalize: Callable[[str], str],
    what: str,
    example: str,
) -> object:
    if not isinstance(value, str):
        return value  # let pydantic report the wrong type
    normalized = normalize(value.strip())
    if normalized not in allowed:
        raise ValueError(
            f"unknown {what} {_shorten(value)!r}: use one of {', '.join(allowed)} "
            f"(for example: {example})"
        )
    return normalized


def _display(value: object) -> str:
    if isinstance(value, SecretStr):
        return masked(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) if value else "(none)"
    if isinstance(value, str) and not value:
        return "(not set)"
    return str(value)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _env_origin(loc: tuple[int | str, ...], environ: Mapping[str, str]) -> str:
    """ " (from BOT_X__Y)" when that variable set the value, so users know where to look."""
    names = [str(part) for part in loc if isinstance(part, str)]
    if names[:2] == ["discord", "token"] and environ.get(TOKEN_ENV, "").strip():
        return f" (from {TOKEN_ENV})"
    upper = {name.upper() for name, value in environ.items() if value != ""}
    for depth in range(len(names), 0, -1):
        variable = ENV_PREFIX + "__".join(names[:depth]).upper()
        if variable in upper:
            return f" (from {variable})"
    return ""


def _describe_validation_error(exc: ValidationError, environ: Mapping[str, str]) -> str:
    errors = exc.errors(include_url=False)
    message = _describe_error(errors[0], environ)
    if len(errors) > 1:
        more = len(errors) - 1
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return message


def _describe_error(error: ErrorDetails, environ: Mapping[str, str]) -> str:
    loc = error["loc"]
    key = _dotted(loc)
    where = key + _env_origin(loc, environ)
    kind = error["type"]
    if kind == "extra_forbidden":
        if len(loc) == 1:
            known = ", ".join(Config.model_fields)
            return f"{where}: unknown section (the sections are: {known})"
        section = Config.model_fields.get(str(loc[0]))
        annotation = section.annotation if section is not None else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            known = ", ".join(annotation.model_fields)
            return f"{where}: unknown key (the keys in [{loc[0]}] are: {known})"
        return f"{where}: unknown key"
    if kind == "value_error":
        # Our validators' messages already say what is wrong and give an example.
        return f"{where}: {error.get('ctx', {}).get('error', error['msg'])}"
    if len(loc) == 1 and kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{where}: must be a table such as [{loc[0]}], not a single value"
    message = error["msg"]
    message = message[:1].lower() + message[1:]
    # Never echo the token's value, whatever is wrong with it.
    if loc[:2] != ("discord", "token"):
        message += f", got {_shorten(repr(error['input']))}"
    example = _EXAMPLES.get(_dotted(tuple(part for part in loc if isinstance(part, str))))
    if example:
        message += f" (for example: {example})"
    return f"{where}: {message}"
