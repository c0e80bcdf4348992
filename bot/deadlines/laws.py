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
from typing import Any, Final

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


# Acronyms that are also English words or names ("tin foil", "Cora's party", "Pia"): read as
# a law only in capitals, or right before the request word ("foil request").
_WORDLIKE: Final = frozenset({"foil", "cora", "grama", "kora", "pia"})

# What says the phrase is a request: the request word right after the law's name ("CPRA
# request", "FOIA records request"), or the agency it went to ("FOIA to the FBI"). "FOIA'd",
# "FOILed" say what was done, not the request to count: refused, as before presets existed.
_REQUEST_AFTER: Final = r"(?:\s+records)?\s+requests?(?![\w'-])"
_TO_AFTER: Final = r"\s+to\s+(?:the\s+|(?-i:[A-Z]))"  # an agency: not "FOIA to be reformed"

# A phrase about another proceeding than the request (an appeal, a denial, a lawsuit): the
# law sets other periods for those, and the request's would be silently wrong.
_NOT_THE_REQUEST: Final = re.compile(
    r"(?<![\w-])(?:appeal(?:s|ed|ing)?|denial|denials|denied|lawsuits?|litigation|sued?|suing)"
    r"(?![\w-])",
    re.IGNORECASE,
)
# The phrase says it has no fixed period ("no statutory deadline", "within a reasonable
# time", "promptly"): the preset's would be counted over what it says.
_SAYS_NO_PERIOD: Final = re.compile(
    r"(?<![\w-])(?:no(?:\s+[\w-]+){0,3}\s+(?:deadline|period|time\s+limit)s?|"
    r"reasonabl[ey]|prompt(?:ly)?|as\s+soon\s+as)(?![\w-])",
    re.IGNORECASE,
)
# The phrase says when the request came in ("received yesterday", "sent last Friday"): that
# day is the start date, which the phrase cannot set (the count would silently start from
# today). "FOIA request sent to the FBI" says no day: it reads.
_RECEIVED: Final = re.compile(
    r"(?<![\w-])(?P<word>received|receipt|sent|submitted|filed|mailed|e-?mailed|delivered)"
    r"(?:\s+[\w'.-]+){0,4}?\s+(?:yesterday|today|tonight|last|this|on|ago|earlier|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)(?![\w-])",
    re.IGNORECASE,
)

_FEDERAL_KEY: Final = "us-foia"
# The names of federal FOIA that do not say "federal": with them, a state or a city named in
# the phrase means the request went to an agency federal FOIA does not bind.
_PLAIN_FOIA: Final = frozenset({"foia", "freedom of information act"})

