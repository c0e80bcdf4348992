"""Carry the records-law research (records-laws.json) into bot/deadlines/laws.json, once.

Run: python tools/import_laws.py ../shared/data/records-laws.json > bot/deadlines/laws.json

The research gives each law's first deadline (days, unit, what it requires), extension,
sources, confidence and a note. This adds what the bot needs to count it, each choice written
into the file with its reason (`rule_basis`): the counting rule and holiday calendar, the
first stage's own citation where it is known, the common names people type (aliases), and,
where the research's "extension" is in fact the next stage of the law (New York, Alabama,
Oregon: a second period counted from the acknowledgment), that stage as `next_stage` instead,
so that the Extend button never offers a stage as an extension.
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
    "ca": ["cpra", "california public records act"],
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
# The research's "extension" that is the law's second stage, counted from the acknowledgment.
NEXT_STAGE = {
    "ny": "grant or deny within 20 business days of the acknowledgment",
    "al": "substantive response within 15 business days after the acknowledgment",
    "or": "complete the response within 10 business days after the acknowledgment",
}
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
        if unit == "business":
            rule = "business"
            basis = (
                "'excepting Saturdays, Sundays, and legal public holidays': US federal "
                "holidays skipped"
                if key == FEDERAL
                else f"business days: weekends, US federal and {key.upper()} state holidays skipped"
            )
        elif key in ROLL_RULES:
            rule, basis = "roll", ROLL_RULES[key]
        else:
            rule = "calendar"
            basis = (
                "calendar days, no roll rule in the research: a last day on a weekend is not "
                "moved (the earliest day the law may mean)"
            )
        first = {
            "requires": law["counts"],
            "days": law["days"],
            "unit": unit,
            "rule": rule,
            "calendar": calendar,
            "rule_basis": basis,
            "citation": FIRST_CITATION.get(key, law["citation"]),
        }
    extension = next_stage = None
    if law["extension_days"] is not None and first is not None:
        counted = {"days": law["extension_days"], "unit": law["extension_unit"]}
        if key in NEXT_STAGE:
            next_stage = {**counted, "what": NEXT_STAGE[key], "citation": law["citation"]}
        else:
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
        "next_stage": next_stage,
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
