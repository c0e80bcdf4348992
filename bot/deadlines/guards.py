"""What must never be read as a plain deadline: the words around an expression that change
its meaning. Each guard either returns nothing (the expression means what it says) or raises
PhraseError naming the words, with a form that works.

Found by trying hundreds of phrasings against the reader: ranges ("30-45 days", "five or six
days"), the past ("30 days ago", "last Friday"), bounds that are not deadlines ("after Aug
15", "at least 30 days", "about two weeks"), negations ("did not respond within 10 days"),
days named through another ("the first Monday in August"), times without a.m./p.m. or with a
zone the reader does not know, fractions, and repeats ("twice a month", "Fridays").
"""

from __future__ import annotations

import re

from .errors import PhraseError
from .reading import _ORDINALS as _ORDINAL_NUMBERS
from .reading import ZONES, Expression, Tok

_ORDINAL_WORDS = frozenset(_ORDINAL_NUMBERS)

_BEFORE_LIKE: tuple[tuple[str, ...], ...] = (
    ("prior", "to"),
    ("ahead", "of"),
    ("earlier", "than"),
    ("in", "advance", "of"),
)
_AFTER_LIKE: tuple[tuple[str, ...], ...] = (
    ("sometime", "after"), ("no", "earlier", "than"), ("not", "earlier", "than"),
    ("no", "sooner", "than"), ("later", "than"), ("after",), ("past",), ("following",),
    ("since",), ("starting",), ("beginning",), ("as", "of"), ("effective",),
)  # fmt: skip
_ROUGH: tuple[tuple[str, ...], ...] = (
    ("a", "minimum", "of"), ("in", "less", "than"), ("at", "least"), ("more", "than"),
    ("less", "than"), ("fewer", "than"), ("about",), ("approximately",), ("roughly",),
    ("around",), ("circa",), ("over",), ("nearly",), ("almost",), ("some",),
)  # fmt: skip
_EARLIEST_BEFORE: tuple[tuple[str, ...], ...] = (
    ("as", "little", "as"), ("as", "few", "as"), ("as", "soon", "as"), ("as", "early", "as"),
    ("at", "minimum"), ("at", "a", "minimum"), ("at", "the", "earliest"), ("at", "earliest"),
    ("at", "the", "soonest"), ("the", "earliest"), ("earliest",),
)  # fmt: skip
_EARLIEST_AFTER: tuple[tuple[str, ...], ...] = (
    ("at", "the", "earliest"), ("at", "earliest"), ("at", "the", "soonest"), ("or", "later"),
    ("or", "more"), ("or", "after"), ("at", "minimum"), ("at", "a", "minimum"),
)  # fmt: skip
_PAST_WORDS = {"ago", "earlier", "prior", "late", "overdue", "back", "old"}
_NEGATIONS = {"not", "never", "didn't", "hasn't", "haven't", "wasn't", "weren't", "isn't",
              "don't", "doesn't", "won't"}  # fmt: skip
_ORDINALS = {"first", "second", "third", "fourth", "fifth", "last", "final", "1st", "2nd",
             "3rd", "4th", "5th"}  # fmt: skip
_PARTS_OF_DAY = {"morning", "afternoon", "evening", "night", "noonish"}
_FOREIGN_ZONES = {
    "atlantic", "zulu", "z", "ist", "cet", "cest", "bst", "jst", "kst", "aest", "aedt",
    "nzst", "nzdt", "hkt", "sgt",
    "wat", "eat", "cat", "sast", "msk", "brt", "art", "wet", "west", "eet", "eest", "ast",
    "adt", "nst", "ndt", "chst", "sst", "pht", "wib",
}  # fmt: skip
_RANGE_WORDS = {"or", "to", "-", "through", "thru", "and"}
# Right next to a deadline, these change its day or time, and the reader does not read them:
# "by Thu 5p", "Sat. a.m.", "Friday week", "EOB Friday", "same time tomorrow", "5 p.m. Zulu".
_TIMEISH_AFTER = {"am", "pm", "a", "p", "m", "week", "weeks", "fortnight", "next", "time",
                  "zulu", "z", "eob", "sharp", "nightly", "hrs", "o'clock"}  # fmt: skip
_TIMEISH_BEFORE = {"eob", "week", "time", "zulu"}
_PAST_TENSE = {"were", "was", "had", "missed", "passed", "expired", "ended", "closed", "lapsed",
               "came", "went", "fell"}  # fmt: skip