# Federal agencies: with one of them named, plain FOIA is the federal law. Acronyms in
# capitals only ("ice" is a word); the rest in any case.
_FEDERAL_ACRONYMS: Final = re.compile(
    r"(?<![\w-])(?:FBI|DOJ|DHS|ICE|CBP|CIA|NSA|EPA|FDA|CDC|NIH|HHS|IRS|SEC|FTC|FCC|FAA|FEMA|"
    r"USDA|DOD|DoD|ATF|DEA|USCIS|NASA|NOAA|OSHA|USPS|BOP|HUD|DOL|NLRB|EEOC|SSA|OPM|GSA|NRC|"
    r"BLM|NPS|TSA|USACE|FERC|CFPB|FDIC|OCC|FHWA|NHTSA|DOE|DOT|VA)(?![\w-])"
)
_FEDERAL_WORDS: Final = re.compile(
    r"(?<![\w-])(?:federal|u\.\s?s\.|united states|pentagon|white house|state department|"
    r"department of (?:state|justice|homeland security|defense|energy|education|labor|the "
    r"treasury|treasury|veterans affairs|agriculture|commerce|the interior|interior|"
    r"transportation|health and human services|housing and urban development)|"
    r"bureau of prisons|secret service|coast guard|army|navy|air force|marine corps|"
    r"postal service|social security|forest service|park service|census bureau|"
    r"veterans affairs|us attorney|u\.s\. attorney)(?![\w-])",
    re.IGNORECASE,
)
# A city, county, school or state agency: it answers under its state's law, not federal FOIA.
_LOCAL_WORDS: Final = re.compile(
    r"(?<![\w-])(?:police|sheriff(?:'s)?|sheriffs|county|counties|city|cities|town|township|"
    r"village|borough|parish|municipal|municipality|mayor(?:'s)?|council|city hall|"
    r"school|schools|school district|school board|board of education|university|college|"
    r"jail|state police|state patrol|highway patrol|troopers?|district attorney(?:'s)?|"
    r"public safety|department of corrections|motor vehicles|governor(?:'s)?|legislature|"
    r"statehouse|state agency|state agencies|state department of|state's|housing authority|"
    r"transit authority)(?![\w-])",
    re.IGNORECASE,
)
# In capitals: a police department (NYPD, LAPD, APD, PD), a school district (Austin ISD), a
# state's Department of Public Safety or of Motor Vehicles, New York City.
_LOCAL_ACRONYM: Final = re.compile(r"(?<![\w-])(?:[A-Z]{0,4}PD|ISD|USD|DPS|DMV|NYC)(?![\w-])")
_DC: Final = re.compile(
    r"(?<![\w.-])(?:washington,?\s+)?(?:d\.\s?c\.?|dc)(?![\w-])|district of columbia",
    re.IGNORECASE,
)
# A state's name in a newspaper's is no state agency ("re: Washington Post story").
_NEWSPAPER: Final = re.compile(
    r"[\w.]+(?:\s+[\w.]+)?\s+(?:post|times|tribune|herald|journal|globe|gazette|examiner|"
    r"chronicle|star|observer|inquirer|sun)(?![\w-])",
    re.IGNORECASE,
)
_POSTAL: Final = {
    "AL": "al", "AK": "ak", "AZ": "az", "AR": "ar", "CA": "ca", "CO": "co", "CT": "ct",
    "DE": "de", "FL": "fl", "GA": "ga", "HI": "hi", "ID": "id", "IL": "il", "IN": "in",
    "IA": "ia", "KS": "ks", "KY": "ky", "LA": "la", "ME": "me", "MD": "md", "MA": "ma",
    "MI": "mi", "MN": "mn", "MS": "ms", "MO": "mo", "MT": "mt", "NE": "ne", "NV": "nv",
    "NH": "nh", "NJ": "nj", "NM": "nm", "NY": "ny", "NC": "nc", "ND": "nd", "OH": "oh",
    "OK": "ok", "OR": "or", "PA": "pa", "RI": "ri", "SC": "sc", "SD": "sd", "TN": "tn",
    "TX": "tx", "UT": "ut", "VT": "vt", "VA": "va", "WA": "wa", "WV": "wv", "WI": "wi",
    "WY": "wy",
}  # fmt: skip


@functools.cache
def _phrase_names() -> dict[str, str]:
    """Every name a phrase may call a law by, folded, to its key (or to '' for a name two laws
    share): the aliases; the law's full name where no other law's ends with it ('Open Public
    Records Act'; not 'Access to Public Records Act', Indiana's too); and '<state> public
    records', '<state> open records', '<state> records' for each state and DC."""
    names: dict[str, str] = {}
    full: dict[str, str] = {}
    for law in laws():
        for alias in law.aliases:
            names.setdefault(_fold(alias), law.key)
        name = _fold(re.sub(r"\s*\([^)]*\)", "", law.law))
        if "/" not in name:
            full[name] = law.key
        if law.key != _FEDERAL_KEY:
            for generic in ("public records", "open records", "records"):
                names.setdefault(f"{_fold(law.jurisdiction)} {generic}", law.key)
    for name, key in full.items():
        shared = any(o != name and o.endswith(" " + name) for o in full)
        if key == _FEDERAL_KEY or not shared:  # plain FOIA's own name: see _check_federal
            names.setdefault(name, key)
    for name in _data()[1]:
        names[name] = ""
    return names


@functools.cache
def _alias_pattern() -> re.Pattern[str]:
    names = sorted(_phrase_names(), key=len, reverse=True)
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    return re.compile(
        rf"(?<![\w-])(?P<name>{alternatives})(?![\w-])"
        rf"(?:(?P<request>{_REQUEST_AFTER})|(?P<to>{_TO_AFTER}))?",
        re.IGNORECASE,
    )


def _normalized(text: str) -> str:
    """'D.C. FOIA' read as 'DC FOIA' (the alias)."""
    return re.sub(r"(?<![\w.])D\.\s?C\.?(?=\s)", "DC", text)


