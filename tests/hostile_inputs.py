"""What hostile input looks like: the pieces people type, fuzzing strategies built from them,
and strings chosen to break things (SQL, mentions, markdown, invisible characters)."""

from __future__ import annotations

from hypothesis import strategies as st

GUILD, USER, CHANNEL = 1, 5, 10
DIGITS_100KB = "7" * 100_000

# Pieces of what people type, so that fuzzing reaches deep into the grammar, not only the
# "could not find a period" exit.
TOKENS = [
    " ", ",", ":", ";", "|", " - ", "-", "+", " and ", " plus ", "&", ".", "!", "?", "'",
    "0", "1", "7", "10", "30", "999999", "1234567", "9" * 20, "-1", "one", "twenty-one",
    "thirty", "a ", "an ", "another ", "additional ", "day", "days", "week", "weeks", "month",
    "months", "year", "years", "calendar ", "business ", "working ", "court ", "extension",
    "deadline", "within ", "in ", " from ", " after ", " since ", "by ", "due ", "on ",
    "until ", "2025-07-17", "2025-02-30", "0000-01-01", "9999-12-31", "7/17", "13/45/2025",
    "jul 17", "July", "17th of july", "feb 29", "2200-12-31", "1899-12-31", " 5pm", " 13pm",
    " 0am", " 23:59", " 24:00", " 99:99", " noon", "at ", "Bondi letter", "@everyone",
    "<@&123>", "**", "\u200b", "\u202e", "\u0130", "\ufb03", "\n", "\x00", "\ud7ff", "\U0001f600",
    "\u0661\u0662", "\uff11\uff12", "\u00b2",
]  # fmt: skip
phrase_like = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
any_text = st.one_of(st.text(max_size=600), phrase_like)
hostile_strings = st.sampled_from(
    [
        "", " ", "\x00", "'", '"', "\\", "%", "_", "'; DROP TABLE deadlines;--",
        "Robert'); DROP TABLE alerts;--", "1' OR '1'='1", DIGITS_100KB[:600], "\u202e" * 50,
        "@everyone", "<@&1>", "<@1>", "**#2 Fake** due", "https://", "http://[::1",
        "javascript:alert(1)", "https://example.com/" + "a" * 600,
    ]
)  # fmt: skip
inputs = st.one_of(any_text, hostile_strings)
optional_inputs = st.one_of(st.none(), inputs)
