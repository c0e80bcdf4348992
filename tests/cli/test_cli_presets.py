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
    assert stage == {
        "name": "determine",
        "due": "2025-07-28",
        "rule": "roll",
        "calendar": "US-CA",
        "citation": "Cal. Gov. Code § 7922.535(a)",
        "extended_due": "2025-08-11",
    }
    assert "last day Sun 2025-07-27 rolled to Mon 2025-07-28" in data["explanation"][0]


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
