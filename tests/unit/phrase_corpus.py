"""Phrasings a newsroom writes for deadlines, each with its due date worked out independently
of the engine (day 0 Thu 2025-07-17; now 10:00 New York), or R: must be refused.

Written by a review pass against the reader (issue 13): realistic phrasings first, then probes
aimed at the ways it had misread (ranges, the past, bounds, negations, zones after the day,
dates in titles, fractions, repeats). `ok=True`: a refusal is acceptable though a date exists.
"""

import datetime as dt

D = dt.date
S = D(2025, 7, 17)
HOL = {
    D(2025, 7, 4),
    D(2025, 9, 1),
    D(2025, 10, 13),
    D(2025, 11, 11),
    D(2025, 11, 27),
    D(2025, 12, 25),
    D(2025, 1, 1),
    D(2025, 1, 20),
    D(2025, 2, 17),
    D(2025, 5, 26),
    D(2025, 6, 19),
    D(2026, 1, 1),
    D(2026, 1, 19),
}


def isbiz(d):
    return d.weekday() < 5 and d not in HOL


def cal(n, s=S):
    return s + dt.timedelta(days=n)


def bus(n, s=S):
    d = s
    step = 1 if n > 0 else -1
    for _ in range(abs(n)):
        d += dt.timedelta(days=step)
        while not isbiz(d):
            d += dt.timedelta(days=step)
    return d


def roll(d):
    while not isbiz(d):
        d += dt.timedelta(days=1)
    return d


def rollback(d):
    while not isbiz(d):
        d -= dt.timedelta(days=1)
    return d


NY = "America/New_York"
LA = "America/Los_Angeles"
CHI = "America/Chicago"
DEN = "America/Denver"
UTC = "UTC"
HON = "Pacific/Honolulu"
ANC = "America/Anchorage"
NOW = dt.datetime(2025, 7, 17, 10, 0, tzinfo=__import__("zoneinfo").ZoneInfo(NY))


def T(d, hm, z=NY):  # date + time in zone
    return ("T", d, hm, z)


def W(d, lo, hi, z=NY):  # date + time window
    return ("W", d, lo, hi, z)


def H(hours):
    return ("H", NOW + dt.timedelta(hours=hours))


R = "R"
# (phrase, expected, options) options: rule=, tz=, ok=True means a refusal is acceptable (not counted as wrongly refused)
C = []


def c(p, e, rule="calendar", tz=NY, ok=False, cat=""):
    C.append(dict(p=p, e=e, rule=rule, tz=tz, ok=ok, cat=cat))


