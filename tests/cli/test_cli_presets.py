"""`python -m bot presets` and `python -m bot due --preset`, as real subprocesses."""

from __future__ import annotations

import json

from tests.cli.test_cli import run_cli


def test_presets_lists_every_law_with_its_first_deadline() -> None:
    proc = run_cli("presets")
    assert proc.returncode == 0, proc.stderr
    assert "us-foia  Federal - FOIA" in proc.stdout
    assert "ca       California - CPRA" in proc.stdout
    assert "first deadline: 10 days to determine (roll rule)" in proc.stdout
    assert "first deadline: no fixed period" in proc.stdout  # Florida and eight more
    assert "[confidence: medium]" in proc.stdout
    assert (
        "then: 20 business days from the acknowledgment to grant or deny "
        "(N.Y. Pub. Off. Law § 89(3)(a))"
    ) in proc.stdout


def test_presets_json() -> None:
    proc = run_cli("presets", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 52
    by_key = {row["key"]: row for row in rows}
    assert by_key["ny"]["name"] == "New York - FOIL"
    assert by_key["ca"]["citation"].startswith("Cal. Gov. Code § 7922.535")
    assert by_key["fl"]["first_deadline"] == "no fixed period"
    assert by_key["al"]["confidence"] == "medium"
    assert {"key", "name", "law", "citation", "first_deadline", "confidence"} <= set(rows[0])


def test_due_preset_json_has_the_stages() -> None:
    # 10 days from Thu Jul 17 = Sun Jul 27 -> Mon Jul 28 (Cal. Civ. Proc. 12a); +14 -> Aug 11.
    proc = run_cli("due", "", "--preset", "ca", "--from", "2025-07-17", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["due"] == "2025-07-28"
    assert data["preset"] == "ca"
    assert data["rule"] == "roll"
    assert data["calendar"] == "US-CA"
    (stage,) = data["stages"]
    assert {k: v for k, v in stage.items() if k != "explanation"} == {
        "name": "determine",
        "due": "2025-07-28",
        "rule": "roll",
        "calendar": "US-CA",
        "citation": "Cal. Gov. Code § 7922.535(a)",
        "extended_due": "2025-08-11",
        "counted_from": "receipt",
        "confidence": "high",
        # The end of the day in California, the state's zone, not the server's (New York).
        "due_at": "2025-07-28T23:59:59-07:00",
    }
    assert data["timezone"] == "America/Los_Angeles"
    assert data["due_at"] == "2025-07-28T23:59:59-07:00"
    assert "last day Sun 2025-07-27 rolled to Mon 2025-07-28" in data["explanation"][0]


def test_due_preset_json_has_every_stage_each_from_the_one_before() -> None:
    # NY FOIL from Thu 2025-07-17: acknowledge in 5 business days: Fri 18 (1), Mon 21 (2),
    # Tue 22, Wed 23, Thu 24 (5) -> Thu Jul 24. Then grant or deny within 20 business days of
    # the acknowledgment, counted from Jul 24 if nobody marks it: Fri 25 (1), Jul 28-Aug 1
    # (6), Aug 4-8 (11), 11-15 (16), 18-21 (20) -> Thu Aug 21 (no NY holiday in between).
    proc = run_cli("due", "Jail contracts", "--preset", "ny", "--from", "2025-07-17", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["due"] == data["stages"][0]["due"] == "2025-07-24"
    assert [
        (s["name"], s["due"], s["rule"], s["citation"], s["extended_due"], s["counted_from"])
        for s in data["stages"]
    ] == [
        ("acknowledge", "2025-07-24", "business", "N.Y. Pub. Off. Law § 89(3)(a)", None,
         "receipt"),
        ("grant or deny", "2025-08-21", "business", "N.Y. Pub. Off. Law § 89(3)(a)", None,
         "the acknowledgment"),
    ]  # fmt: skip
    assert data["stages"][1]["explanation"][1] == (
        "day 0: Thu 2025-07-24 (the due date of stage 1, acknowledge: nobody marked it done)"
    )
    # South Carolina: determine in 10 business days, then produce within 30 calendar days
    # of the determination. From Mon 2025-09-01 (Labor Day, so not a day counted anyway):
    # Sep 2-5 (4), 8-12 (9), Mon 15 (10) -> Mon Sep 15; + 30 days -> Wed Oct 15.
    proc = run_cli("due", "", "--preset", "sc", "--from", "2025-09-01", "--json")
    stages = json.loads(proc.stdout)["stages"]
    assert [(s["name"], s["due"], s["rule"]) for s in stages] == [
        ("determine", "2025-09-15", "business"),
        ("produce", "2025-10-15", "calendar"),
    ]
    # Montana's second stage is of medium confidence, and says so.
    proc = run_cli("due", "", "--preset", "mt", "--from", "2025-09-02", "--json")
    stages = json.loads(proc.stdout)["stages"]
    assert [s["confidence"] for s in stages] == ["medium", "medium"]


def test_due_preset_with_a_title_and_the_phrase_alone() -> None:
    proc = run_cli("due", "Jail contracts", "--preset", "foil", "--from", "2025-07-17")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Jail contracts\nLaw: Freedom of Information Law (FOIL)")
    assert "Due: Thu 2025-07-24" in proc.stdout
    proc = run_cli("due", "FOIA request to the FBI", "--from", "2025-11-20", "--json")
    assert json.loads(proc.stdout)["due"] == "2025-12-19"  # across Thanksgiving


def test_due_preset_refusals() -> None:
    proc = run_cli("due", "Sheriff emails", "--preset", "fl", "--from", "2025-07-17")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Florida's law sets no fixed period; track a date you agree with the agency" in (
        proc.stderr
    )
    proc = run_cli("due", "", "--preset", "atlantis")
    assert proc.returncode == 2
    assert "no records-law preset 'atlantis'" in proc.stderr
    proc = run_cli("due", "", "--preset", "ca", "--rule", "business")
    assert proc.returncode == 2
    assert "leave out --rule" in proc.stderr


def test_the_readme_table_is_the_data() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- presets table -->\n")[1].split("\n<!-- end presets table -->")[0]
    proc = run_cli("presets", "--markdown")
    assert proc.returncode == 0, proc.stderr
    assert table == proc.stdout.rstrip("\n"), "run: python -m bot presets --markdown"
