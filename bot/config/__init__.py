"""Configuration: a TOML file overlaid by environment variables, validated in one place.

`Config` is pydantic-settings' `BaseSettings`. Sources, highest priority first: the
`DISCORD_TOKEN` environment variable (for `discord.token` only), `BOT_`-prefixed environment
variables with `__` between section and key (`BOT_DATABASE__PATH=/data/d.sqlite3`), the TOML
file, then the defaults below. Keyword arguments to `Config(...)` are values as the TOML file
would give them (its tables): the environment overrides them, key by key. `load_config` picks
the file: `--config`, else `$BOT_CONFIG`, else `./config.toml` if present, else none, and
passes its tables to `Config`. Relative paths (the file, `database.path`) are relative to the
working directory.

Every problem surfaces as one `ConfigError` whose message names the dotted key, says what
is wrong and gives an example. The Discord token is a `SecretStr`: it is never echoed in
errors and `masked()` shows four characters at each end (`bot.logs` redacts it from logs).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from enum import Enum
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, PrivateAttr, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from bot.config_sources import (
    CONFIG_ENV,
    DEFAULT_CONFIG_FILE,
    ENV_PREFIX,
    TOKEN_ENV,
    ConfigError,
    choose_config_file,
    read_tables,
    shorten,
    unknown_variables,
)
from bot.models import GuildDefaults

from .checks import check_database_path, masked
from .sections import (
    CONSTRAINT_ERRORS,
    EXAMPLES,
    PROBLEMS,
    DatabaseSection,
    DefaultsSection,
    DiscordSection,
    LoggingSection,
    RetentionSection,
    WebSection,
)

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
    "LoggingSection",
    "RetentionSection",
    "WebSection",
    "check_database_path",
    "choose_config_file",
    "load_config",
    "masked",
    "require_token",
]


# --- the settings -----------------------------------------------------------------------------


class Config(BaseSettings):
    """The bot's whole configuration. Build it with `load_config`.

    `Config(**tables)` takes values as the TOML file gives them; DISCORD_TOKEN and BOT_*
    from os.environ override them. Sections are frozen; `config_file` says which TOML file
    was read (None: none).
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        case_sensitive=False,
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
    retention: RetentionSection = RetentionSection()

    _config_file: Path | None = PrivateAttr(default=None)
    _warnings: tuple[str, ...] = PrivateAttr(default=())

    @property
    def config_file(self) -> Path | None:
        """The TOML file these settings were read from, or None."""
        return self._config_file

    @property
    def warnings(self) -> tuple[str, ...]:
        """What was ignored while reading (a BOT_ variable that names no setting), one line each."""
        return self._warnings

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """DISCORD_TOKEN > BOT_* > keyword arguments (the TOML file) > defaults; no dotenv."""
        return (_DiscordTokenSource(settings_cls), env_settings, init_settings)

    def guild_defaults(self) -> GuildDefaults:
        """The [defaults] section as the GuildDefaults every new guild starts with."""
        return GuildDefaults(**self.defaults.model_dump())

    def effective_settings(self) -> dict[str, str]:
        """Every key as "section.key" -> display text, in declaration order; the token masked."""
        # Iterating a model gives its (field name, value) pairs in declaration order.
        return {
            f"{name}.{key}": _display(value) for name, section in self for key, value in section
        }