# Words that may follow a time read as today's ("by 5pm to the desk", "by noon so we can edit").
_AFTER_A_BARE_TIME = {"to", "for", "so", "and", "or", "with", "please", "if", "unless", "when",
                      "then", "that", "at", "from", "in", "is", "are", "latest", "pls", "thanks",
                      "but", "because", "as", "via", "deadline", "sharp"}  # fmt: skip
_HEDGES = {"never", "maybe", "perhaps", "possibly", "probably", "hopefully", "tentatively",
           "tentative", "tbc", "tbd", "provisionally", "likely"}  # fmt: skip
# Before the deadline in its clause: what would, could or usually happen, not what must.
_WHICHEVER = {"earlier", "later", "sooner", "earliest", "latest", "lesser",
              "greater", "longer", "shorter"}  # fmt: skip
_HYPOTHETICAL = {"would", "could", "might"}
_HABITUAL = {"typically", "usually", "generally", "normally", "often", "routinely",
             "sometimes", "rarely", "historically", "average"}  # fmt: skip
# "The agency was supposed to respond by Monday", "was due to respond Monday".
_WAS_TO = {"supposed", "due", "scheduled", "expected", "required", "ordered", "set", "told",
           "asked", "meant", "slated"}  # fmt: skip
# Past tense that is not "-ed": "The city paid within 30 days".
_IRREGULAR_PAST = {"paid", "sent", "made", "took", "did", "got", "wrote", "met", "gave",
                   "began", "ran", "left", "brought", "found", "held", "won", "put"}  # fmt: skip
_OBJECT_STARTS = {"the", "a", "an", "its", "their", "his", "her", "it", "them", "all", "some",
                  "our", "my", "your", "those", "these", "this", "that", "so", "back"}  # fmt: skip
# "The company said it would cut 1,200 jobs within 90 days": a plan reported, not a maybe.
_REPORTED = {"said", "says", "announced", "promised", "pledged", "vowed", "told", "confirmed"}
# Before a "-ed" word, these make it an adjective or a passive, not the past: "an amended
# complaint", "must be served within 20 days", "to be filed".
_NOT_A_PAST_SUBJECT = {"be", "been", "being", "is", "are", "the", "a", "an", "this", "that",
                       "these", "those", "its", "their", "his", "her", "your", "our", "my",
                       "any", "all", "each", "every", "no", "of", "for", "to", "with", "in",
                       "on", "by", "from", "and", "or", "as", "get", "gets"}  # fmt: skip
# Between a past verb and the deadline, these make the deadline a present duty: "ordered
# the county to pay within 30 days", "said the agency must respond within 10 days".
_DUTY = {"to", "must", "shall", "will", "would", "can", "may", "has", "have", "should", "needs",
         "need"}  # fmt: skip
_LENGTH_VERBS = {"served", "spent", "lasted", "open", "sentenced", "took", "waited", "spend",
                 "serve", "lasts", "last", "wait", "waits", "waiting", "serving", "got",
                 "faces", "facing", "kept"}  # fmt: skip


# Time spent, not a deadline: "served 30 days", "jailed for 30 days", "30 days in jail".
_LENGTH_FOR = {"jailed", "detained", "held", "banned", "suspended", "stayed", "paused", "up",
               "imprisoned", "confined", "grounded", "sidelined", "barred", "closed"}  # fmt: skip
_PAST_LENGTH = {"served", "spent", "lasted", "sentenced", "took", "waited", "kept"}
_MODALS = {"must", "shall", "should", "will", "may", "can", "to"}
_CUSTODY = {"jail", "prison", "bars", "custody", "arrest", "probation", "detention", "lockup",
            "confinement", "incarceration", "juvie"}  # fmt: skip


