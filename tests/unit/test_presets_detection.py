"""When a phrase picks a records-law preset (the review's items 1, 2, 10 and 11): only when it
says it is a request under that law; plain FOIA only for a federal agency. Every date is
counted by hand from Thu 2025-07-17 (the day the agency received the request)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.deadlines import PhraseError, calculate

START = dt.date(2025, 7, 17)
NO_PERIOD = "could not find a period or a due date"

# Federal FOIA, 20 working days: Jul 18 (1), 21-25 (6), 28-Aug 1 (11), 4-8 (16), 11-14 (20).
FOIA_DUE = dt.date(2025, 8, 14)
# CPRA, 10 days: Sun Jul 27, rolled to Mon Jul 28.
CPRA_DUE = dt.date(2025, 7, 28)
# OPRA, 7 business days: Jul 18 (1), 21-25 (6), Mon 28 (7).
OPRA_DUE = dt.date(2025, 7, 28)
# FOIL, acknowledge in 5 business days: Jul 18, 21, 22, 23, 24.
FOIL_DUE = dt.date(2025, 7, 24)
# DC FOIA, 15 business days: Jul 18 (1), 21-25 (6), 28-Aug 1 (11), Aug 4-7 (15).
DC_DUE = dt.date(2025, 8, 7)
# Georgia, 3 business days: Jul 18, 21, 22.
GA_DUE = dt.date(2025, 7, 22)


@pytest.mark.parametrize(
    ("phrase", "key", "due"),
    [
        ("CPRA request to LA County", "ca", CPRA_DUE),
        ("FOIA request to the FBI", "us-foia", FOIA_DUE),
        ("Newark OPRA request", "nj", OPRA_DUE),
        ("FOIL request to the NYPD", "ny", FOIL_DUE),
        ("foil request to the NYPD", "ny", FOIL_DUE),  # lowercase, right before "request"
        ("FOIL to the NYPD", "ny", FOIL_DUE),  # in capitals, with the agency
        ("FOIA to the FBI", "us-foia", FOIA_DUE),
        ("CPRA records request to LA County", "ca", CPRA_DUE),
        ("federal FOIA request to EPA", "us-foia", FOIA_DUE),
        ("FOIA request to the State Department", "us-foia", FOIA_DUE),
        ("FOIA request to ICE", "us-foia", FOIA_DUE),
        ("FOIA request re: Washington Post story", "us-foia", FOIA_DUE),  # a paper, no state
        # Item 1: "D.C." is DC's own FOIA, as "DC" was.
        ("D.C. FOIA request to MPD", "dc", DC_DUE),
        ("DC FOIA request to MPD", "dc", DC_DUE),
        # Item 10: full names, "Cal PRA", "<state> open records", and numbers that are no date.
        ("Open Public Records Act request to Newark", "nj", OPRA_DUE),
        ("Freedom of Information Act request to DHS", "us-foia", FOIA_DUE),
        ("Cal PRA request", "ca", CPRA_DUE),
        ("Georgia open records request", "ga", GA_DUE),
        ("FOIA request for the 2024 budget", "us-foia", FOIA_DUE),
        ("FOIA request to the FBI (case 2024-123)", "us-foia", FOIA_DUE),
        ("FOIA request #55 to the FBI", "us-foia", FOIA_DUE),
        ("FOIA request sent to the FBI", "us-foia", FOIA_DUE),  # no day said
    ],
)
def test_a_request_under_a_law_is_counted_by_its_preset(
    phrase: str, key: str, due: dt.date
) -> None:
    result = calculate(phrase, start=START)
    assert result.law is not None
    assert result.law.key == key
    assert result.due.due == due
    assert result.title == phrase


@pytest.mark.parametrize(
    "phrase",
    [
        # Item 2: words and names, not the law.
        "Tin foil story",
        "Foil the plan",
        "Foil to the plan",
        "Cora's birthday party",
        "Ask about cora",
        "Grama's birthday",
        # Item 2: a law named, but no request.
        "Story about FOIA reform bill",
        "Interview the FOIA officer",
        "FOIA officer lunch",
        "Edit the CPRA explainer",
        "Moms for Liberty FOIA story",
        "FOIA",
        "OPRA",
        "FOIA'd documents from DHS",
        "FOIA to be reformed",
        # Item 2: another proceeding, with other periods.
        "FOIA lawsuit filing",
        "CPRA appeal",
        "Follow up on FOIL denial",
        "Pennsylvania RTKL appeal",
        "FOIA appeal",
        "FOIA request appeal",
        "FOIA request denied by the FBI",
        # The phrase says it has no fixed period.
        "Alabama records request - no statutory deadline",
        "CPRA request, respond promptly",
        # A digit that may say when: its error stands.
        "CPRA request by Frbruary 3",
        "CPRA request 3",
        # Still refused (item 10): no state named, or a name two states' laws go by.
        "Public records request to Seattle",
        "Sunshine law request Missouri",
    ],
)
def test_no_request_under_a_law_is_refused_as_before_presets(phrase: str) -> None:
    with pytest.raises(PhraseError, match=NO_PERIOD):
        calculate(phrase, start=START)


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("Texas FOIA request", "Texas's records law is its own Public Information Act (PIA), "
                               "not federal FOIA: use preset:tx"),
        ("FOIA request to Texas DPS", "Texas's records law is its own Public Information Act "
                                      "(PIA), not federal FOIA: use preset:tx"),
        ("New York FOIA request", "New York's records law is its own Freedom of Information "
                                  "Law (FOIL), not federal FOIA: use preset:ny"),
        ("NY FOIA request", "New York's records law is its own Freedom of Information Law "
                            "(FOIL), not federal FOIA: use preset:ny"),
        ("California FOIA request", "California's records law is its own Public Records Act "
                                    "(CPRA), not federal FOIA: use preset:ca"),
        ("Georgia FOIA request to Atlanta PD", "Georgia's records law is its own Open Records "
                                               "Act, not federal FOIA: use preset:ga"),
        ("Ohio FOIA request", "Ohio's records law is its own Public Records Act, not federal "
                              "FOIA: use preset:oh"),
        ("Florida FOIA request to Miami PD", "Florida's records law is its own Public Records "
                                             "Act, not federal FOIA: use preset:fl"),
        ("FOIA request to Washington, D.C. police", "District of Columbia's records law is "
         "its own Freedom of Information Act, not federal FOIA: use preset:dc"),
        ("FOIA request to NYPD", "FOIA is the federal law; a city, county or state agency "
                                 "('NYPD') answers under its state's law: pick the state's "
                                 "preset"),
        ("FOIA request to LAPD", "FOIA is the federal law; a city, county or state agency "
                                 "('LAPD') answers under its state's law: pick the state's "
                                 "preset"),
        ("FOIA request to the county sheriff", "FOIA is the federal law; a city, county or "
         "state agency ('county') answers under its state's law: pick the state's preset"),
        ("FOIA request to New York and New Jersey", "the phrase names New York, New Jersey: "
         "FOIA is the federal law, and a state's agency answers under its state's law; pick "
         "that state's preset"),
        ("FOIA request to the FBI's New York field office", "the phrase names a federal "
         "agency ('FBI') and a state or local one ('New York'): federal FOIA binds only "
         "federal agencies; say which law"),
        # Item 11: the day it came in is the start date, not words the count would drop.
        ("CPRA request received yesterday", "the phrase says when the request came in "
         "('received'); the count starts from the start date: give the day the agency "
         "received it there"),
        ("FOIA request to the FBI sent last Friday", "the phrase says when the request came "
         "in ('sent'); the count starts from the start date: give the day the "
         "agency received it there"),
    ],
)  # fmt: skip
def test_plain_foia_for_a_state_or_city_is_refused_naming_the_law(
    phrase: str, message: str
) -> None:
    with pytest.raises(PhraseError) as error:
        calculate(phrase, start=START)
    assert error.value.message == message
    assert error.value.example  # what works


def test_a_state_named_gives_an_example_that_works() -> None:
    with pytest.raises(PhraseError) as error:
        calculate("Texas FOIA request", start=START)
    assert error.value.example == "Texas public records request, or preset:tx"
    # The example itself reads: Texas, 10 business days: Jul 18 (1), 21-25 (6), 28-31 (10).
    result = calculate("Texas public records request", start=START)
    assert result.law is not None
    assert (result.law.key, result.due.due) == ("tx", dt.date(2025, 7, 31))


def test_the_preset_option_is_unaffected() -> None:
    """`preset:` names the law: the title is only a title, whatever words it holds."""
    result = calculate("Tin foil story", start=START, preset="ny")
    assert (result.title, result.due.due) == ("Tin foil story", FOIL_DUE)
    result = calculate("Texas FOIA request", start=START, preset="us-foia")
    assert result.due.due == FOIA_DUE
