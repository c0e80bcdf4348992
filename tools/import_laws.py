"""Carry the records-law research (records-laws.json) into bot/deadlines/laws.json, once.

Run: python tools/import_laws.py ../shared/data/records-laws.json > bot/deadlines/laws.json

The research gives each law's first deadline (days, unit, what it requires), extension,
sources, confidence and a note. This adds what the bot needs to count it, each choice written
into the file with its reason (`rule_basis`, `zone_basis`): the counting rule, holiday
calendar and time zone, the first stage's own citation where it is known, the common names
people type (aliases), and the law's later stages where the research's note supports one
(`later_stages`: New York, Alabama, Oregon, South Carolina, Montana), each with its citation
and confidence. Where the research's "extension" is in fact that next stage (New York,
Alabama, Oregon: a second period counted from the acknowledgment), it is a stage, not an
extension, so that the Extend button never offers a stage.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

FEDERAL = "us-foia"

# Common names, each of one law only. A name of two laws (PIA: Maryland and Texas; KORA:
# Kansas and Kentucky; APRA: Indiana and Rhode Island) is kept in AMBIGUOUS and refused with
# both keys, never guessed.
ALIASES = {
    FEDERAL: ["foia", "federal foia"],
    "ca": ["cpra", "california public records act", "cal pra", "calpra"],
    "ny": ["foil"],
    "nj": ["opra"],
    "pa": ["rtkl"],
    "co": ["cora"],
    "ut": ["grama"],
    "nm": ["ipra"],
    "hi": ["uipa"],
    "nv": ["npra"],
    "me": ["foaa"],
    "tx": ["tpia", "texas pia"],
    "md": ["mpia", "maryland pia"],
    "ks": ["kansas kora"],
    "ky": ["kentucky kora"],
    "in": ["indiana apra"],
    "ri": ["rhode island apra", "ri apra"],
}
AMBIGUOUS = {"pia": ["md", "tx"], "kora": ["ks", "ky"], "apra": ["in", "ri"]}

# The statute's own words for the first stage and its extension, where checked (the research
# cites the whole section; these cite the subsection).
FIRST_CITATION = {
    FEDERAL: "5 U.S.C. § 552(a)(6)(A)(i)",
    "ca": "Cal. Gov. Code § 7922.535(a)",
    "ny": "N.Y. Pub. Off. Law § 89(3)(a)",
}
EXTENSION = {
    FEDERAL: ("5 U.S.C. § 552(a)(6)(B)(i)", "unusual circumstances, by written notice"),
    "ca": ("Cal. Gov. Code § 7922.535(b)", "unusual circumstances, by written notice"),
    "md": ("Md. Code, Gen. Prov. § 4-203(d)", "only with the requester's consent"),
    "pa": ("65 P.S. § 67.902(b)", "interim response: up to 30 calendar days"),
}
# The law's later stages, each counted from the day the one before it was done (the
# acknowledgment, the determination), as the research's note on each describes it
# (`counts_from` "done"), or where the statute says so from the day the one before was due
# (`counts_from` "due": Oregon, ORS 192.329); only
# these five have a stage the research supports with a fixed period. For New York, Alabama and
# Oregon the research's "extension" is this stage (a second period counted from the
# acknowledgment), so it is carried here and never offered as an extension.
LATER_STAGES: dict[str, list[dict[str, Any]]] = {
    "ny": [
        {
            "requires": "grant or deny",
            "days": 20,
            "unit": "business",
            "citation": "N.Y. Pub. Off. Law § 89(3)(a)",
            "confidence": "high",
            "from_what": "the acknowledgment",
            "note": "longer only with a written reason and a date certain",
        }
    ],
    "al": [
        {
            "requires": "respond in substance",
            "days": 15,
            "unit": "business",
            "citation": "Ala. Code § 36-12-44(a)(3)-(5)",
            "confidence": "medium",
            "from_what": "the acknowledgment",
            "note": "extendable in 15-business-day increments; SB 270 (2024)",
        }
    ],
    "or": [
        {
            "requires": "complete the response",
            "days": 10,
            "unit": "business",
            "citation": "ORS 192.329",
            "confidence": "high",
            "from_what": "the date the acknowledgment was due",
            # "10 business days after the date by which the public body is required to
            # acknowledge receipt": from stage 1's due date, whenever it was sent.
            "counts_from": "due",
            "note": "or give a written estimated completion date",
        }
    ],
    "sc": [
        {
            "requires": "produce",
            "days": 30,
            "unit": "calendar",
            "citation": "S.C. Code § 30-4-30(C)",
            "confidence": "high",
            "from_what": "the determination",
            "note": "35 days for records more than 24 months old",
        }
    ],
    "mt": [
        {
            "requires": "fulfil",
            "days": 90,
            "unit": "calendar",
            "citation": "Mont. Code Ann. § 2-6-1006(2)-(3)",
            "confidence": "medium",
            "from_what": "the acknowledgment",
            "note": "executive branch only; a single readily available record within 5 business "
            "days of the acknowledgment; up to 6 months with written notice",
        }
    ],
}
FIRST_CITATION_MORE = {"or": "ORS 192.324(2)", "sc": "S.C. Code § 30-4-30(C)"}

# The zone a state's deadlines end in: its capital's (where its agencies mostly sit). Where
# a state spans two zones, an agency in the other one ends its day an hour apart: said in
# `zone_basis`. Federal FOIA has none: agencies are in every zone, so the server's is used.
TIMEZONES = {
    "al": "America/Chicago", "ak": "America/Juneau", "az": "America/Phoenix",
    "ar": "America/Chicago", "ca": "America/Los_Angeles", "co": "America/Denver",
    "ct": "America/New_York", "de": "America/New_York", "dc": "America/New_York",
    "fl": "America/New_York", "ga": "America/New_York", "hi": "Pacific/Honolulu",
    "id": "America/Boise", "il": "America/Chicago", "in": "America/Indiana/Indianapolis",
    "ia": "America/Chicago", "ks": "America/Chicago", "ky": "America/New_York",
    "la": "America/Chicago", "me": "America/New_York", "md": "America/New_York",
    "ma": "America/New_York", "mi": "America/Detroit", "mn": "America/Chicago",
    "ms": "America/Chicago", "mo": "America/Chicago", "mt": "America/Denver",
    "ne": "America/Chicago", "nv": "America/Los_Angeles", "nh": "America/New_York",
    "nj": "America/New_York", "nm": "America/Denver", "ny": "America/New_York",
    "nc": "America/New_York", "nd": "America/Chicago", "oh": "America/New_York",
    "ok": "America/Chicago", "or": "America/Los_Angeles", "pa": "America/New_York",
    "ri": "America/New_York", "sc": "America/New_York", "sd": "America/Chicago",
    "tn": "America/Chicago", "tx": "America/Chicago", "ut": "America/Denver",
    "vt": "America/New_York", "va": "America/New_York", "wa": "America/Los_Angeles",
    "wv": "America/New_York", "wi": "America/Chicago", "wy": "America/Denver",
}  # fmt: skip
TWO_ZONES = {"ak", "fl", "id", "in", "ks", "ky", "mi", "ne", "nd", "or", "sd", "tn", "tx"}


def zone_basis(key: str) -> str:
    if key == FEDERAL:
        return "federal agencies are in every zone: the server's time zone"
    basis = f"the state capital's time zone ({TIMEZONES[key]})"
    if key in TWO_ZONES:
        basis += "; the state spans two zones: an agency in the other ends its day an hour apart"
    return basis


def stage_rule(key: str, unit: str) -> tuple[str, str]:
    """The engine's counting rule for a period of `unit`, and why."""
    if unit == "business":
        basis = (
            "'excepting Saturdays, Sundays, and legal public holidays': US federal holidays skipped"
            if key == FEDERAL
            else f"business days: weekends and {key.upper()} state holidays skipped (the "
            "state's own calendar: a federal holiday its offices work on is a business day)"
        )
        return "business", basis
    if key in ROLL_RULES:
        return "roll", ROLL_RULES[key]
    return "calendar", (
        "calendar days, no roll rule in the research: a last day on a weekend is not "
        "moved (the earliest day the law may mean)"
    )