# --- plain periods / number words
c("Bondi letter, 30 days", cal(30), cat="period")
c("30 calendar days", cal(30), cat="period")
c("thirty (30) days", cal(30), cat="numword")
c("ten (10) business days", bus(10), cat="numword")
c("twenty (20) working days", bus(20), cat="numword")
c("forty-five (45) days", cal(45), cat="numword")
c("sixty (60) calendar days", cal(60), cat="numword")
c("ninety days", cal(90), cat="numword")
c("one hundred twenty (120) days", cal(120), cat="numword")
c("fifteen (15) business days", bus(15), cat="numword")
c("twenty-five (25) working days", bus(25), cat="numword")
c("fourteen days", cal(14), cat="numword")
c("twenty-one days", cal(21), cat="numword")
c("thirty (20) days", R, cat="numword")
c("within ten (10) calendar days", cal(10), cat="numword")
c("Within thirty days", cal(30), cat="numword")
c("a week", cal(7), cat="weeks")
c("two weeks", cal(14), cat="weeks")
c("2 wks", cal(14), cat="weeks")
c("a fortnight", cal(14), cat="weeks")
c("six weeks", cal(42), cat="weeks")
c("1 month", D(2025, 8, 17), cat="months")
c("3 months", D(2025, 10, 17), cat="months")
c("six months", D(2026, 1, 17), cat="months")
c("1 year", D(2026, 7, 17), cat="months")
c("a month from today", D(2025, 8, 17), cat="months")
c("1 month from Jan 31, 2025", D(2025, 2, 28), cat="months")
c("1 month from January 31, 2024", D(2024, 2, 29), cat="months")
c("30-day deadline", cal(30), cat="period")
c("a 30-day deadline", cal(30), cat="period")
c("in 30 days' time", cal(30), cat="period")
c("1.5 weeks", R, cat="period")
c("two and a half months", R, cat="period")
c("0 days", R, cat="period")
c("11 years", R, cat="period")
c("30 days ago", R, cat="period")
c("in 3 days", cal(3), cat="relative")
c("3 days from now", cal(3), cat="relative")
c("Deadline is in 2 days", cal(2), cat="relative")
c("Reply within a week", cal(7), cat="relative")
c("Title IX complaint, 180 days", cal(180), cat="title-num")
# --- business / working / court
c("FOIA to FBI, 20 business days", bus(20), cat="business")
c("10 working days", bus(10), cat="business")
c("5 court days", bus(5), cat="business")
c("10 biz days", bus(10), cat="business")
c("Reply in 10 working days", bus(10), cat="business")
c("next business day", bus(1), cat="business")
c("within 1 business day", bus(1), cat="business")
c("2 business days", bus(2), cat="business")
c("10 business days from Aug 29", bus(10, D(2025, 8, 29)), cat="business")
c("5 business days from July 1, 2025", bus(5, D(2025, 7, 1)), cat="business")
c("20 business days from Nov 20, 2025", D(2025, 12, 19), cat="business")
c("20 days, excluding Saturdays, Sundays and legal public holidays", bus(20), cat="business")
c(
    "within 20 days (excepting Saturdays, Sundays, and legal public holidays) after receipt",
    bus(20),
    cat="business",
)
c("10 days, excluding weekends", bus(10), cat="business")
c("20 days", bus(20), rule="business", cat="rule")
c("30 days", bus(30), rule="business", cat="rule")
c("30 calendar days", cal(30), rule="business", cat="rule")
c("30 days", roll(cal(30)), rule="roll", cat="rule")
c("10 days", roll(cal(10)), rule="roll", cat="rule")
c("46 days", roll(cal(46)), rule="roll", cat="rule")
c("3 days from July 1", roll(D(2025, 7, 4)), rule="roll", cat="rule")
c("30 days", roll(cal(30)), rule="court", cat="rule")
c("2 days from 2025-12-23", D(2025, 12, 29), rule="court", cat="rule")
c("by Aug 16", D(2025, 8, 16), rule="roll", cat="rule")
c("California CPRA request, 10 days", roll(cal(10)), rule="roll", cat="foia")
# --- state/federal records law phrasings
c("Texas PIA request, 10 business days", bus(10), cat="foia")
c("NY FOIL: 5 business days to acknowledge", bus(5), cat="foia")
c("Illinois FOIA, 5 business days", bus(5), cat="foia")
c("PA Right-to-Know, five (5) business days", bus(5), cat="foia")
c("The public body shall respond within five (5) business days after receipt", bus(5), cat="foia")
c("Section 552(a)(6)(A) request, 20 business days", bus(20), cat="foia")
c("The agency has 20 business days to respond.", bus(20), cat="news")
c("The city must respond within 10 business days, according to state law.", bus(10), cat="news")
c("The law, passed in 2019, gives agencies 5 business days to reply.", bus(5), ok=True, cat="news")
c("The 2024 law gives agencies 5 business days.", bus(5), ok=True, cat="news")
c(
    "The agency, which received the request on July 10, has 20 business days to respond.",
    bus(20, D(2025, 7, 10)),
    ok=True,
    cat="news",
)
c("Florida records request, promptly", R, cat="refuse")
# --- receipt / service / start dates
c("within 10 days of receipt", cal(10), cat="start")
c("15 days after service", cal(15), cat="start")
c("30 days from the date of this letter", cal(30), cat="start")
c("30 days from today", cal(30), cat="start")
c("You must respond within thirty (30) days of receipt of this letter.", cal(30), cat="legal")
c("no later than thirty (30) days from the date of this letter", cal(30), cat="legal")
c("within sixty (60) days after receipt", cal(60), cat="legal")
c("The defendant shall answer within 21 days after service of the summons", cal(21), cat="legal")
c("Opposition due 14 days after service", cal(14), cat="legal")
c("Reply due 7 days after service of the opposition", cal(7), cat="legal")
c("Notice of appeal must be filed within 30 days after entry of judgment", cal(30), cat="legal")
c(
    "Notice of appeal must be filed within 30 days after entry of judgment",
    roll(cal(30)),
    rule="court",
    cat="legal",
)
c("30 days plus 3 days for mailing", cal(33), cat="legal")
c("14 days + 3 days for mail service", cal(17), cat="legal")
c("30 days from July 17 2025", cal(30), cat="start")
c("within 30 days of July 17, 2025", cal(30), cat="start")
c("(sent 2025-07-17), 30 days", cal(30), cat="start")
c("(sent 2025-07-10), 30 days", cal(30, D(2025, 7, 10)), cat="start")
c("30 days from July 1, 2025", D(2025, 7, 31), cat="start")
c("Received 7/10/2025, 20 business days", bus(20, D(2025, 7, 10)), ok=True, cat="start")
c("30 days from June 30", D(2025, 7, 30), cat="start")
c("30 days from receipt on July 15", cal(30, D(2025, 7, 15)), ok=True, cat="start")
c("30 days after July 4", D(2025, 8, 3), cat="start")
c("30 days after Aug 1", D(2025, 8, 31), cat="start")
c("10 days after the July 22 hearing", D(2025, 8, 1), ok=True, cat="start")
c("Letter dated July 1, 2025: respond within 30 days", D(2025, 7, 31), ok=True, cat="start")
c(
    "On July 11, the agency said it would respond within 30 days.",
    D(2025, 8, 10),
    ok=True,
    cat="start",
)
c("30 days from Feb 30", R, cat="start")
# --- counting back
c("30 days before Aug. 15", D(2025, 7, 16), cat="back")
c("14 days before Aug. 15", D(2025, 8, 1), cat="back")
c("7 days before September 1", D(2025, 8, 25), cat="back")
c("File no later than 10 days before the hearing on Aug. 29", D(2025, 8, 19), ok=True, cat="back")
c("at least 10 days before Aug 29", D(2025, 8, 19), cat="back")
c("21 days before Aug 31", D(2025, 8, 10), cat="back")
c("21 days before Aug 31", rollback(D(2025, 8, 10)), rule="roll", cat="back")
c("3 business days before Aug 15", bus(-3, D(2025, 8, 15)), cat="back")
c("5 business days before Sept. 5", bus(-5, D(2025, 9, 5)), cat="back")
c(
    "Rule 26(f) report due 14 days before the Aug. 29 conference",
    D(2025, 8, 15),
    ok=True,
    cat="back",
)
c("10 days before", R, cat="back")
# --- sums and allowed extensions
c("20 business days + 10 working days", bus(30), cat="ext")
c("10 days, plus a 14-day extension", cal(24), cat="ext")
c("20 business days, plus a 10 business day extension", bus(30), cat="ext")
c("30 days, extendable by 15 days", cal(30), cat="ext")
c("30 days; may be extended by 10 business days", cal(30), cat="ext")
c("20 business days, with a possible extension of 10 business days", bus(20), cat="ext")
c("20 business days, with a possible 10-day extension", bus(20), cat="ext")
c(
    "The agency has 20 business days to respond, but can extend by 10 business days",
    bus(20),
    cat="ext",
)
c("20 business days (up to 10 more in unusual circumstances)", bus(20), ok=True, cat="ext")
c("30 days with a 15-day extension", cal(45), cat="ext")
c("30 days, extended by 15 days", cal(45), cat="ext")
c("14-day extension", cal(14), cat="ext")
# --- fixed dates
c("by August 15", D(2025, 8, 15), cat="fixed")
c("by Aug. 15", D(2025, 8, 15), cat="fixed")
c("by 2025-09-01", D(2025, 9, 1), cat="fixed")
c("on or before Aug 15", D(2025, 8, 15), cat="fixed")
c("no later than Aug 15", D(2025, 8, 15), cat="fixed")
c("Please respond no later than August 15, 2025.", D(2025, 8, 15), cat="fixed")
c("on or before September 1, 2025", D(2025, 9, 1), cat="fixed")
c("Comments must be received on or before August 18, 2025", D(2025, 8, 18), cat="fixed")
c("not later than Aug. 15", D(2025, 8, 15), cat="fixed")
c("by no later than Aug 15", D(2025, 8, 15), cat="fixed")
c("until Aug 15", D(2025, 8, 15), cat="fixed")
c("through Aug 15", D(2025, 8, 15), cat="fixed")
c("Deadline Aug 15", D(2025, 8, 15), cat="fixed")
c("due 8/15", D(2025, 8, 15), cat="fixed")
c("by 8/9", D(2025, 8, 9), cat="fixed")
c("by 08/15/2025", D(2025, 8, 15), cat="fixed")
c("by 15 August 2025", D(2025, 8, 15), cat="fixed")
c("by Sep 30th", D(2025, 9, 30), cat="fixed")
c("by August 15th, 2025", D(2025, 8, 15), cat="fixed")
c("by July 4", D(2026, 7, 4), ok=True, cat="fixed")
c("Friday, Aug. 15", D(2025, 8, 15), cat="fixed")
c("Monday, Sept. 1", D(2025, 9, 1), cat="fixed")
c("Thursday, Aug. 15", R, cat="fixed")
c("Tuesday the 22nd", D(2025, 7, 22), cat="fixed")
c("The deadline for public comment is Sept. 2.", D(2025, 9, 2), cat="news")
c("Applications are due Aug. 1.", D(2025, 8, 1), cat="news")
c("Ballots must be postmarked by Nov. 4.", D(2025, 11, 4), cat="news")
c("The county has until Aug. 15 to respond.", D(2025, 8, 15), cat="news")
c("Residents 65 and older have until Aug. 29 to apply.", D(2025, 8, 29), cat="news")
# --- relative days / weekdays
c("today", S, cat="relative")
c("tomorrow", cal(1), cat="relative")
c("the day after tomorrow", cal(2), cat="relative")
c("Friday", D(2025, 7, 18), cat="weekday")
c("by Friday", D(2025, 7, 18), cat="weekday")
c("this Friday", D(2025, 7, 18), cat="weekday")
c("next Friday", D(2025, 7, 25), cat="weekday")
c("Wed.", D(2025, 7, 23), cat="weekday")
c("by Mon", D(2025, 7, 21), cat="weekday")
c("next Monday", D(2025, 7, 21), cat="weekday")
c("next Tuesday", D(2025, 7, 22), cat="weekday")
c("next Thursday", D(2025, 7, 24), cat="weekday")
c("by Thursday", S, cat="weekday")
c("a week from Monday", D(2025, 7, 28), cat="weekday")
c("a week from Friday", D(2025, 7, 25), cat="weekday")
c("a week from today", cal(7), cat="weekday")
c("two weeks from Friday", D(2025, 8, 1), cat="weekday")
c("Officials have until Friday to decide.", D(2025, 7, 18), cat="news")
c("until Friday", D(2025, 7, 18), cat="weekday")
c("by next week", R, cat="refuse")
c("early next week", R, cat="refuse")
c("mid-August", R, cat="refuse")
# --- the Nth / end of
c("the 15th", D(2025, 8, 15), cat="eom")
c("by the 1st", D(2025, 8, 1), cat="eom")
c("Please reply by the 25th", D(2025, 7, 25), cat="eom")
c("end of the week", D(2025, 7, 18), cat="eom")
c("by the end of next week", D(2025, 7, 25), ok=True, cat="eom")
c("end of the month", D(2025, 7, 31), cat="eom")
c("EOM", D(2025, 7, 31), cat="eom")
c("end of next month", D(2025, 8, 31), ok=True, cat="eom")
c("end of August", D(2025, 8, 31), ok=True, cat="eom")
c("end of the year", D(2025, 12, 31), cat="eom")
c(
    "The state gave the city until the end of the month to pay $1.2 million.",
    D(2025, 7, 31),
    cat="news",
)
c("within 30 days after the end of the month", D(2025, 8, 30), ok=True, cat="eom")
c("the first Monday in August", D(2025, 8, 4), ok=True, cat="eom")
# --- times
c("by 2025-08-15 17:00", T(D(2025, 8, 15), "17:00"), cat="time")
c("by Aug 15 5pm", T(D(2025, 8, 15), "17:00"), cat="time")
c("by 5 p.m. Thursday", T(S, "17:00"), cat="time")
c("by noon Friday", T(D(2025, 7, 18), "12:00"), cat="time")
c("by midnight Friday", W(D(2025, 7, 18), "23:59", "23:59:59"), cat="time")
c("by 3:30 p.m. ET on Sept. 5", T(D(2025, 9, 5), "15:30"), cat="time")
c("5:00 p.m. Eastern on August 29, 2025", T(D(2025, 8, 29), "17:00"), cat="time")
c("no later than 5:00 p.m. Eastern Time on August 29, 2025", T(D(2025, 8, 29), "17:00"), cat="time")
c("by 5 p.m. Eastern Daylight Time on Aug 15", T(D(2025, 8, 15), "17:00"), cat="time")
c("by Aug. 15 at 5 p.m. PT", T(D(2025, 8, 15), "17:00", LA), cat="time")
c("Responses are due by 11:59 p.m. PT on Aug. 1", T(D(2025, 8, 1), "23:59", LA), cat="time")
c("by 5:30 PM Pacific Time on Friday, July 25", T(D(2025, 7, 25), "17:30", LA), cat="time")
c("by 9 a.m. CT Monday", T(D(2025, 7, 21), "09:00", CHI), cat="time")
c("by 10am MT tomorrow", T(D(2025, 7, 18), "10:00", DEN), cat="time")
c("by 6 p.m. EST Friday", T(D(2025, 7, 18), "18:00"), cat="time")
c("by 17:00 UTC on Aug 15", T(D(2025, 8, 15), "17:00", UTC), cat="time")
c("by 8pm GMT Friday", T(D(2025, 7, 18), "20:00", UTC), cat="time")
c("by 4 p.m. HST Aug 1", T(D(2025, 8, 1), "16:00", HON), cat="time")
c("by 5 p.m. AKDT Aug 1", T(D(2025, 8, 1), "17:00", ANC), cat="time")
c("due 11:59 p.m. Friday", T(D(2025, 7, 18), "23:59"), cat="time")
c("by 12 p.m. Friday", T(D(2025, 7, 18), "12:00"), cat="time")
c("by Friday 5pm", T(D(2025, 7, 18), "17:00"), cat="time")
c("at 3 pm tomorrow", T(D(2025, 7, 18), "15:00"), cat="time")
c("tomorrow at 9:30am", T(D(2025, 7, 18), "09:30"), cat="time")
c("Deadline: 9 a.m. Monday", T(D(2025, 7, 21), "09:00"), cat="time")
c("Deadline 5 p.m.", T(S, "17:00"), cat="time")
c("by noon", T(S, "12:00"), cat="time")
c("by 9/15 at 5pm", T(D(2025, 9, 15), "17:00"), cat="time")
c("Fri Aug 15 at 5pm ET", T(D(2025, 8, 15), "17:00"), cat="time")
c("by 5 p.m. tomorrow ET", T(D(2025, 7, 18), "17:00"), cat="time")
c("by 5 p.m. Friday", T(D(2025, 7, 18), "17:00", CHI), tz=CHI, cat="time")
c("by 5 p.m. ET Friday", T(D(2025, 7, 18), "17:00", NY), tz=LA, cat="time")
c("by 5pm CEST Aug 15", R, cat="time")
c("by 5 p.m. BST Friday", R, cat="time")
c("by 5pm IST", R, cat="time")
c("by 25:00 Friday", R, cat="time")
c("by 5 Friday", R, cat="time")
c("by COB Friday", T(D(2025, 7, 18), "17:00"), cat="cob")
c("close of business Aug 15", T(D(2025, 8, 15), "17:00"), cat="cob")
c("by close of business on Monday", T(D(2025, 7, 21), "17:00"), cat="cob")
c("COB today", T(S, "17:00"), cat="cob")
c("by COB", T(S, "17:00"), cat="cob")
c("by EOD", T(S, "17:00"), cat="cob")
c("EOD Friday", T(D(2025, 7, 18), "17:00"), cat="cob")
c("by end of day Friday", W(D(2025, 7, 18), "17:00", "23:59:59"), cat="cob")
c("by the end of the day on Aug 15", W(D(2025, 8, 15), "17:00", "23:59:59"), cat="cob")
c("Respond by close of business on Friday, July 25, 2025.", T(D(2025, 7, 25), "17:00"), cat="cob")
c("by end of business day tomorrow", T(D(2025, 7, 18), "17:00"), ok=True, cat="cob")
# --- hours
c("within 72 hours", H(72), cat="hours")
c("in 48 hours", H(48), cat="hours")
c("48 hours from now", H(48), cat="hours")
c("within 24 hours of receipt", H(24), cat="hours")
# --- news copy
c("Bondi gave sheriffs 30 days to comply.", cal(30), cat="news")
c("The governor has 10 days to sign or veto the bill.", cal(10), ok=True, cat="news")
c("The company has 60 days to appeal the $5,000 fine.", cal(60), cat="news")
c("The 5 counties have 30 days to comply.", cal(30), cat="news")
c("Mayor Smith, 52, has 30 days to respond.", cal(30), cat="news")
c("The 911 center has 3 days to reply", cal(3), cat="news")
c("Route 66 detour ends in 10 days", cal(10), cat="news")
c("The board will meet again in 2 weeks.", cal(14), cat="news")
# --- titles with numbers
c("5 counties records request, 30 days", cal(30), cat="title-num")
c("FOIA-2025-00123, 20 business days", bus(20), cat="title-num")
c("Request #12, 10 days", cal(10), cat="title-num")
c("Case No. 24-cv-1234, 21 days", cal(21), cat="title-num")
c("Case 1:25-cv-00456 response, 14 days", cal(14), cat="title-num")
c("Case 2025-CV-001234, 21 days", cal(21), cat="title-num")
c("Docket No. 25-1234, by Aug 15", D(2025, 8, 15), cat="title-num")
c("Request 2025-07-10-001, 10 days", cal(10), ok=True, cat="title-num")
c("NYPD FOIL 2025-056-01234, 5 business days", bus(5), cat="title-num")
c("Ticket #4521, due tomorrow", cal(1), cat="title-num")
c("PR #12, by EOD", T(S, "17:00"), cat="title-num")
c("Docket 12-15, by Friday", D(2025, 7, 18), ok=True, cat="title-num")
c("$5,000 fine appeal, 30 days", cal(30), cat="title-num")
c("$5,000 grant application, by Aug 15", D(2025, 8, 15), cat="title-num")
c("$1.2M settlement story, 2 days", cal(2), cat="title-num")
c("$30 fee waiver appeal, 30 days", cal(30), cat="title-num")
c("15% raise story, by Friday", D(2025, 7, 18), cat="title-num")
c("Budget up 3.5% story, due Monday", D(2025, 7, 21), cat="title-num")
c("Route 66 closure story, by Friday", D(2025, 7, 18), cat="title-num")
c("I-95 crash follow-up, 2 days", cal(2), cat="title-num")
c("Interstate 95 crash follow-up, 2 days", cal(2), cat="title-num")
c("123 Main St. fire follow-up, by Friday", D(2025, 7, 18), cat="title-num")
c("Story on 1600 Pennsylvania Ave, 3 days", cal(3), cat="title-num")
c("Apt. 4B eviction, 3 days", cal(3), cat="title-num")
c("Pier 39 story, by Monday", D(2025, 7, 21), cat="title-num")
c("Room 203 hearing, by Aug. 15", D(2025, 8, 15), cat="title-num")
c("Call 555-123-4567 by Friday", D(2025, 7, 18), cat="title-num")
c("(212) 555-0199 callback by 3 p.m.", T(S, "15:00"), cat="title-num")
c("52-year-old mayor profile, by Friday", D(2025, 7, 18), cat="title-num")
c("Mayor, 52, profile, 3 days", cal(3), cat="title-num")
c("10-year-old reporter story by Monday", D(2025, 7, 21), cat="title-num")
c("10-year review, 30 days", cal(30), ok=True, cat="title-num")
c("9/11 memorial piece, by Aug 15", D(2025, 8, 15), ok=True, cat="title-num")
c("24/7 coverage plan, by Monday", D(2025, 7, 21), ok=True, cat="title-num")
c("2024 election audit, 30 days", cal(30), cat="title-num")
c("2020 census follow-up, by Aug 1", D(2025, 8, 1), cat="title-num")
c("Hurricane season 2025 preview, 2 weeks", cal(14), cat="title-num")
c("Q3 report by end of the month", D(2025, 7, 31), cat="title-num")
c("Covid-19 records, 10 days", cal(10), cat="title-num")
c("Form 990 request, 30 days", cal(30), cat="title-num")
c("401(k) story by Friday", D(2025, 7, 18), cat="title-num")
c("Form I-9 audit, 3 business days", bus(3), cat="title-num")
c("H.R. 1234 markup, by Aug 1", D(2025, 8, 1), cat="title-num")
c("Prop 50 explainer, by Monday", D(2025, 7, 21), cat="title-num")
c("Area 51 FOIA, 20 business days", bus(20), cat="title-num")
c("Chapter 11 filing story, 3 days", cal(3), cat="title-num")
c("Page 1 story, by 6 p.m.", T(S, "18:00"), cat="title-num")
c("Top 10 list, due Friday", D(2025, 7, 18), cat="title-num")
c("3 reporters, 2 photographers, by Friday", D(2025, 7, 18), ok=True, cat="title-num")
c("Story 1 of 3, by Friday", D(2025, 7, 18), ok=True, cat="title-num")
c("Vote 7-2 story by 5pm", T(S, "17:00"), ok=True, cat="title-num")
c("5G tower records, 10 business days", bus(10), cat="title-num")
c("Boeing 737 Max follow-up, 1 week", cal(7), cat="title-num")
c("Forty-two pages due in 3 days", cal(3), ok=True, cat="title-num")
c("Annual report, by Aug 15", D(2025, 8, 15), ok=True, cat="title-num")
c("Monthly meeting recap by Friday", D(2025, 7, 18), ok=True, cat="title-num")
c("Weekly column, 3 days", cal(3), ok=True, cat="title-num")
# --- traps: numbers in titles that look like periods / dates
c("100 days of Trump story, by Aug 1", D(2025, 8, 1), ok=True, cat="trap")
c("7 days in May doc, due Monday", D(2025, 7, 21), ok=True, cat="trap")
c("60 Minutes segment, by Friday", D(2025, 7, 18), ok=True, cat="trap")
c("48 Hours episode notes, by Friday", D(2025, 7, 18), ok=True, cat="trap")
c("3 weeks of protests story, by Friday", D(2025, 7, 18), ok=True, cat="trap")
c("A 10-day heat wave story, by tomorrow", D(2025, 7, 18), ok=True, cat="trap")
c("July 4 fireworks story, by Friday", D(2025, 7, 18), ok=True, cat="trap")
c("Jan. 6 committee records, 20 business days", bus(20), ok=True, cat="trap")
c("Aug. 5 primary results, due tomorrow", cal(1), ok=True, cat="trap")
c("Sept. 11 anniversary piece, due Sept. 5", D(2025, 9, 5), ok=True, cat="trap")
c("Item 7/8 of agenda, by Friday", D(2025, 7, 18), ok=True, cat="trap")
c("Bill gives agencies 30 days; story due Friday", R, cat="trap")
c("Council votes Aug. 5; public comment due Aug. 1", R, cat="trap")
# --- must refuse
c("30 days or 45 days", R, cat="refuse")
c("by Aug 15 or Sept 1", R, cat="refuse")
c("Reply within 5 days; appeal within 30 days", R, cat="refuse")
c("Respond within 5 days, and appeal within 30 days", R, cat="refuse")
c("5 days to respond, 30 days to appeal", R, cat="refuse")
c("Lawmakers have 45 days, or until Sept. 1, to act.", R, cat="refuse")
c("within 30 days, or 45 days if extended", R, cat="refuse")
c("five or six days", R, cat="refuse")
c("30-45 days", R, cat="refuse")
c("3-5 business days", R, cat="refuse")
c("30 days, not 45 days", R, cat="refuse")
c("not within 30 days", R, cat="refuse")
c("not by Friday", R, cat="refuse")
c("every 2 weeks", D(2025, 7, 31), cat="repeat")  # issue 18: the first date
c("every 30 days", R, cat="refuse")
c("weekly check-in", R, cat="refuse")
c("monthly report", R, cat="refuse")
c("quarterly filing", R, cat="refuse")
c("every Friday", D(2025, 7, 18), cat="repeat")
c("every other Friday", R, cat="refuse")
c("each Monday", D(2025, 7, 21), cat="repeat")
c("biweekly", R, cat="refuse")
c("twice a month", R, cat="refuse")
c("by the 15th of each month", D(2025, 8, 15), cat="repeat")  # the first 15th after day 0
c("daily by 5 p.m.", R, cat="refuse")
c("before Aug 15", R, cat="refuse")
c("due before August 15", R, cat="refuse")
c("before Friday", R, cat="refuse")
c("prior to Aug 15", R, cat="refuse")
c("after Aug 15", R, cat="refuse")
c("no earlier than Aug 15", R, cat="refuse")
c("between Aug 1 and Aug 15", R, cat="refuse")
c("Aug 1-15", R, cat="refuse")
c("ASAP", R, cat="refuse")
c("soon", R, cat="refuse")
c("30 days before", R, cat="refuse")
c("minus 5 days", R, cat="refuse")