def _is_a_length(toks: list[Tok], main: Expression) -> bool:
    """Time served or spent rather than a deadline: `served 30 days`, `sentenced to 30 days`,
    `jailed for 30 days`, `served it within 30 days` (past), `30 days in jail`. A passive
    with a modal (`must be served within 20 days`) and an imperative (`serve it within 120
    days`) are deadlines."""
    before = [t.text for t in toks[max(0, main.first - 6) : main.first]]
    within = main.lead == "within"

    def modal_passive(k: int) -> bool:  # before[k] is the verb: "must be served", not "was to be"
        if k < 1 or before[k - 1] != "be" or k < 2 or before[k - 2] not in _MODALS:
            return False
        return not (before[k - 2] == "to" and k >= 3 and before[k - 3] in ("was", "were"))

    direct = bool(before[-1:]) and before[-1] in _LENGTH_VERBS
    if direct and not (within and (before[-1] == "serve" or modal_passive(len(before) - 1))):
        return True
    if before[-1:] == ["for"] and len(before) > 1 and before[-2] in _LENGTH_FOR:
        return True
    if before[-2:] in (["sit", "out"], ["term", "of"], ["sentence", "of"], ["sentence", "is"]):
        return True
    if before[-2:] == ["up", "to"] and len(before) > 2 and before[-3] in ("get", "got", "faces"):
        return True
    if before[-3:] == ["for", "up", "to"] and len(before) > 3 and before[-4] in _LENGTH_FOR:
        return True  # "detained for up to 30 days"
    for k in range(len(before) - 1, max(-1, len(before) - 5), -1):  # "served the warrant within"
        word = before[k]
        if word in (",", ";", ":", "-", "(", ")"):
            break  # "Kept, 30 days": a title, then the period
        if k == len(before) - 1:
            continue  # the word right before: see `direct`
        if word in _PAST_LENGTH and not modal_passive(k):
            return True
        if word in _LENGTH_VERBS and not within:
            return True
    after = [t.text for t in toks[main.last : main.last + 4]]
    if after[:1] == ["probation"]:
        return True
    return (
        bool(after[:1])
        and after[0] in ("in", "behind", "of", "at", "on")
        and any(word in _CUSTODY for word in after[1:4])
    )


def _not_firm(toks: list[Tok], main: Expression, cased: str) -> str | None:
    """Why the clause before `main` makes it no deadline, or None: hypothetical (`would give
    agencies 30 days`), habitual (`usually responds within 20 days`), a hedge (`maybe Fri`,
    `may be due by Aug. 1`), or the past (`The county responded within 10 days`, `was
    supposed to respond by Monday`, `should have responded by Monday`)."""
    clause: list[str] = []  # the words before it, nearest first, back to punctuation
    for tok in reversed(toks[max(0, main.first - 10) : main.first]):
        if tok.kind == "punct" and tok.text not in ("'", "-"):
            break
        clause.append(tok.text)
    for k, word in enumerate(clause):
        if word in _HYPOTHETICAL and not (word == "would" and _REPORTED & set(clause[k + 1 :])):
            return "what would or could happen is not a deadline"  # not "said it would"
        if word in _HABITUAL:
            return "what usually happens is not a deadline"
        if word in _HEDGES:
            return "not a firm deadline"
        if word == "be" and clause[k + 1 : k + 2] in (["may"], ["might"]) and k == 0:
            return "not a firm deadline"  # "may be due by Aug. 1" (not "may be extended by")
        if word in ("have", "has", "had") and k > 0:
            verb = clause[k - 1]
            if verb.endswith("ed") or verb in _IRREGULAR_PAST:  # "should have responded by"
                return "that is in the past, not a deadline"
        if word == "to" and clause[k + 1 : k + 3] in (
            [was_to, be] for was_to in _WAS_TO for be in ("was", "were")
        ):
            return "that was due in the past, not a deadline"
        if word == "to" and clause[k + 1 : k + 2] in (["failed"], ["neglected"]):
            return "that is in the past, not a deadline"  # "failed to meet its Aug. 1 deadline"
    if main.kind != "period" or main.lead not in ("within", "in"):
        return None
    for k, word in enumerate(clause[:5]):  # "The county responded within 10 days"
        if word in _DUTY:
            return None
        past = (word.endswith("ed") and len(word) > 4) or word in _IRREGULAR_PAST
        # the verb right before it, or before its object ("released the records"), not an
        # adjective ("expedited processing decision")
        governs = k == 0 or clause[k - 1] in _OBJECT_STARTS
        if past and governs and clause[k + 1 : k + 2] and clause[k + 1] not in _NOT_A_PAST_SUBJECT:
            return "that is in the past, not a deadline"
    return None


