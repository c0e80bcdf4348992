"""Records-law presets: each first deadline against a date worked out by hand (the arithmetic
is in the comment of each case), the refusals, the names, and the phrase detection."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.deadlines import (
    AmbiguousPhrase,
    NoFixedPeriodError,
    PhraseError,
    UnknownPresetError,
    calculate,
)
from bot.deadlines.laws import detect_law, find_law, laws, search_laws

D = dt.date

# (preset, start = the day the agency received the request, first due, extended due or None)
CASES = [
    # CA, 10 days, roll (Cal. Civ. Proc. 12, 12a): Thu Jul 17 + 10 = Sun Jul 27, a Sunday,
    # rolled to Mon Jul 28. Extension 14 days from the unrolled last day: Sun Jul 27 + 14 = Sun
    # Aug 10, rolled to Mon Aug 11.
    ("ca", D(2025, 7, 17), D(2025, 7, 28), D(2025, 8, 11)),
    # CA, a state holiday: Fri Mar 21 + 10 = Mon Mar 31, Cesar Chavez Day (in the package's
    # US-CA calendar), rolled to Tue Apr 1. Extension (7922.535(b) extends the time limit,
    # so from the unrolled last day): Mon Mar 31 + 14 = Mon Apr 14, a business day.
    ("ca", D(2025, 3, 21), D(2025, 4, 1), D(2025, 4, 14)),
    # CA, no roll needed: Mon Jul 14 + 10 = Thu Jul 24.
    ("ca", D(2025, 7, 14), D(2025, 7, 24), D(2025, 8, 7)),
    # Federal FOIA, 20 working days across Thanksgiving (Thu Nov 27; the Friday after is no
    # federal holiday): from Thu Nov 20: Nov 21, 24, 25, 26, 28 (5), Dec 1-5 (10), 8-12 (15),
    # 15-19 (20) -> Fri Dec 19. +10 working days: Dec 22, 23, 24, 26 (Christmas skipped),
    # 29, 30, 31, Jan 2 (Jan 1 skipped), 5, 6 -> Tue 2026-01-06.
    ("us-foia", D(2025, 11, 20), D(2025, 12, 19), D(2026, 1, 6)),
    # NY FOIL, 5 business days, a New York holiday: from Mon Feb 10: Tue 11 (1), Wed 12
    # Lincoln's Birthday skipped, Thu 13 (2), Fri 14 (3), Mon 17 Washington's Birthday
    # skipped, Tue 18 (4), Wed 19 (5). No extension: the 20 days are the next stage.
    ("ny", D(2025, 2, 10), D(2025, 2, 19), None),
    # TX PIA, 10 business days: from Mon Aug 18: 19, 20, 21, 22 (4), 25, 26 (6), Wed 27 LBJ
    # Day skipped, 28, 29 (8), Mon Sep 1 Labor Day skipped, Sep 2, 3 (10) -> Wed Sep 3.
    ("tx", D(2025, 8, 18), D(2025, 9, 3), None),
    # DC FOIA, 15 business days: from Mon Apr 7: 8-11 (4), 14, 15 (6), Wed 16 DC Emancipation
    # Day skipped, 17, 18 (8), 21-25 (13), 28, 29 (15) -> Tue Apr 29. +10: Apr 30, May 1, 2
    # (3), 5-9 (8), 12, 13 (10) -> Tue May 13.
    ("dc", D(2025, 4, 7), D(2025, 4, 29), D(2025, 5, 13)),
    # NJ OPRA, 7 business days: from Thu Jul 17: 18 (1), 21-25 (6), Mon 28 (7).
    ("nj", D(2025, 7, 17), D(2025, 7, 28), None),
    # PA RTKL, 5 business days: from Thu Jul 17: 18, 21, 22, 23, 24 -> Thu Jul 24. Extension
    # 30 calendar days: Jul 24 + 30 = Sat Aug 23, off the weekend to Mon Aug 25.
    ("pa", D(2025, 7, 17), D(2025, 7, 24), D(2025, 8, 25)),
    # MA, 10 business days, Patriots' Day: from Mon Apr 14: 15-18 (4), Mon 21 Patriots' Day
    # skipped, 22-25 (8), 28, 29 (10) -> Tue Apr 29. +5: Apr 30, May 1, 2, 5, 6 -> Tue May 6.
    ("ma", D(2025, 4, 14), D(2025, 4, 29), D(2025, 5, 6)),
    # MD PIA, 30 calendar days, no roll: Thu Jul 17 + 30 = Aug 16 (a Saturday, not moved).
    # Extension (with consent) 30 days: Aug 16 + 30 = Mon Sep 15.
    ("md", D(2025, 7, 17), D(2025, 8, 16), D(2025, 9, 15)),
    # IN, 7 calendar days: Thu Jul 17 + 7 = Thu Jul 24.
    ("in", D(2025, 7, 17), D(2025, 7, 24), None),
    # NM IPRA, 15 calendar days: Thu Jul 17 + 15 = Fri Aug 1.
    ("nm", D(2025, 7, 17), D(2025, 8, 1), None),
    # AL, 10 days (medium confidence, read as calendar days): Jul 17 + 10 = Sun Jul 27.
    ("al", D(2025, 7, 17), D(2025, 7, 27), None),
    # IL FOIA, 5 business days: from Thu Jul 17 -> Thu Jul 24; +5 -> Thu Jul 31.
    ("il", D(2025, 7, 17), D(2025, 7, 24), D(2025, 7, 31)),
    # WY, 30 calendar days (medium): Jul 17 + 30 = Sat Aug 16, not moved.
    ("wy", D(2025, 7, 17), D(2025, 8, 16), None),
]


@pytest.mark.parametrize(("key", "start", "due", "extended"), CASES)
def test_first_deadline_as_worked_out_by_hand(
    key: str, start: dt.date, due: dt.date, extended: dt.date | None
) -> None:
    result = calculate("", start=start, preset=key)
    assert result.due.due == due
    assert result.law is not None
    assert result.law.key == key
    stage = result.stages[0]
    assert len(result.stages) == len(result.law.stages)
    assert stage.due.due == due
    assert stage.extended_due == extended
    assert (result.allowed is not None) == (extended is not None)
    assert result.due.calendar == ("US" if key == "us-foia" else f"US-{key.upper()}")


def test_california_explanation_cites_the_law_and_the_roll() -> None:
    result = calculate("LA County jail contracts", start=D(2025, 7, 17), preset="cpra")
    assert result.title == "LA County jail contracts"
    assert result.due.rule == "roll"
    first = result.due.explanation[0]
    assert first.startswith("Cal. Gov. Code § 7922.535(a): 10 days from receipt")
    assert "last day Sun 2025-07-27 rolled to Mon 2025-07-28" in first
    assert "Cal. Civ. Proc. Code §§ 12, 12a" in first
    assert any(
        "7922.535(b)" in step and "Mon 2025-08-11" in step for step in result.due.explanation
    )


def test_federal_foia_counts_working_days_and_names_thanksgiving() -> None:
    result = calculate("", start=D(2025, 11, 20), preset="us-foia")
    assert result.due.rule == "business"
    assert result.title == "Federal FOIA request"
    assert any("Thanksgiving" in step for step in result.due.explanation)
    assert result.due.explanation[0].startswith("5 U.S.C. § 552(a)(6)(A)(i)")


def test_the_extension_is_what_the_extend_button_counts() -> None:
    """The allowed extension is stored as a phrase; counted from the due date under the
    deadline's own rule and calendar (as `extend(allowed=True)` does) it gives extended_due."""
    from bot.deadlines import compute_due, parse_phrase

    for key in ("ca", "us-foia", "pa", "dc", "md"):
        result = calculate("", start=D(2025, 7, 17), preset=key)
        assert result.allowed is not None
        assert len(result.allowed) <= 100
        again = compute_due(
            result.due.due,
            parse_phrase(result.allowed).spec,
            rule=result.due.rule,
            calendar=result.due.calendar,
        )
        assert again.due == result.stages[0].extended_due