def detect_law(text: str) -> Law | None:
    """The law a phrase names, when the phrase is a request under it: the law's name (an
    alias, its full name, '<state> public records') with the request word right after it
    ('CPRA request to LA County', 'Newark OPRA request') or the agency ('FOIA to the FBI').
    None if it names none, names one but is no request ('FOIA officer lunch', 'Tin foil
    story'), or is about an appeal, a denial or a lawsuit. Raises PhraseError if it names two
    laws, says when the request was received, or calls a state's or a city's request plain
    FOIA; AmbiguousPhrase for a name two laws share."""
    text = _normalized(text)
    names = _phrase_names()
    mentions: list[tuple[str, bool]] = []  # (folded name, said as a request)
    for match in _alias_pattern().finditer(text):
        said, name = match.group("name"), _fold(match.group("name"))
        if name in _WORDLIKE and not said.isupper() and match.group("request") is None:
            continue  # a word or a name ("foil", "Cora"), not the law's acronym
        requested = match.group("request") is not None or match.group("to") is not None
        mentions.append((name, requested))
    if not any(requested for _, requested in mentions):
        return None
    if _NOT_THE_REQUEST.search(text) or _SAYS_NO_PERIOD.search(text):
        return None
    found = {name for name, _ in mentions}
    shared = _data()[1]
    laws_named = {names[name] for name in found if name not in shared}
    ambiguous = [name for name in found if name in shared]
    if ambiguous and not laws_named:
        keys = shared[ambiguous[0]]
        readings = tuple(_reading(text, _names()[key].aliases[0].upper()) for key in keys)
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
    law = find_law(laws_named.pop())
    received = _RECEIVED.search(text)
    if received:
        raise PhraseError(
            f"the phrase says when the request came in ({received.group('word')!r}); the count "
            "starts from the start date: give the day the agency received it there",
            example="CPRA request to LA County (start date 2025-07-16)",
        )
    if law.key == _FEDERAL_KEY and found <= _PLAIN_FOIA:
        _check_federal(text)
    return law


def _reading(text: str, name: str) -> str:
    """`text` with the first law's name it gives replaced by `name` ('MPIA request ...')."""
    match = _alias_pattern().search(text)
    assert match is not None
    return text[: match.start("name")] + name + text[match.end("name") :]


def _check_federal(text: str) -> None:
    """Refuse plain FOIA with a state, DC or a local agency named: federal FOIA binds only
    federal agencies, and the state's law has other periods."""
    states = _states_named(text)
    local = _LOCAL_WORDS.search(text) or _LOCAL_ACRONYM.search(text)
    federal = _FEDERAL_WORDS.search(text) or _FEDERAL_ACRONYMS.search(text)
    if not states and not local:
        return
    if federal:
        other = states[0].jurisdiction if states else local.group(0)  # type: ignore[union-attr]
        raise PhraseError(
            f"the phrase names a federal agency ({federal.group(0)!r}) and a state or local "
            f"one ({other!r}): federal FOIA binds only federal agencies; say which law",
            example="federal FOIA request to the FBI, or "
            + (f"preset:{states[0].key}" if states else "the state's preset (preset:ny)"),
        )
    if len(states) == 1:
        state = states[0]
        own = re.sub(rf"^{re.escape(state.jurisdiction)}\s+", "", state.law)
        raise PhraseError(
            f"{state.jurisdiction}'s records law is its own {own}, not federal FOIA: use "
            f"preset:{state.key}",
            example=f"{state.jurisdiction} public records request, or preset:{state.key}",
        )
    if states:
        named = ", ".join(state.jurisdiction for state in states)
        raise PhraseError(
            f"the phrase names {named}: FOIA is the federal law, and a state's agency answers "
            "under its state's law; pick that state's preset",
            example=" or ".join(f"preset:{state.key}" for state in states),
        )
    assert local is not None
    raise PhraseError(
        f"FOIA is the federal law; a city, county or state agency ({local.group(0)!r}) "
        "answers under its state's law: pick the state's preset",
        example="CPRA request to LA County, or preset:ca",
    )


@functools.cache
def _state_pattern() -> re.Pattern[str]:
    names = sorted(
        (_fold(law.jurisdiction) for law in laws() if law.key not in (_FEDERAL_KEY, "dc")),
        key=len,
        reverse=True,
    )
    return re.compile(
        rf"(?<![\w-])(?:{'|'.join(re.escape(n) for n in names)})(?![\w-])", re.IGNORECASE
    )


def _states_named(text: str) -> list[Law]:
    """The states (and DC) a phrase names: a full name, 'D.C.', 'DC', 'Washington, D.C.',
    or a postal code in capitals right before FOIA ('NY FOIA')."""
    found: list[str] = []
    rest = _NEWSPAPER.sub(" ", text)
    if _DC.search(rest):
        found.append("dc")
        rest = _DC.sub(" ", rest)
    by_name = {_fold(law.jurisdiction): law.key for law in laws()}
    found += [by_name[_fold(m.group(0))] for m in _state_pattern().finditer(rest)]
    found += [_POSTAL[m.group(1)] for m in re.finditer(r"(?<![\w-])([A-Z]{2})\s+FOIA", rest)
              if m.group(1) in _POSTAL]  # fmt: skip
    return [find_law(key) for key in dict.fromkeys(found)]
