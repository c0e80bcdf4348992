"""The `holidays` package's answers, kept on disk for the command line.

`python -m bot due "..., 20 business days"` is a fresh process each time, and the package costs
it ~100 ms before the first business day is counted (the import, with its version lookup, and
the first year of US holidays): more than the rest of the command together. Its answers only
change with its version, so they are kept in one JSON file per installed version, and a second
`due` does not import the package at all.

Never wrong, at worst slow: the file is named after the version read from the package's
installed metadata (no metadata, no cache), a file that cannot be read or does not hold what it
should is ignored and rewritten, and a cache that cannot be written is skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from bot.deadlines.calendars import HolidayLookup, package_holidays, package_subdivisions

FORMAT = 1
SUBDIVISIONS = "subdivisions"  # the entry holding the package's US subdivision codes


def default_directory() -> Path:
    """`$XDG_CACHE_HOME/deadline-desk`, else `~/.cache/deadline-desk`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "deadline-desk"


def installed_version() -> str | None:
    """The installed `holidays` version, read from its `.dist-info` folder without importing
    the package (its own `__version__` costs an importlib.metadata lookup); None if the
    package is not installed from a distribution (a source tree) or the answer is unclear."""
    from importlib.util import find_spec

    try:
        spec = find_spec("holidays")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    site = Path(spec.origin).parent.parent
    try:
        names = [entry.name for entry in os.scandir(site) if entry.name.endswith(".dist-info")]
    except OSError:
        return None
    versions = [
        name.removesuffix(".dist-info").partition("-")[2]
        for name in names
        if name.lower().partition("-")[0] == "holidays"
    ]
    if len(versions) != 1 or not versions[0]:
        return None  # none, or two installs side by side: which one is imported is unclear
    return versions[0]


class DiskCachedHolidays:
    """A HolidayLookup that answers from `path` and asks `source` (the package) what it
    lacks, adding the answer to the file."""

    def __init__(self, path: Path, version: str, source: HolidayLookup = package_holidays):
        self.path = path
        self.version = version
        self.source = source
        self._entries: dict[str, dict[str, str]] | None = None

    @staticmethod
    def key(subdiv: str | None, categories: tuple[str, ...], year: int) -> str:
        return f"{subdiv or '-'}|{','.join(sorted(categories))}|{year}"

    def __call__(
        self, subdiv: str | None, categories: tuple[str, ...], year: int
    ) -> dict[dt.date, str]:
        entries = self._read()
        key = self.key(subdiv, categories, year)
        stored = entries.get(key)
        if stored is not None:
            try:
                return {dt.date.fromisoformat(day): name for day, name in stored.items()}
            except (TypeError, ValueError, AttributeError):
                pass  # not what this file should hold: ask the package, and rewrite it
        days = self.source(subdiv, categories, year)
        entries[key] = {day.isoformat(): str(name) for day, name in sorted(days.items())}
        self._write(entries)
        return days

    def subdivisions(self) -> frozenset[str]:
        """The package's US subdivisions (states, territories), kept like its holidays."""
        entries = self._read()
        stored = entries.get(SUBDIVISIONS)
        if stored is not None and all(isinstance(code, str) for code in stored):
            return frozenset(stored)
        codes = package_subdivisions()
        entries[SUBDIVISIONS] = dict.fromkeys(sorted(codes), "")
        self._write(entries)
        return codes

    def _read(self) -> dict[str, dict[str, str]]:
        if self._entries is None:
            self._entries = {}
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return self._entries
            if (
                isinstance(data, dict)
                and data.get("format") == FORMAT
                and data.get("holidays") == self.version
                and isinstance(data.get("entries"), dict)
            ):
                self._entries = {
                    key: value
                    for key, value in data["entries"].items()
                    if isinstance(key, str) and isinstance(value, dict)
                }
        return self._entries

    def _write(self, entries: dict[str, dict[str, str]]) -> None:
        payload = {"format": FORMAT, "holidays": self.version, "entries": entries}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed, so a reader never sees half a file; two processes
            # writing at once lose one's new entry, which is asked again next time.
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".holidays-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(payload, handle, separators=(",", ":"))
                os.replace(temp, self.path)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError:
            return  # a read-only home, a full disk: the answer is right, only not kept


def disk_cached_lookup(directory: Path | None = None) -> DiskCachedHolidays | None:
    """The lookup the command line uses, or None when the version cannot be told."""
    version = installed_version()
    if version is None:
        return None
    folder = directory or default_directory()
    return DiskCachedHolidays(folder / f"holidays-{version}.json", version)