def check(toks: list[Tok], main: Expression, cased: str) -> None:
    """Refuse the phrase if the words around `main` change what it means."""
    before = [t.text for t in toks[max(0, main.first - 4) : main.first]]
    after = toks[main.last : main.last + 4]
    said = cased[toks[main.first].start : toks[main.last - 1].end]

    def refuse(words: str, why: str, example: str) -> None:
        raise PhraseError(f"{words!r}: {why}", example=example)

    for seq in _BEFORE_LIKE:
        if tuple(before[-len(seq) :]) == seq and main.kind == "due":
            refuse(f"{' '.join(seq)} {said}", "is the last day the one before, or that day?",
                   f"by {said}")  # fmt: skip
    for seq in _AFTER_LIKE:
        if tuple(before[-len(seq) :]) == seq:
            refuse(f"{' '.join(seq)} {said}", "that is when something starts, not a deadline",
                   f"by {said}")  # fmt: skip
    for seq in _ROUGH if not main.lead else ():
        if tuple(before[-len(seq) :]) == seq:
            refuse(f"{' '.join(seq)} {said}", "a deadline needs an exact period or date",
                   "Reply, 30 days")  # fmt: skip
    # A minimum, not a deadline: "in as little as 10 days", "as soon as Monday", "by Friday at
    # the earliest", "at minimum 10 days", "30 days or more".
    after_text = [t.text for t in after]
    firm = "Reply, 30 days" if main.kind == "period" else "Reply, by Friday"
    for seq in _EARLIEST_BEFORE:
        if tuple(before[-len(seq) :]) == seq:
            refuse(f"{' '.join(seq)} {said}", "the earliest it can be, not a deadline", firm)
    for seq in _EARLIEST_AFTER:
        if tuple(after_text[: len(seq)]) == seq:
            refuse(f"{said} {' '.join(seq)}", "the earliest it can be, not a deadline", firm)
    dash = toks[main.first - 1] if main.first > 0 else None
    negative = dash is not None and (
        dash.text == "minus"
        or (dash.text == "-" and dash.end == toks[main.first].start
            and (main.first == 1 or toks[main.first - 2].end < dash.start))
    )  # fmt: skip
    if negative and main.kind == "period" and not main.lead:
        refuse(f"-{said}", "a period cannot be negative", "Reply, 5 days")
    if before[-2:] in (["overdue", "by"], ["late", "by"]) or before[-2:] == ["past", "due"]:
        refuse(f"{' '.join(before[-2:])} {said}", "that is the past, not a deadline",
               "Reply, 5 days")  # fmt: skip
    # A range: "30-45 days", "five or six days", "between 10 and 20 days", "Aug 1-15".
    prev = toks[main.first - 1] if main.first > 0 else None
    prev2 = toks[main.first - 2] if main.first > 1 else None
    if (
        prev is not None
        and prev2 is not None
        and prev.text in _RANGE_WORDS
        and (prev2.kind in ("num", "date", "unit", "dom"))
    ):
        refuse(cased[prev2.start : toks[main.last - 1].end], "a range: which end is meant?",
               "Reply, 30 days")  # fmt: skip
    if before[-2:] in (["week", "of"], ["month", "of"]):
        refuse(f"the {before[-2]} of {said}", "a span, not a day: which day is due?",
               f"by {said}")  # fmt: skip
    if "between" in before:
        refuse(f"between ... {said}", "a range: which end is meant?", "Reply, 30 days")
    first = after[0] if after else None
    second = after[1] if len(after) > 1 else None
    if first is not None:
        text = first.text
        if (
            text in _RANGE_WORDS | {"+", "plus", "minus", "±"}
            and second is not None
            and (second.kind in ("num", "date", "unit") or second.text in ("a", "an", "two", "or"))
        ):
            refuse(cased[toks[main.first].start : second.end],
                   "a range or a sum I cannot tell apart: which is meant?",
                   "Reply, 30 days")  # fmt: skip
        if main.kind == "period" and (text in _PAST_WORDS or (text == "past" and second and
                                                             second.text == "due")):  # fmt: skip
            refuse(f"{said} {text}", "that is the past (or a length), not a deadline",
                   "Reply, 30 days")  # fmt: skip
        if text == "minimum" or (text == "-" and second is not None and second.text == "ish"):
            refuse(cased[toks[main.first].start : (second or first).end],
                   "a deadline needs an exact period or date", "Reply, 30 days")  # fmt: skip
        if text == "(" and second is not None and second.kind == "num":
            refuse(cased[toks[main.first].start : second.end],
                   "a second period in brackets: which is the deadline?",
                   "Reply, 30 days")  # fmt: skip
    if (
        before[-1:]
        and before[-1] in _RANGE_WORDS | {"&"}
        and (before[-2:-1] and before[-2] in _ORDINAL_WORDS)
    ):  # "the first or second of August", "first to the fifth of August"
        refuse(f"{' '.join(before[-2:])} {said}", "two days or a range: which is due?",
               f"by {said}")  # fmt: skip
    if (
        before[-2:-1]
        and before[-2] in _RANGE_WORDS | {"&"}
        and before[-1] == "the"
        and (before[-3:-2] and before[-3] in _ORDINAL_WORDS)
    ):
        refuse(f"{' '.join(before[-3:])} {said}", "two days or a range: which is due?",
               f"by {said}")  # fmt: skip
    if main.kind == "due" and main.day is not None and main.day.weekday is not None:
        if (before[-1:] and before[-1] in _ORDINALS) or (before[-2:-1] and before[-2] in _ORDINALS):
            refuse(f"{before[-1]} {said}", "a weekday named through a month or a holiday is "
                   "not read yet; give the date", "by Aug 4")  # fmt: skip
        if (
            first is not None
            and first.text in ("of", "in", "after", "before")
            and (main.at is None)
        ):
            refuse(f"{said} {first.text} ...", "a weekday named through a month, a week or a "
                   "holiday is not read yet; give the date", "by Sept. 8")  # fmt: skip
        if first is not None and first.text in _PARTS_OF_DAY:
            refuse(f"{said} {first.text}", "give a time", f"by 10 a.m. {said}")
    if main.kind == "due" and before[-1:] in (["last"], ["previous"], ["past"]):
        refuse(f"{before[-1]} {said}", "that is the past, not a deadline", "by Friday")
    if (
        first is not None
        and first.text in _TIMEISH_AFTER
        and (
            # "a", "m", "time", "next" only right after it ("Sat. a.m.", "Friday next week")
            (first.text not in ("a", "m", "time", "next") and first.kind == "word")
            or first.start == toks[main.last - 1].end + (0 if first.kind == "punct" else 1)
        )
    ):
        refuse(f"{said} {first.text}", "I cannot tell what that does to the day or time",
               "by 5 p.m. Friday")  # fmt: skip
    words_before = [w for w in before if w not in (",", ";", ":")]
    if words_before[-1:] and words_before[-1] in _TIMEISH_BEFORE:
        refuse(f"{words_before[-1]} {said}", "I cannot tell what that does to the day or time",
               "by 5 p.m. Friday")  # fmt: skip
    if main.kind == "period" and _is_a_length(toks, main):
        refuse(f"{' '.join(before[-2:])} {said}".strip(), "a length of time, not a deadline",
               "Reply, 30 days")  # fmt: skip
    if (
        main.kind == "period"
        and not main.lead
        and not main.day0_words
        and any(term.unit == "hour" for term in main.terms)
    ):
        refuse(said, "hours count from now: say 'within 48 hours'", "Reply, within 48 hours")
    # "were due Tuesday", "missed its July 1 deadline", "passed on July 15" (not "Case closed,
    # 30 days": a comma ends the title).
    recent = []
    for word in reversed(before):
        if word in (",", ";", ":", "-"):
            break
        recent.append(word)
    if any(word in _PAST_TENSE for word in recent[:3]):
        refuse(f"{' '.join(reversed(recent[:3]))} {said}", "that is in the past, not a deadline",
               "Reply, by Friday")  # fmt: skip
    after_words = [t.text for t in toks[main.last : main.last + 5] if t.kind == "word"]
    if any(word in _HEDGES for word in after_words[:3]) or (
        after_words[:3] == ["give", "or", "take"]
        or after_words[:3] == ["more", "or", "less"]
        or after_words[:2] == ["or", "so"]
    ):
        refuse(cased[toks[main.first].start :], "not a firm deadline", "Reply, 2 weeks")
    if any(
        word in ("half", "halves", "quarter", "quarters") or word.endswith(("-quarters", "-half"))
        for word in words_before[-2:]
    ):
        refuse(f"{' '.join(words_before[-2:])} {said}", "a fraction; deadlines count whole days",
               "Reply, 9 months")  # fmt: skip
    if any(t.text in ("embargo", "embargoed", "embargoes") for t in toks):
        refuse(cased, "an embargo is a time to wait for, not a deadline to meet",
               "Story, by 6 a.m. Monday")  # fmt: skip
    # Only a time was read ("by 5pm"), so the day is today: is what follows it a day?
    time_only = (
        main.kind == "due"
        and main.day is not None
        and main.day.relative == "today"
        and not main.day.text
        and first is not None
    )
    if time_only and first is not None and first.text in ("on", "the"):
        refuse(cased[toks[main.first].start :], "I read the time but not the day after it",
               "by 5 p.m. July 31")  # fmt: skip
    if (
        time_only
        and first is not None
        and first.kind == "word"
        and first.text not in _AFTER_A_BARE_TIME
    ):  # "by 5pm wkend", "by noon Thurs-ish": a day the reader does not know, or today?
        refuse(f"{said} {first.text}", "is that a day? I read only the time (today)",
               f"by {said.removeprefix('by ')} Friday")  # fmt: skip
    if main.kind == "period" and main.anchor is not None and main.anchor.day_of_month:
        refuse(said, "the 15th of this month or of the next? Give the date",
               "30 days from July 15")  # fmt: skip
    in_the_event = any(
        [t.text for t in toks[i : i + 3]] == ["in", "the", "event"] for i in range(main.first)
    )
    if in_the_event or any(toks[i].text in ("if", "unless", "provided") for i in range(main.first)):
        refuse(cased[: toks[main.last - 1].end], "a condition: track the deadline once it "
               "applies", "Appeal, 90 days")  # fmt: skip
    for i in range(max(0, main.first - 4), main.first):
        if toks[i].text in _NEGATIONS or toks[i].text.endswith("n't"):
            refuse(cased[toks[i].start : toks[main.last - 1].end],
                   "a negation: is that a deadline?", "Reply, 10 days")  # fmt: skip
    for i, tok in enumerate(toks):  # "before the earlier of the compliance date or 14 days"
        pick = [t.text for t in toks[i : i + 3]]
        if tok.text == "whichever" or (
            len(pick) == 3 and pick[0] == "the" and pick[1] in _WHICHEVER and pick[2] == "of"
        ):
            refuse(cased[tok.start : toks[min(i + 3, len(toks) - 1)].end],
                   "the earlier or later of two deadlines: give the one that applies",
                   "Objections, 14 days after service")  # fmt: skip
    why = _not_firm(toks, main, cased)
    if why is not None:
        refuse(cased[: toks[main.last - 1].end], why, "Reply, by Friday")


