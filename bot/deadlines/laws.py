"""The records laws the bot knows: their stages (the first deadline, and the later ones where
the law sets them), extension, time zone, sources and names.

The facts live in `laws.json` (carried from the research by tools/import_laws.py, with the
sources), read on first use only: a `due` without a preset never opens it. Pure data and
lookups; `presets.py` counts them.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AmbiguousPhrase, PhraseError, UnknownPresetError

LAWS_FILE = Path(__file__).with_name("laws.json")
_UNIT_WORDS = {"business": "business days", "calendar": "days"}


@dataclass(frozen=True, slots=True)
class LawStage:
    """A period a law sets: `days` of `unit` ('business' or 'calendar') to do `requires`,
    counted from `from_what` (the first stage from receipt, a later one from the day the
    stage before it was done, or, `counts_from` "due", from that stage's due date whenever
    it was done: Oregon's ORS 192.329)."""

    requires: str  # acknowledge / determine / produce / grant or deny
    days: int
    unit: str
    rule: str  # the engine's counting rule for it
    calendar: str  # US, or US-XX
    rule_basis: str  # why that rule (the statute, or the choice made)
    citation: str
    from_what: str = "receipt"
    confidence: str = ""  # a later stage's own; '' for the first (the law's)
    note: str = ""
    counts_from: str = "done"  # a later stage: from the day the one before was done, or "due"

    @property
    def from_due_date(self) -> bool:
        """Counted from the stage before's due date, whenever that one was done."""
        return self.counts_from == "due"

    @property
    def period(self) -> str:
        """The period as the engine reads it: '10 days', '20 business days'."""
        return f"{self.days} {_UNIT_WORDS[self.unit]}"


@dataclass(frozen=True, slots=True)
class Extension:
    days: int
    unit: str
    when: str
    citation: str

    @property
    def period(self) -> str:
        """As the Extend button counts it from the due date: '14 days', '30 calendar days'."""
        unit = "business days" if self.unit == "business" else "calendar days"
        return f"{self.days} {unit}"


@dataclass(frozen=True, slots=True)
class Law:
    key: str
    jurisdiction: str
    law: str
    short: str  # CPRA, FOIL, FOIA
    aliases: tuple[str, ...]
    citation: str
    first: LawStage | None  # None: the law sets no fixed period
    extension: Extension | None  # of the first stage
    later: tuple[LawStage, ...]  # the stages after the first, in order
    confidence: str  # high, medium, low
    note: str
    sources: tuple[str, ...]
    timezone: str | None = None  # where its deadlines end; None: the server's (federal)
    zone_basis: str = ""

    @property
    def stages(self) -> tuple[LawStage, ...]:
        """Every stage, the first one first; () if the law sets no fixed period."""
        return () if self.first is None else (self.first, *self.later)

    @property
    def label(self) -> str:
        """'California - CPRA': what autocomplete shows."""
        return f"{self.jurisdiction} - {self.short}"

    def first_deadline(self) -> str:
        """'10 days to determine (roll rule)', or 'no fixed period'."""
        if self.first is None:
            return "no fixed period"
        return f"{self.first.period} to {self.first.requires} ({self.first.rule} rule)"

    def possessive(self) -> str:
        return f"{self.jurisdiction}'s law" if self.key != "us-foia" else "Federal FOIA"


def _law(raw: dict[str, Any]) -> Law:
    first = raw["first"]
    extension = raw["extension"]
    return Law(
        key=raw["key"],
        jurisdiction=raw["jurisdiction"],
        law=raw["law"],
        short=raw["short"],
        aliases=tuple(raw["aliases"]),
        citation=raw["citation"],
        first=LawStage(**first) if first else None,
        extension=Extension(**extension) if extension else None,
        later=tuple(LawStage(**stage) for stage in raw["later_stages"]),
        confidence=raw["confidence"],
        note=raw["note"],
        sources=tuple(raw["sources"]),
        timezone=raw["timezone"],
        zone_basis=raw["zone_basis"],
    )


@functools.cache
def _data() -> tuple[tuple[Law, ...], dict[str, tuple[str, ...]]]:
    with LAWS_FILE.open(encoding="utf-8") as f:
        raw = json.load(f)
    laws = tuple(_law(item) for item in raw["laws"])
    return laws, {name: tuple(keys) for name, keys in raw["ambiguous"].items()}


def laws() -> tuple[Law, ...]:
    """Every preset, federal first, then the states and DC in the research's order."""
    return _data()[0]


@functools.cache
def _names() -> dict[str, Law]:
    """Every name a preset answers to, lowercased: key, alias, label, jurisdiction."""
    names: dict[str, Law] = {}
    for law in laws():
        for name in (law.key, law.label, law.jurisdiction, *law.aliases):
            names.setdefault(_fold(name), law)
    return names


def _fold(name: str) -> str:
    return " ".join(name.lower().replace("\u2013", "-").split())


def find_law(name: str) -> Law:
    """The preset named `name` (key 'ca', alias 'cpra', label 'California - CPRA');
    raises UnknownPresetError, naming both laws for a name two share ('pia')."""
    folded = _fold(name)
    found = _names().get(folded)
    if found is not None:
        return found
    shared = _data()[1].get(folded)
    if shared:
        which = ", ".join(f"{key} ({_names()[key].jurisdiction})" for key in shared)
        raise UnknownPresetError(f"{name.strip()[:20]!r} names more than one law: {which}",
                                 example=" or ".join(shared))  # fmt: skip
    raise UnknownPresetError(f"no records-law preset {name.strip()[:40]!r}")


def preset_law(key: str | None) -> Law | None:
    """The law a deadline's stored preset key names; None for none, or a key no longer known
    (the data changed since it was stored)."""
    if key is None:
        return None
    try:
        return find_law(key)
    except UnknownPresetError:
        return None


def stage_extension(key: str | None, stage: int) -> Extension | None:
    """The extension the law of a deadline's preset allows in its stage `stage` (only the
    first stage has one); None without."""
    law = preset_law(key)
    return law.extension if law is not None and stage == 0 else None


def search_laws(text: str, *, limit: int = 25) -> list[Law]:
    """Presets whose key, label or alias contains `text` (all, for ''), at most `limit`."""
    needle = _fold(text)
    found = [
        law
        for law in laws()
        if not needle or any(needle in _fold(n) for n in (law.key, law.label, *law.aliases))
    ]
    return found[:limit]


@functools.cache
def _alias_pattern() -> re.Pattern[str]:
    names = [alias for law in laws() for alias in law.aliases] + list(_data()[1])
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def detect_law(text: str) -> Law | None:
    """The law a phrase names by a common name as a word ('CPRA request to LA County');
    None if it names none. Raises PhraseError if it names two, or a name two laws share."""
    found = {_fold(m.group(0)) for m in _alias_pattern().finditer(text)}
    if not found:
        return None
    shared = _data()[1]
    laws_named = {find_law(name).key for name in found if name not in shared}
    ambiguous = [name for name in found if name in shared]
    if ambiguous and not laws_named:
        keys = shared[ambiguous[0]]
        readings = tuple(
            _alias_pattern().sub(_names()[key].aliases[0].upper(), text, count=1) for key in keys
        )
        raise AmbiguousPhrase(
            f"{ambiguous[0].upper()} is the name of more than one law: which is meant?",
            readings=readings,
            both=False,
        )
    if len(laws_named) > 1:
        raise PhraseError(
            f"the phrase names more than one records law ({', '.join(sorted(laws_named))})",
            example="CPRA request to LA County",
        )
    return find_law(laws_named.pop())