def test_no_fixed_period_is_listed_but_refused_by_name() -> None:
    florida = find_law("fl")
    assert florida in laws()
    assert florida.first is None
    with pytest.raises(NoFixedPeriodError) as error:
        calculate("Sheriff emails", start=D(2025, 7, 17), preset="fl")
    assert error.value.message == (
        "Florida's law sets no fixed period; track a date you agree with the agency"
    )
    assert sum(law.first is None for law in laws()) == 9


def test_medium_confidence_stays_visible() -> None:
    result = calculate("", start=D(2025, 7, 17), preset="al")
    assert result.law is not None
    assert result.law.confidence == "medium"
    assert any("confidence in this preset: medium" in s for s in result.due.explanation)


def test_keys_aliases_and_names() -> None:
    assert len(laws()) == 52
    keys = {law.key for law in laws()}
    assert {"us-foia", "ca", "ny", "tx", "dc"} <= keys
    for name, key in [("CPRA", "ca"), ("foil", "ny"), ("OPRA", "nj"), ("rtkl", "pa"),
                      ("foia", "us-foia"), ("California - CPRA", "ca"), ("New York", "ny"),
                      ("tpia", "tx"), ("mpia", "md")]:  # fmt: skip
        assert find_law(name).key == key
    with pytest.raises(UnknownPresetError, match="md \\(Maryland\\), tx \\(Texas\\)"):
        find_law("pia")
    with pytest.raises(UnknownPresetError):
        find_law("atlantis")