# After the deadline, a bare number with one of these next is another period or a count of
# times ("10 to appeal", "60 if ...", "2 times"), not a count in the title ("5 counties").
_NOT_A_COUNT = {"to", "for", "more", "if", "times", "time", "or", "and", "of", "in", "on", "at",
                "additional", "extra", "with", "from", "after", "before", "within", "unless",
                "when", "then"}  # fmt: skip
_MONTH_WORDS = {"january", "february", "march", "april", "june", "july", "august", "september",
                "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
                "aug", "sept", "sep", "oct", "nov", "dec"}  # fmt: skip
_AGAIN = {"twice", "once", "thrice", "each", "every", "again", "more", "then", "times", "or",
          "repeatedly"}  # fmt: skip
# Words that carry on a clause of day 0 ("after the complaint is filed in 2024", "the hearing
# was postponed", "... or the motion is denied, whichever is later").
_CLAUSE_GOES_ON = {"or", "and", "if", "unless", "whichever", "was", "were", "is", "are", "has",
                   "had", "in", "on", "at", "by", "when", "until", "but", "not"}  # fmt: skip


def check_tail(toks: list[Tok], main: Expression, used: set[int], cased: str) -> None:
    """What comes after the deadline must not change it: a second number, a second day or
    month (`the first of August or September`), more to an allowed extension (`twice`), or
    an event clause going on (`after the judgment is entered in 2024`)."""
    words, level = [], 0  # the words after it, brackets (citations) left out
    for i in range(main.last, len(toks)):
        level += {"(": 1, ")": -1}.get(toks[i].text, 0)
        if level <= 0 and i not in used and toks[i].kind != "punct":
            words.append(toks[i])
    said = cased[toks[main.first].start : toks[main.last - 1].end]

    def refuse(part: str, why: str) -> None:
        raise PhraseError(f"I read {said!r} but not {part!r}: {why}",
                          example=f"Reply, {said}")  # fmt: skip

    depth = 0  # inside brackets: a citation ("(Rule 4(m))", "(D.C. Code § 2-532(c))")
    for i in range(main.last, len(toks)):
        tok = toks[i]
        depth += {"(": 1, ")": -1}.get(tok.text, 0)
        if tok.kind != "num" or i in used or depth > 0:
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        prev = toks[i - 1]
        if prev.text in ("$", "§", "#", ".", "-") or (
            nxt is not None and nxt.text in ("%", "(", ")", "-", "/", ".", ",", "$")
        ):  # money, a percentage, a decimal, a section number, a figure's pieces
            continue
        if nxt is None or nxt.kind != "word" or nxt.text in _NOT_A_COUNT:
            refuse(cased[tok.start : (nxt or tok).end], "another period or count?")
    if words and words[0].text in ("or", "and", "to", "through", "thru", "until", "till", "&"):
        for tok in words[1:]:
            if tok.text in _ORDINAL_WORDS or tok.text in _MONTH_WORDS:
                refuse(cased[words[0].start : tok.end], "a second day: which is meant?")
    if main.allowed and any(t.text in _AGAIN for t in words):
        refuse(cased[words[0].start : words[-1].end], "how much extension is allowed?")
    if main.clause and words:
        going_on = words[0].text != "to" or any(t.text in _CLAUSE_GOES_ON for t in words)
        if going_on:
            refuse(cased[words[0].start : words[-1].end],
                   "it may change the day counted from; end the phrase at the event")  # fmt: skip


