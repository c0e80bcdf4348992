"""Where the configuration comes from, without pydantic: which TOML file, its tables, and the
`BOT_` environment variables over them.

`bot.config` validates the whole configuration on top of this. `python -m bot due` and `find`
read only the few `[defaults]` keys they use from here, because importing `bot.config`
(pydantic-settings) takes longer than a whole `due`: 90 ms or more, against about 80.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Final

ENV_PREFIX: Final = "BOT_"
CONFIG_ENV: Final = "BOT_CONFIG"
TOKEN_ENV: Final = "DISCORD_TOKEN"
DEFAULT_CONFIG_FILE: Final = Path("config.toml")
# The configuration's sections, as bot.config declares them (a test keeps the two the same).
SECTIONS: Final = ("discord", "database", "defaults", "logging", "web", "retention")

_HHMM: Final = re.compile(r"^(\d{1,2}):(\d{2})$")


class ConfigError(Exception):
    """The configuration cannot be used.

    str() is one line: the dotted key, what is wrong, and an example of what works.
    """


def choose_config_file(path: str | Path | None = None) -> Path | None:
    """The TOML file to read: `path`, else $BOT_CONFIG, else ./config.toml if it exists, else None.

    A file named explicitly (argument or BOT_CONFIG) must exist: a typo there must not
    silently fall back to defaults. Raises ConfigError.
    """
    if path is not None and str(path).strip():
        return _existing_file(Path(path).expanduser(), "")
    from_env = os.environ.get(CONFIG_ENV, "").strip()
    if from_env:
        return _existing_file(Path(from_env).expanduser(), f" (from {CONFIG_ENV})")
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def read_tables(toml_file: Path | None) -> dict[str, Any]:
    """The tables of `toml_file` (none: {}); raises ConfigError."""
    if toml_file is None:
        return {}
    import tomllib  # 3 ms, and only when there is a file

    try:
        with toml_file.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{toml_file}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{toml_file}: not UTF-8 text, as TOML requires") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {toml_file}: {exc.strerror or exc}") from None


def _existing_file(path: Path, origin: str) -> Path:
    if path.is_dir():
        raise ConfigError(f"config file {path}{origin} is a folder, not a file")
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}{origin}")
    return path


def configures(path: str | None) -> bool:
    """Whether anything may set a `[defaults]` key: a config file, or a BOT_DEFAULTS variable.
    Without either, the built-in defaults hold and nothing needs reading."""
    if path is not None or os.environ.get(CONFIG_ENV, "").strip() or DEFAULT_CONFIG_FILE.exists():
        return True
    return any(name.upper().startswith(f"{ENV_PREFIX}DEFAULTS") for name in os.environ)


def section_values(
    tables: Mapping[str, Any], section: str, environ: Mapping[str, str] = os.environ
) -> dict[str, tuple[object, str]]:
    """The keys of one section as the file and the environment set them, the environment
    winning as in `bot.config`: each value with where it is named in a message
    ("defaults.timezone", or "defaults.timezone (from BOT_DEFAULTS__TIMEZONE)").

    Variable names are matched in any case and an empty one is unset, as pydantic-settings
    does. Raises ConfigError for a section that is not a table or a variable that is not JSON.
    """
    table = tables.get(section, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{section}: must be a table such as [{section}], not a single value")
    values: dict[str, tuple[object, str]] = {
        key: (value, f"{section}.{key}") for key, value in table.items()
    }
    whole = f"{ENV_PREFIX}{section}".upper()
    prefix = f"{whole}__"
    for name, value in sorted(environ.items()):
        if not value:
            continue
        upper = name.upper()
        if upper == whole:
            try:
                decoded = json.loads(value)
            except ValueError:
                decoded = None
            if not isinstance(decoded, dict):
                raise ConfigError(
                    f"{whole}: not a valid JSON object; set one key per variable instead "
                    f"(for example: {prefix}TIMEZONE=America/New_York)"
                )
            for key, item in decoded.items():
                values[str(key)] = (item, f"{section}.{key} (from {whole})")
    for name, value in sorted(environ.items()):
        upper = name.upper()
        if value and upper.startswith(prefix):
            key = upper[len(prefix) :].lower()
            values[key] = (value, f"{section}.{key} (from {upper})")
    return values


def unknown_variables(
    environ: Mapping[str, str] = os.environ,
    keys: Mapping[str, Collection[str]] | None = None,
) -> list[str]:
    """A warning for each BOT_ variable that names no section (pydantic-settings ignores it
    without a word, so a misspelt BOT_DEFAULT__TIMEZONE silently does nothing): the variable,
    and the setting it most likely meant. `keys`: every section's keys, to name the closest
    key too; without them the key is taken as written.
    """
    sections = tuple(keys) if keys is not None else SECTIONS
    warnings = []
    for name, value in sorted(environ.items()):
        upper = name.upper()
        if not value or not upper.startswith(ENV_PREFIX) or upper == CONFIG_ENV:
            continue
        rest = upper[len(ENV_PREFIX) :].lower()
        section, nested, key = rest.partition("__")
        if section in sections:
            continue  # an unknown key in a known section is bot.config's error to report
        meant = _closest(rest, nested, key, sections, keys)
        advice = f"did you mean {meant}?" if meant else (
            f"settings are {ENV_PREFIX}SECTION__KEY, for example {ENV_PREFIX}DATABASE__PATH"
        )  # fmt: skip
        warnings.append(f"{name} is not a setting, so it is ignored: {advice}")
    return warnings


def _closest(
    rest: str,
    nested: str,
    key: str,
    sections: tuple[str, ...],
    keys: Mapping[str, Collection[str]] | None,
) -> str | None:
    """The variable (and dotted key) a misspelt name most likely meant, or None."""
    import difflib  # only when a variable is wrong

    if nested:
        found = difflib.get_close_matches(rest.partition("__")[0], sections, n=1, cutoff=0.6)
        section = found[0] if found else None
    else:  # BOT_DATABASE_PATH: one underscore where two belong
        section = next((s for s in sections if rest.startswith(f"{s}_")), None)
        key = rest[len(section) + 1 :] if section else ""
        if section is None:
            found = difflib.get_close_matches(rest, sections, n=1, cutoff=0.6)
            return f"{ENV_PREFIX}{found[0].upper()}" if found else None
    if section is None:
        return None
    if keys is not None and key not in keys[section]:
        found = difflib.get_close_matches(key, keys[section], n=1, cutoff=0.6)
        if not found:
            return f"{ENV_PREFIX}{section.upper()}__... (the keys of [{section}])"
        key = found[0]
    return f"{ENV_PREFIX}{section.upper()}__{key.upper()} ({section}.{key})"


def time_of_day(value: object) -> dt.time:
    """HH:MM, 00:00 to 23:59, as the file or the environment gives it; raises ValueError."""
    if isinstance(value, dt.time):
        # TOML has a local-time literal (alert_time = 09:00:00); take it if it is whole minutes.
        if value.tzinfo is None and value.second == 0 and value.microsecond == 0:
            return value
        raise ValueError(f"must be a time of day as HH:MM, got {value}")
    if not isinstance(value, str):
        # pydantic would read a number as seconds after midnight: never what was meant.
        raise ValueError(f"must be a time of day as HH:MM, got {value!r}")
    match = _HHMM.match(value.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{shorten(value)!r} is not a time of day as HH:MM, 00:00 to 23:59")
    return dt.time(int(match[1]), int(match[2]))


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