class _DiscordTokenSource(PydanticBaseSettingsSource):
    """DISCORD_TOKEN, the name every Discord tutorial uses, as `discord.token`."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Required by the base class; unused because __call__ returns the nested value itself.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        token = os.environ.get(TOKEN_ENV, "").strip()
        return {"discord": {"token": token}} if token else {}


# --- loading ----------------------------------------------------------------------------------


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate the configuration; raises ConfigError with a one-line message.

    `path` is the --config argument; BOT_CONFIG, BOT_* and DISCORD_TOKEN come from
    os.environ. Does not check the token or the database folder: see `require_token` and
    `check_database_path`, which only some commands need.
    """
    toml_file = choose_config_file(path)
    tables = read_tables(toml_file)
    # BaseSettings.__init__ would take a top-level `_env_prefix = ...` as its own option.
    for name in tables:
        if name.startswith("_"):
            raise ConfigError(_unknown_section(name))
    try:
        config = Config(**tables)
    except ValidationError as exc:
        # `from None`: the chained ValidationError would print the offending input, which
        # for discord.token is the secret itself.
        raise ConfigError(_describe_validation_error(exc)) from None
    except SettingsError as exc:
        # Only the environment source decodes values: a whole section given as one variable
        # (BOT_DEFAULTS='{...') that is not JSON. Its message names our field, not the variable.
        field = re.search(r'field "([^"]+)"', str(exc))
        raise ConfigError(
            f"{ENV_PREFIX}{field[1].upper() if field else '...'}: not a valid JSON object; "
            f"set one key per variable instead "
            f"(for example: {ENV_PREFIX}DATABASE__PATH=data/deadlines.sqlite3)"
        ) from None
    config._config_file = toml_file
    config._warnings = tuple(unknown_variables(os.environ, _keys()))
    return config


def _keys() -> dict[str, tuple[str, ...]]:
    """Every section's keys, as the models declare them."""
    keys = {}
    for name, field in Config.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            keys[name] = tuple(section.model_fields)
    return keys


# --- messages ---------------------------------------------------------------------------------


def _display(value: object) -> str:
    if isinstance(value, SecretStr):
        return masked(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) if value else "(none)"
    if isinstance(value, str) and not value:
        return "(not set)"
    return str(value)


def _dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _env_origin(loc: tuple[int | str, ...]) -> str:
    """ " (from BOT_X__Y)" when that variable set the value, so users know where to look."""
    names = [str(part) for part in loc if isinstance(part, str)]
    if names[:2] == ["discord", "token"] and os.environ.get(TOKEN_ENV, "").strip():
        return f" (from {TOKEN_ENV})"
    upper = {name.upper() for name, value in os.environ.items() if value != ""}
    for depth in range(len(names), 0, -1):
        variable = ENV_PREFIX + "__".join(names[:depth]).upper()
        if variable in upper:
            return f" (from {variable})"
    return ""


def _describe_validation_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    message = _describe_error(errors[0])
    if len(errors) > 1:
        more = len(errors) - 1
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return message


def _unknown_section(name: str) -> str:
    return f"{name}: unknown section (the sections are: {', '.join(Config.model_fields)})"


def _describe_error(error: ErrorDetails) -> str:
    loc, kind = error["loc"], error["type"]
    field = _dotted(tuple(part for part in loc if isinstance(part, str)))  # no list index
    where = _dotted(loc) + _env_origin(loc)
    if kind == "extra_forbidden":
        if len(loc) == 1:
            return _unknown_section(where)
        section = Config.model_fields.get(str(loc[0]))
        annotation = section.annotation if section is not None else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            known = ", ".join(annotation.model_fields)
            return f"{where}: unknown key (the keys in [{loc[0]}] are: {known})"
        return f"{where}: unknown key"
    if len(loc) == 1 and kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{where}: must be a table such as [{loc[0]}], not a single value"
    if kind == "value_error":
        problem = str(error.get("ctx", {}).get("error", error["msg"]))
    elif kind in CONSTRAINT_ERRORS and field in PROBLEMS:
        # Named by the key, not the list item: the message shows the value. A number from the
        # environment is still the text it came as.
        value = str(error["input"]).strip()
        got = repr(shorten(value)) if kind == "string_pattern_mismatch" else value
        where = field + _env_origin(loc)
        problem = f"{PROBLEMS[field]}, got {got}"
    else:
        problem = error["msg"][:1].lower() + error["msg"][1:]
        # Never echo the token's value, whatever is wrong with it.
        if loc[:2] != ("discord", "token"):
            problem += f", got {shorten(repr(error['input']))}"
    example = EXAMPLES.get(field)
    if example and "(for example: " not in problem:
        problem += f" (for example: {example})"
    return f"{where}: {problem}"


# A bot token is three base64url segments: user id, timestamp, HMAC. Permissive on lengths
# because Discord has changed them before; strict enough to catch "Bot xyz", quotes, or a
# client secret pasted by mistake.
_TOKEN_SHAPE: Final = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")


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