def check_times(toks: list[Tok], cased: str) -> None:
    """Times the reader must not guess: no a.m./p.m. on an hour up to 12 ("by 5:00"), a bare
    number next to a day ("by 5 Friday", "by 1700"), a decimal ("1.5 weeks", "17.00"), a
    zone it does not know ("5pm IST"), business hours."""
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        prev = toks[i - 1] if i > 0 else None
        if tok.kind == "date" and nxt is not None and nxt.kind == "unit":  # "1/2 month"
            raise PhraseError(f"{cased[tok.start : nxt.end]!r}: a fraction? Deadlines count "
                              "whole days", example="Reply, 15 days")  # fmt: skip
        if tok.text == "\u2044":  # the fraction slash: NFKC turns "1½" into "11", "\u2044", "2"
            raise PhraseError("a fraction; deadlines count whole days", example="Reply, 10 days")
        iso_before = prev is not None and prev.kind == "date" and prev.text[:4].isdigit()
        if (
            tok.kind == "time"
            and not iso_before
            and (re.fullmatch(r"(?:[1-9]|1[0-2]):\d{2}", tok.text.strip()))
        ):  # after an ISO date ("2025-07-17 10:30") a time is 24-hour
            raise PhraseError(
                f"{tok.text.strip()!r}: morning or evening? Add a.m. or p.m. (or write 24-hour "
                "time with two digits)",
                example=f"by {tok.text.strip()} p.m. Friday",
            )
        if tok.kind == "time":
            between: list[str] = []
            for later in toks[i + 1 : i + 6]:
                if later.kind == "punct":
                    break
                if later.text == "time":
                    if any(w not in ZONES and w not in ("local", "daylight", "standard")
                           for w in between):  # fmt: skip
                        raise PhraseError(
                            f"{cased[tok.start : later.end]!r}: a time zone I do not know; use "
                            "ET, CT, MT, PT, AKST, HST or UTC, or leave it out for the "
                            "server's zone",
                            example="by 5 p.m. ET Friday",
                        )
                    break
                if later.kind == "word":
                    between.append(later.text)
        if tok.kind == "time" and nxt is not None and nxt.kind == "word":
            word = nxt.text
            zone_word = word in _FOREIGN_ZONES or (
                word not in ZONES
                and word not in ("local", "on", "at", "by", "the", "sharp")
                and i + 2 < len(toks)
                and toks[i + 2].text == "time"
            )
            if zone_word:
                raise PhraseError(
                    f"{cased[tok.start : nxt.end]!r}: a time zone I do not know; use ET, CT, "
                    "MT, PT, AKST, HST or UTC, or leave it out for the server's zone",
                    example="by 5 p.m. ET Friday",
                )
        if (
            tok.kind == "num"
            and nxt is not None
            and nxt.text == "."
            and i + 3 < len(toks)
            and (toks[i + 2].kind == "num" and toks[i + 3].kind == "unit")
            and nxt.end == toks[i + 2].start
        ):
            raise PhraseError(
                f"{cased[tok.start : toks[i + 2].end]!r}: a fraction; deadlines count whole "
                "days (or hours)", example="Reply, 10 days",
            )  # fmt: skip
        if tok.kind == "num" and (
            (nxt is not None and nxt.kind in ("weekday", "rel", "date", "time"))
            or (prev is not None and prev.kind in ("weekday", "rel")
                and not (nxt is not None and nxt.kind == "unit"))
            or (prev is not None and prev.text == "," and i > 1
                and toks[i - 2].kind in ("weekday", "date", "rel")
                and not (nxt is not None and nxt.kind in ("unit", "word")))
            or (prev is not None and prev.text == "@" and i > 1  # "8/15 @ 5", not "<@123>"
                and toks[i - 2].kind in ("weekday", "date", "rel", "dom"))
            or (prev is not None and prev.text in ("by", "at", "until", "till")
                and not (nxt is not None and (nxt.kind == "unit" or nxt.text in ("-", "(")))
                and not (nxt is not None and nxt.text in ("additional", "more", "extra")))
        ):  # fmt: skip
            raise PhraseError(
                f"{cased[tok.start : tok.end]!r} next to a day: is it a time? Add a.m. or p.m.",
                example="by 5 p.m. Friday",
            )
        if tok.kind == "word" and tok.text in ("half", "quarter") and (
            (nxt is not None and nxt.kind == "unit")
            or (nxt is not None and nxt.text in ("a", "an") and i + 2 < len(toks)
                and toks[i + 2].kind == "unit")
            or (prev is not None and prev.text == "a" and i >= 3 and toks[i - 2].text == "and")
        ):  # fmt: skip
            raise PhraseError(
                f"{tok.text!r}: a fraction; deadlines count whole days", example="Reply, 15 days"
            )
        if tok.kind == "unit" and tok.value == ("hour", "business"):
            raise PhraseError(
                f"{tok.text!r}: business hours are not counted yet; give days or clock hours",
                example="Reply, within 3 business days",
            )