ROLL_RULES = {"ca": "Cal. Civ. Proc. Code §§ 12, 12a"}


def short_name(law: dict[str, Any]) -> str:
    if law["key"] == FEDERAL:
        return "FOIA"
    found = re.search(r"\(([A-Z]{2,})\)", law["law"])
    if found:
        return found.group(1)
    if "Freedom of Information Act" in law["law"]:
        return "FOIA"
    name = law["law"].split(" (")[0]
    return name.removeprefix(law["name"]).strip() or name


def convert(law: dict[str, Any]) -> dict[str, Any]:
    key = FEDERAL if law["key"] == "us-federal" else law["key"]
    law = {**law, "key": key}
    jurisdiction = "Federal" if key == FEDERAL else law["name"]
    calendar = "US" if key == FEDERAL else f"US-{key.upper()}"
    first = None
    if law["days"] is not None:
        unit = law["unit"]
        rule, basis = stage_rule(key, unit)
        first = {
            "requires": law["counts"],
            "days": law["days"],
            "unit": unit,
            "rule": rule,
            "calendar": calendar,
            "rule_basis": basis,
            "citation": FIRST_CITATION.get(key) or FIRST_CITATION_MORE.get(key, law["citation"]),
        }
    extension = None
    later = []
    if first is not None:
        for stage in LATER_STAGES.get(key, []):
            rule, basis = stage_rule(key, stage["unit"])
            later.append(
                {"counts_from": "done", **stage, "rule": rule, "calendar": calendar,
                 "rule_basis": basis}
            )  # fmt: skip
    stage_periods = {(s["days"], s["unit"]) for s in later}
    if law["extension_days"] is not None and first is not None:
        counted = {"days": law["extension_days"], "unit": law["extension_unit"]}
        if (counted["days"], counted["unit"]) not in stage_periods:
            citation, when = EXTENSION.get(key, (law["citation"], "as the law allows"))
            extension = {**counted, "when": when, "citation": citation}
    aliases = ALIASES.get(key, [])
    if "Freedom of Information Act" in law["law"] and key != FEDERAL:
        aliases = [*aliases, f"{law['name'].lower()} foia"]
    if key == "dc":
        aliases = [*aliases, "dc foia"]
    return {
        "key": key,
        "jurisdiction": jurisdiction,
        "law": law["law"],
        "short": short_name(law),
        "aliases": aliases,
        "citation": law["citation"],
        "first": first,
        "extension": extension,
        "later_stages": later,
        "timezone": TIMEZONES.get(key),
        "zone_basis": zone_basis(key),
        "confidence": law["confidence"],
        "note": law["note"],
        "sources": [s.strip() for s in law["source"].split(" ; ") if s.strip()],
    }


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        laws = json.load(f)
    out = {
        "about": "Records-law presets, carried from the research file records-laws.json by "
        "tools/import_laws.py; each law's sources are listed with it. Check the statute "
        "where confidence is not high.",
        "ambiguous": AMBIGUOUS,
        "laws": [convert(law) for law in laws],
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