def test_autocomplete_choices_fit_discord() -> None:
    assert len(search_laws("")) == 25
    assert [law.label for law in search_laws("cpra")] == ["California - CPRA"]
    assert search_laws("new y")[0].label == "New York - FOIL"
    assert search_laws("federal")[0].label == "Federal - FOIA"
    assert all(len(law.label) <= 100 for law in laws())


@pytest.mark.parametrize(
    ("phrase", "key", "due"),
    [
        # CA: Thu Jul 17 + 10 = Sun Jul 27 -> Mon Jul 28.
        ("CPRA request to LA County", "ca", D(2025, 7, 28)),
        # Federal: 20 working days from Thu Jul 17: Jul 18, 21-25 (6), 28-Aug 1 (11),
        # Aug 4-8 (16), 11-14 (20) -> Thu Aug 14.
        ("FOIA request to the FBI", "us-foia", D(2025, 8, 14)),
        # NJ: 7 business days from Thu Jul 17 -> Mon Jul 28.
        ("Newark OPRA request", "nj", D(2025, 7, 28)),
        # A state's own FOIA, named with the state, is that state's: 5 business days -> Jul 24.
        ("Michigan FOIA request to Detroit PD", "mi", D(2025, 7, 24)),
        ("West Virginia FOIA to the DOH", "wv", D(2025, 7, 24)),
    ],
)
def test_a_phrase_naming_a_law_and_no_period_is_counted_by_it(
    phrase: str, key: str, due: dt.date
) -> None:
    result = calculate(phrase, start=D(2025, 7, 17))
    assert result.law is not None
    assert result.law.key == key
    assert result.title == phrase
    assert result.due.due == due


def test_a_phrase_with_its_own_period_keeps_it() -> None:
    """'FOIA to FBI, 20 business days' is counted as written, by the server's calendar: the
    law named is not guessed over the period given."""
    result = calculate("FOIA to FBI, 20 business days", start=D(2025, 7, 17), calendar="US-CA")
    assert result.law is None
    assert result.stages == ()
    assert result.due.calendar == "US-CA"
    result = calculate("CPRA request, 30 days", start=D(2025, 7, 17))
    assert result.law is None
    assert result.due.due == D(2025, 8, 16)


def test_detection_refuses_rather_than_guesses() -> None:
    assert detect_law("Bondi letter") is None
    assert detect_law("FOIAble records") is None  # a word, not part of one
    with pytest.raises(AmbiguousPhrase) as error:
        calculate("PIA request to Austin", start=D(2025, 7, 17))
    assert error.value.readings == ("MPIA request to Austin", "TPIA request to Austin")
    with pytest.raises(PhraseError, match="more than one records law"):
        calculate("CPRA and OPRA requests", start=D(2025, 7, 17))
    # A digit: the phrase tried to say when, and its own error stands.
    with pytest.raises(PhraseError, match="could not find a period"):
        calculate("CPRA request by Frbruary 3", start=D(2025, 7, 17))
    # Nothing named: the usual error.
    with pytest.raises(PhraseError, match="could not find a period"):
        calculate("Request to LA County", start=D(2025, 7, 17))


def test_a_preset_takes_a_title_not_a_period() -> None:
    with pytest.raises(PhraseError, match="says when itself"):
        calculate("Jail records, 30 days", start=D(2025, 7, 17), preset="ny")