def repeats(toks: list[Tok], cased: str) -> str | None:
    """More ways to say it repeats: "twice a month", "once a week", "three times a week",
    "Fridays", "weekdays", "nightly", "every night", "each Aug. 15"."""
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.kind == "word" and tok.text in (
            "nightly",
            "mornings",
            "evenings",
            "nights",
            "afternoons",
        ):  # ("daily" is read by reading.recurring_words)
            return cased[tok.start : tok.end]
        if tok.kind == "word" and tok.text in ("every", "each") and nxt is not None and (
            nxt.kind == "date" or nxt.text in ("night", "morning", "evening", "afternoon", "day",
                                               "year", "quarter", "term", "session")
        ):  # fmt: skip
            return cased[tok.start : nxt.end]
        if (
            tok.kind == "word"
            and tok.text in ("once", "twice", "times")
            and nxt is not None
            and (nxt.text in ("a", "an", "per", "each", "every"))
        ):
            end = toks[i + 2].end if i + 2 < len(toks) else nxt.end
            return cased[tok.start : end]
        if tok.kind == "word" and tok.text in (
            "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays",
            "weekdays", "weeknights",
        ):  # fmt: skip
            prev = toks[i - 1] if i > 0 else None
            if prev is None or prev.kind != "num":
                return cased[tok.start : tok.end]
    return None


_EXCLUDING = re.compile(
    r"\b(?:exclud\w*|except\w*|not\s+counting|not\s+including|exclusive\s+of|omitting|"
    r"without\s+counting)\b[^.;]*?\b(?:weekends?|saturdays?|sundays?|holidays?)\b"
    r"(?:[^.;]*?\b(?:weekends?|saturdays?|sundays?|holidays?)\b)*"
    r"|\b(?:weekends?|saturdays?,?\s+sundays?(?:,?\s+and\s+(?:legal\s+)?(?:public\s+)?"
    r"holidays?)?)\s+(?:excluded|excepted)\b"
)


def excluded_days(lowered: str) -> tuple[int, int, bool] | None:
    """A clause that leaves days out of the count ("excluding Saturdays, Sundays and legal
    public holidays", "weekends excluded"): its span, and whether it leaves out weekends and
    holidays both (business days, as the bot counts them)."""
    match = _EXCLUDING.search(lowered)
    if match is None:
        return None
    clause = match.group(0)
    weekends = "weekend" in clause or ("saturday" in clause and "sunday" in clause)
    return match.start(), match.end(), weekends and "holiday" in clause