# ================= batch 2: probes around the failure patterns =================
def c2(*a, **k):
    k.setdefault("cat", "probe")
    c(*a, **k)


# dates in titles used as day 0
c2("July 10 letter, 30 days", cal(30, D(2025, 7, 10)), ok=True)
c2("Aug. 5 primary results, 10 days", cal(10), ok=True)
c2("July 4 fireworks story, 30 days", cal(30), ok=True)
c2("Sept. 11 anniversary piece, 2 weeks", cal(14), ok=True)
c2("Election Day Nov. 4 coverage plan, 10 days", cal(10), ok=True)
c2("Dec. 7 Pearl Harbor feature, 3 weeks", cal(21), ok=True)
c2("March 15 flood follow-up, 20 business days", bus(20), ok=True)
# ordinal weekday / holiday expressions
c2("the second Tuesday of next month", D(2025, 8, 12), ok=True)
c2("the last Friday of July", D(2025, 7, 25), ok=True)
c2("the last Friday in August", D(2025, 8, 29), ok=True)
c2("the Monday after Labor Day", D(2025, 9, 8), ok=True)
c2("the Friday before Labor Day", D(2025, 8, 29), ok=True)
c2("the third Thursday of September", D(2025, 9, 18), ok=True)
c2("Friday of next week", D(2025, 7, 25), ok=True)
c2("Monday of next week", D(2025, 7, 21), ok=True)
c2("this coming Monday", D(2025, 7, 21), ok=True)
c2("the following Monday", D(2025, 7, 21), ok=True)
c2("by Labor Day", D(2025, 9, 1), ok=True)
c2("the last business day of the month", D(2025, 7, 31), ok=True)
c2("the last day of August", D(2025, 8, 31), ok=True)
c2("the 15th of next month", D(2025, 8, 15), ok=True)
c2("the 15th of August", D(2025, 8, 15), ok=True)
c2("end of this week", D(2025, 7, 18), ok=True)
c2("by week's end", D(2025, 7, 18), ok=True)
c2("by month's end", D(2025, 7, 31), ok=True)
c2("by the end of July", D(2025, 7, 31), ok=True)
c2("by year-end", D(2025, 12, 31), ok=True)
c2("by August", R)
c2("in August", R)
c2("the week of Aug 11", R)
c2("by fall", R)
c2("by 2026", R)
# "excluding" forms of business days
c2("30 days, not counting weekends", bus(30), ok=True)
c2("10 days, weekends excluded", bus(10), ok=True)
c2("10 days (not including weekends or holidays)", bus(10), ok=True)
c2("10 days, Saturdays, Sundays and holidays excepted", bus(10), ok=True)
c2("10 days excluding holidays", R)
c2("10 weekdays", bus(10), ok=True)
c2("10 judicial days", bus(10), ok=True)
c2("10 school days", R)
c2("10 days, Sundays excepted", D(2025, 7, 29), ok=True)
c2("ten days, exclusive of weekends and legal holidays", bus(10), ok=True)
# decimals / fractions
c2("2.5 days", R)
c2("0.5 months", R)
c2("1.5 business days", R)
c2("7.5 weeks", R)
c2("1½ weeks", R)
c2("one and a half weeks", R)
c2("half a month", R)
c2("a day and a half", R)
c2("1 1/2 weeks", R)
# past / negative / overdue
c2("-5 days", R)
c2("5 days earlier", R)
c2("5 days prior", R)
c2("5 days late", R)
c2("5 days overdue", R)
c2("overdue by 5 days", R)
c2("30 days past due", R)
c2("T-minus 5 days", R)
c2("five days ago", R)
c2("a week ago", R)
c2("last Friday", R)
c2("yesterday", R)
c2("last week", R)
c2("the previous Monday", R)
c2("the day before yesterday", R)
c2("5 days before today", D(2025, 7, 12), ok=True)
# ranges and alternatives
c2("Aug. 1 to Aug. 15", R)
c2("Aug 1 through 15", R)
c2("July 28–Aug. 1", R)
c2("Aug. 15-16", R)
c2("from Aug 1 until Aug 15", R)
c2("5 to 10 days", R)
c2("ten to fifteen days", R)
c2("10–20 days", R)
c2("10—20 days", R)
c2("between 10 and 20 days", R)
c2("20-30 business days", R)
c2("2-3 weeks", R)
c2("1 to 2 months", R)
c2("4 or 5 days", R)
c2("four to six weeks", R)
c2("two or three weeks", R)
c2("a week or two", R)
c2("a day or two", R)
c2("30 or 45 days", R)
c2("30 days or less", R)
c2("30 or more days", R)
c2("Friday or Monday", R)
c2("5pm or 6pm Friday", R)
c2("by 5pm Friday or noon Monday", R)
c2("10 days/20 days", R)
c2("30 days (45 for appeals)", R)
c2("30 days; 60 days for large requests", R)
c2("twenty (20) days or thirty (30) days", R)
c2("Thirty days, or sixty days for complex requests", R)
c2("30 days +/- 3 days", R)
c2("30 days plus or minus 2", R)
c2("The agency must respond by Aug. 15 or face a lawsuit.", D(2025, 8, 15), ok=True)
c2("Respond within 20 business days or explain the delay", bus(20), ok=True)
# before / after / floors / approximations
c2("ahead of Aug 15", R)
c2("earlier than Aug 15", R)
c2("in advance of Aug 15", R)
c2("not before Aug 15", R)
c2("not until Aug 15", R)
c2("not earlier than Aug 15", R)
c2("no sooner than Aug 15", R)
c2("starting Aug 15", R)
c2("beginning Aug 15", R)
c2("as of Aug 15", R)
c2("effective Aug 15", R)
c2("since Aug 15", R)
c2("later than Aug 15", R)
c2("past Aug 15", R)
c2("after Friday", R)
c2("following Aug 15", R)
c2("sometime after Aug 15", R)
c2("around Aug 15", R)
c2("about 30 days", R)
c2("approximately 30 days", R)
c2("roughly two weeks", R)
c2("circa Aug 15", R)
c2("Aug 15-ish", R)
c2("at least 30 days", R)
c2("more than 30 days", R)
c2("over 30 days", R)
c2("in less than 10 days", R)
c2("fewer than 10 business days", R)
c2("a minimum of 30 days", R)
c2("30 days minimum", R)
c2("up to 30 days", cal(30), ok=True)
c2("no more than 10 business days", bus(10), ok=True)
c2("not more than thirty (30) days after receipt", cal(30), ok=True)
c2("a maximum of 30 days", cal(30), ok=True)
c2("not less than 10 days before Aug 29", D(2025, 8, 19), ok=True)
c2("a few days", R)
c2("several weeks", R)
c2("a couple of days", cal(2), ok=True)
# repeating
c2("once a week", R)
c2("three times a week", R)
c2("per month", R)
c2("every day", R)
c2("each week by Friday", R)
c2("on the 1st of every month", D(2025, 8, 1))  # a repeat: the first 1st after day 0
c2("every weekday", R)
c2("fortnightly", R)
c2("semiannually", R)
c2("yearly", D(2026, 7, 17))  # a repeat: a year from day 0
c2("bimonthly", R)
c2("each quarter", D(2025, 10, 17))  # a repeat: 3 months from day 0
c2("every 90 days", R)
c2("weekdays by 5pm", R)
c2("on a rolling basis", R)
c2("Mondays", R)
c2("Fridays at 5pm", R)
c2("by Mondays", R)
c2("twice", R)
c2("30 days each", R)
c2("30 days per request", R)
# zones
c2("by 5 p.m. PST Friday", T(D(2025, 7, 18), "17:00", LA), ok=True)
c2("by 5pm PDT Friday", T(D(2025, 7, 18), "17:00", LA), ok=True)
c2("by 5pm CST Friday", T(D(2025, 7, 18), "17:00", CHI), ok=True)
c2("by 5pm JST Friday", R)
c2("by 5pm AEST Friday", R)
c2("by 5pm CET Friday", R)
c2("by 5pm WAT Friday", R)
c2("by 5pm SGT Friday", R)
c2("by 5pm London time Friday", R)
c2("by 5 p.m. Arizona time Friday", T(D(2025, 7, 18), "17:00", "America/Phoenix"), ok=True)
c2("by 5pm Kyiv time Friday", R)
c2("by 5pm local time Friday", T(D(2025, 7, 18), "17:00"), ok=True)
c2("by 9am Friday Hawaii time", T(D(2025, 7, 18), "09:00", HON), ok=True)
c2("by 17:00 CEST on Aug 15", R)
c2("by 5pm ET/2pm PT Friday", T(D(2025, 7, 18), "17:00"), ok=True)
c2("by 5pm ET/3pm PT Friday", R)
c2("by 5pm E.T. Friday", T(D(2025, 7, 18), "17:00"), ok=True)
c2("by 12 noon ET Friday", T(D(2025, 7, 18), "12:00"), ok=True)
# time forms
c2("by 5:00 Friday", R)
c2("by 9 Monday", R)
c2("at 3 tomorrow", R)
c2("by 10:30 Friday", T(D(2025, 7, 18), "10:30"), ok=True)
c2("by 1700 Friday", T(D(2025, 7, 18), "17:00"), ok=True)
c2("at 17.00 on Friday", T(D(2025, 7, 18), "17:00"), ok=True)
c2("by 5.30pm Friday", T(D(2025, 7, 18), "17:30"), ok=True)
c2("by 5p Friday", T(D(2025, 7, 18), "17:00"), ok=True)
c2("by 5 pm. Friday", T(D(2025, 7, 18), "17:00"), ok=True)
c2("by 11:59:59 p.m. Friday", T(D(2025, 7, 18), "23:59:59"), ok=True)
c2("by 12 midnight Friday", W(D(2025, 7, 18), "23:59", "23:59:59"), ok=True)
c2("by midnight tonight", W(S, "23:59", "23:59:59"), ok=True)
c2("by midnight Thursday", W(S, "23:59", "23:59:59"), ok=True)
c2("by 12:00 a.m. on Aug 15", T(D(2025, 8, 15), "00:00"), ok=True)
c2("by 12 a.m. Friday", T(D(2025, 7, 18), "00:00"), ok=True)
c2("Friday morning", R)
c2("Friday afternoon", R)
c2("this afternoon", R)
c2("tonight", R)
c2("by lunch", R)
c2("by 5pm-ish Friday", R)
c2("by 5:00pm EST on 8/15/25", T(D(2025, 8, 15), "17:00"), ok=True)
c2("by 5pm Friday July 18", T(D(2025, 7, 18), "17:00"), ok=True)
c2("by Friday the 19th", R)
c2("by Friday, July 19", R)
c2("by Aug. 15 (a Thursday)", R)
c2("end of the business day", T(S, "17:00"), ok=True)
c2("end of business Friday", T(D(2025, 7, 18), "17:00"), ok=True)
# hours / minutes
c2("in 36 hours", H(36), ok=True)
c2("within 1 hour", H(1), ok=True)
c2("in 90 minutes", H(1.5), ok=True)
c2("within 30 minutes", H(0.5), ok=True)
c2("72 business hours", R)
c2("within 24 business hours", R)
c2("within 48 working hours", R)
c2("2 days and 3 hours", H(51), ok=True)
# numbers & sums
c2("thirty-one (31) days", cal(31))
c2("twenty one days", cal(21), ok=True)
c2("one hundred and twenty days", cal(120), ok=True)
c2("a hundred days", cal(100), ok=True)
c2("1,000 days", cal(1000), ok=True)
c2("30 (thirty) days", cal(30), ok=True)
c2("two (2) weeks", cal(14), ok=True)
c2("thirty (3O) days", R)
c2("30days", cal(30), ok=True)
c2("30d", cal(30), ok=True)
c2("2w", cal(14), ok=True)
c2("a dozen days", cal(12), ok=True)
c2("1 month and 5 days", D(2025, 8, 22), ok=True)
c2("2 weeks and 3 days", cal(17), ok=True)
c2("30 days + 3 days", cal(33), ok=True)
c2("30 days + 3", R)
c2("20 business days plus 10 calendar days", bus(10, bus(20)) if False else D(2025, 8, 24), ok=True)
# start-date forms
c2("30 days starting Monday", D(2025, 8, 20), ok=True)
c2("30 days beginning July 21", D(2025, 8, 20), ok=True)
c2("10 business days from Monday", bus(10, D(2025, 7, 21)), ok=True)
c2("30 days from Friday", D(2025, 8, 17), ok=True)
c2("3 days from tomorrow", D(2025, 7, 21), ok=True)
c2("a week from tomorrow", D(2025, 7, 25), ok=True)
c2("within 30 days of Aug 15", D(2025, 9, 14), ok=True)
c2("30 days from 8/1", D(2025, 8, 31), ok=True)
c2("30 days from 8/1/25", D(2025, 8, 31), ok=True)
# date forms
c2("by 7/18/25", D(2025, 7, 18), ok=True)
c2("by 7-18-2025", D(2025, 7, 18), ok=True)
c2("by 2025/07/18", D(2025, 7, 18), ok=True)
c2("by the 18th of July", D(2025, 7, 18), ok=True)
c2("by 18 July", D(2025, 7, 18), ok=True)
c2("Due: Jul 18", D(2025, 7, 18), ok=True)
c2("by 18.07.2025", D(2025, 7, 18), ok=True)
c2("by 15/8", D(2025, 8, 15), ok=True)
c2("by 13/15", R)
c2("by Aug 32", R)
c2("by 2025-02-29", R)
c2("by the 30th of February", R)
c2("by Friday the 18th", D(2025, 7, 18), ok=True)
# not
c2("The city did not respond within 10 days.", R)
c2("The agency has not responded in 30 days", R)
c2("Don't file before Aug 15", R)
c2("do not respond until Friday", R)
c2("never later than Aug 15", R)
c2("Cannot be extended beyond 30 days", R)


