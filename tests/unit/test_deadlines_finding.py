"""Finding deadlines in a text (issue 13): the sentences that state one, with day 0 from the
sentence, an earlier sentence, the date line or the message's date; never past events, ages
or counts. Texts written for these tests (the seed article is a reference, not a fixture)."""

from __future__ import annotations

import datetime as dt

from bot.deadlines.finding import find_deadlines, sentences

ARTICLE = (
    "date 2025-03-06 The state auditor is pressing three school districts for records.\n\n"
    'Auditor Lena Ortiz on Tuesday sent notices to the districts, asking for "all invoices '
    'since Jan. 1."\n\n'
    "The districts have 20 business days to respond.\n\n"
    "Ortiz, 52, said the districts were given 10 days last year and missed it. On Feb. 11, "
    "the board met for 3 hours.\n\n"
    "One district, Riverside, has until March 31 to file its audit, officials said. Just one "
    "day earlier, it hired a lawyer.\n"
)


def test_each_deadline_of_an_article_with_its_day_0() -> None:
    found = find_deadlines(ARTICLE, date=dt.date(2025, 3, 9))

    assert [(f.sentence, f.start, f.due.due) for f in found] == [
        # "on Tuesday", read against the date line (Thu 2025-03-06): Tue 2025-03-04.
        ("The districts have 20 business days to respond.", dt.date(2025, 3, 4),
         dt.date(2025, 4, 1)),
        ("One district, Riverside, has until March 31 to file its audit, officials said.",
         dt.date(2025, 2, 11), dt.date(2025, 3, 31)),
    ]  # fmt: skip
    assert found[0].start_note == "Tuesday in an earlier sentence"
    assert found[0].title == "The districts have 20 business days to respond"


def test_past_events_ages_counts_and_lengths_are_not_deadlines() -> None:
    text = (
        "On July 11, the mayor signed an order. Just one day earlier, the city sued. "
        "The clerk, 30 years old, was sentenced to 30 days in jail. Five counties answered. "
        "The hearing lasted 2 hours."
    )
    assert find_deadlines(text, date=dt.date(2025, 7, 17)) == []


def test_a_start_in_the_sentence_wins_and_without_a_date_line_the_message_date_counts() -> None:
    text = "Agencies must reply within 30 days of July 1, 2025. The union has 14 days to appeal."
    first, second = find_deadlines(text, date=dt.date(2025, 7, 20))
    assert (first.start, first.due.due) == (dt.date(2025, 7, 1), dt.date(2025, 7, 31))
    assert (second.start, second.start_note) == (dt.date(2025, 7, 20), "the message's date")


def test_abbreviations_do_not_end_a_sentence() -> None:
    assert sentences("Reply by Aug. 15 at 5 p.m. to Sen. Ortiz. Then wait.") == [
        "Reply by Aug. 15 at 5 p.m. to Sen. Ortiz.",
        "Then wait.",
    ]


def test_a_rule_applies_to_what_is_found() -> None:
    (found,) = find_deadlines("Bondi gave sheriffs 30 days to comply.", date=dt.date(2025, 7, 17),
                              rule="roll")  # fmt: skip
    assert found.due.due == dt.date(2025, 8, 18)  # Sat Aug 16 rolled to Monday


def test_a_sentence_with_two_deadlines_gives_both() -> None:
    text = "The districts have 20 business days to respond, and Riverside has until March 31."
    found = find_deadlines(text, date=dt.date(2025, 3, 4))
    assert [(f.period, f.due.due) for f in found] == [
        ("20 business days", dt.date(2025, 4, 1)),
        ("until March 31", dt.date(2025, 3, 31)),
    ]