# ================= batch 3 =================
def c3(*a, **k):
    k.setdefault("cat", "probe3")
    c(*a, **k)


c3("by Friday 5pm JST", R)
c3("by Friday 5pm London time", R)
c3("by 5pm Friday Pacific time", T(D(2025, 7, 18), "17:00", LA), ok=True)
c3("by 5pm Friday, Central time", T(D(2025, 7, 18), "17:00", CHI), ok=True)
c3("by 5pm CEST", R)
c3("by 5pm JST", R)
c3("by noon IST Friday", R)
c3("Thursdays at noon", R)
c3("Mondays by 9 a.m.", R)
c3("Story about Aug. 5 vote, 10 days", cal(10), ok=True)
c3("Case filed July 10, answer in 21 days", cal(21, D(2025, 7, 10)), ok=True)
c3("Interview 3/4 of the council, by Friday", D(2025, 7, 18), ok=True)
c3("within 20 days, excluding weekends and holidays", bus(20), ok=True)
c3("20 days (excluding weekends)", bus(20), ok=True)
c3("The agency has 20 working days, excluding weekends and holidays, to respond.", bus(20), ok=True)
c3("2 days from 2025-12-23, excluding weekends and holidays", D(2025, 12, 26), ok=True)
c3("by 5 p.m. Friday ET", T(D(2025, 7, 18), "17:00", NY), tz=LA, ok=True)
c3("5 p.m. Friday (ET)", T(D(2025, 7, 18), "17:00", NY), tz=LA, ok=True)
c3("by 5 p.m. Friday Eastern", T(D(2025, 7, 18), "17:00", NY), tz=LA, ok=True)
c3("by Friday 5pm PT", T(D(2025, 7, 18), "17:00", LA), ok=True)
DEBATABLE = {
    (
        "30 calendar days",
        "business",
    ): "business rule rolls a calendar result (explained in steps); README says 'every day counts'",
    (
        "20 business days plus 10 calendar days",
        "calendar",
    ): "Aug 24 (Sun) rolled to Aug 25 because 'business' switches the whole phrase to the business rule",
    (
        "30 days, not 45 days",
        "calendar",
    ): "'not' not refused, but the date returned is the intended one",
    ("30 days or less", "calendar"): "same as 'within 30 days'",
    ("T-minus 5 days", "calendar"): "T-minus 5 days = 5 days from now",
    ("never later than Aug 15", "calendar"): "means 'no later than'",
    ("Cannot be extended beyond 30 days", "calendar"): "30-day cap; date plausible",
    ("30 days each", "calendar"): "plausible",
    ("30 days per request", "calendar"): "plausible",
    (
        "10 days excluding holidays",
        "calendar",
    ): "clause ignored but no holiday in range, so date coincides",
    ("tonight", "calendar"): "end of today is reasonable",
}
