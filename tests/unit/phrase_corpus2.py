"""Second review pass (issue 13): ~250 NEW phrasings (none in tests/unit/phrase_corpus.py), each with its
due date worked out independently (day 0 Thu 2025-07-17; now 10:00 New York), or R: must be refused.
Same c(...) format as phrase_corpus.py. ok=True: a refusal is acceptable though a date exists."""

from phrase_corpus import (  # helpers only (independent of the engine)
    ANC,
    CHI,
    DEN,
    HON,
    LA,
    NY,
    UTC,
    D,
    H,
    R,
    S,
    T,
    W,
    bus,
    cal,
    roll,
)
from phrase_corpus import C as OLD

OLD_PHRASES = {x["p"] for x in OLD}
C = []


def c(p, e, rule="calendar", tz=NY, ok=False, cat=""):
    C.append(dict(p=p, e=e, rule=rule, tz=tz, ok=ok, cat=cat))


def mon(d, n):  # calendar months, clamped
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    import calendar as _c

    return D(y, m, min(d.day, _c.monthrange(y, m)[1]))


# ---------------- legal letters and court rules
c("within fourteen (14) days after service of this notice", cal(14), cat="legal")
c("not later than 21 days before the hearing", R, cat="legal")
c("not later than 21 days before the Sept. 12 hearing", D(2025, 8, 22), ok=True, cat="legal")
c(
    "You have twenty-eight (28) days from the date of service to file a response.",
    cal(28),
    cat="legal",
)
c(
    "Any objection must be filed within 10 days after being served with a copy.",
    cal(10),
    cat="legal",
)
c("within 7 days of the date hereof", cal(7), cat="legal")
c("A response is due within thirty (30) days of the date of this subpoena.", cal(30), cat="legal")
c("Please produce the documents within fifteen (15) days.", cal(15), cat="legal")
c(
    "Cure the default within ten (10) days of receipt of this notice or the lease will terminate.",
    cal(10),
    ok=True,
    cat="legal",
)
c("Demand: pay $2,500 within 14 days", cal(14), cat="legal")
c("The motion must be served at least 14 days before the hearing date.", R, cat="legal")
c(
    "Objections due within 14 days after being served (Fed. R. Civ. P. 72(b)(2))",
    cal(14),
    cat="legal",
)
c(
    "Under Rule 12(a)(1)(A)(i), the defendant must serve an answer within 21 days after being served.",
    cal(21),
    cat="legal",
)
c("within 28 days after the entry of judgment", roll(cal(28)), rule="court", cat="legal")
c("within 14 days after entry of the order", roll(cal(14)), rule="court", cat="legal")
c("Appellant's brief due 40 days after the record is filed", cal(40), ok=True, cat="legal")
c("Reply brief: 21 days after service of the response brief", cal(21), cat="legal")
c("Petition for rehearing within 14 days after entry of judgment", cal(14), cat="legal")
c("30 days after service, plus 3 days under Rule 6(d)", cal(33), ok=True, cat="legal")
c("within ninety (90) days of the date of this letter", cal(90), cat="legal")
c("within one hundred eighty (180) days", cal(180), cat="legal")
c("no less than 30 days before the hearing", R, cat="legal")
c("Cease and desist within 48 hours of receipt of this letter.", H(48), ok=True, cat="legal")
c("within 10 days after the date of mailing", cal(10), cat="legal")
c("The respondent shall have twenty (20) days from service to answer.", cal(20), cat="legal")
c("If you do not respond within 10 days, we will file suit.", cal(10), ok=True, cat="legal")
c("no later than 30 days after the close of the comment period", R, cat="legal")
c("30 days after the end of the fiscal year", R, cat="legal")
c("10 days after the election", R, cat="legal")
c("within 30 days after the agency receives the appeal", cal(30), cat="legal")
# ---------------- public-records laws / FOIA letters
c("Acknowledge within 5 business days", bus(5), cat="foia")
c("Respond within 10 days", cal(10), cat="foia")
c("promptly", R, cat="foia")
c(
    "The agency must respond promptly, and in no event later than 10 business days.",
    bus(10),
    ok=True,
    cat="foia",
)
c("within a reasonable time", R, cat="foia")
c("Colorado CORA request, 3 working days", bus(3), cat="foia")
c("Georgia Open Records Act request, three business days", bus(3), cat="foia")
c("Michigan FOIA: 5 business days, extendable by 10 business days", bus(5), cat="foia")
c("Ohio public records request, within a reasonable period of time", R, cat="foia")
c("Virginia FOIA, five working days", bus(5), cat="foia")
c("Washington PRA, respond within five business days", bus(5), cat="foia")
c("Massachusetts public records law: 10 business days", bus(10), cat="foia")
c("NJ OPRA request, seven business days", bus(7), cat="foia")
c(
    "Kentucky Open Records: 5 days (excluding weekends and legal holidays)",
    bus(5),
    ok=True,
    cat="foia",
)
c("Connecticut FOI, four business days", bus(4), cat="foia")
c("Arizona records request, promptly", R, cat="foia")
c("FOIA appeal: 90 days from the date of the adverse determination", cal(90), ok=True, cat="foia")
c("FOIA expedited processing decision within 10 calendar days", cal(10), cat="foia")
c(
    "The agency shall make a determination within 20 days (excepting Saturdays, Sundays, and legal public holidays)",
    bus(20),
    cat="foia",
)
c("Indiana APRA, 7 days", cal(7), cat="foia")
c(
    "The Texas Public Information Act requires a response within 10 business days.",
    bus(10),
    cat="foia",
)
c("Minnesota data request, a reasonable time", R, cat="foia")
c("FOIL appeal within 30 days", cal(30), cat="foia")
c("Records must be made available within 3 business days of the request.", bus(3), cat="foia")
c(
    "Pursuant to 5 U.S.C. § 552, I request that you respond within 20 working days.",
    bus(20),
    ok=True,
    cat="foia",
)
c(
    "I look forward to your reply within 20 business days, as the statute requires.",
    bus(20),
    cat="foia",
)
c("If my request is denied, I will appeal within 90 days.", R, cat="foia")
c("If you expect fees to exceed $25, please contact me first.", R, cat="foia")
c("Please acknowledge receipt of this request within 10 days.", cal(10), cat="foia")
c(
    "Under the Illinois FOIA, 5 ILCS 140/3(d), you have 5 business days to respond.",
    bus(5),
    ok=True,
    cat="foia",
)
c("If the agency needs more time, it has 10 more business days", R, cat="foia")
c("within 10 days, unless extended", cal(10), ok=True, cat="foia")
# ---------------- AP-style shorthand
c("Thurs.", S, cat="ap")
c("by Thurs.", S, cat="ap")
c("Sept. 5", D(2025, 9, 5), cat="ap")
c("Sept 5", D(2025, 9, 5), cat="ap")
c("noon Wed.", T(D(2025, 7, 23), "12:00"), cat="ap")
c("5 p.m. EDT", T(S, "17:00"), cat="ap")
c("by 5 p.m. EDT Tues.", T(D(2025, 7, 22), "17:00"), cat="ap")
c("Tues., Aug. 19", D(2025, 8, 19), cat="ap")
c("Fri., Aug. 1", D(2025, 8, 1), cat="ap")
c("Due Sat. a.m.", R, cat="ap")
c("10 a.m. Mon.", T(D(2025, 7, 21), "10:00"), cat="ap")
c("by 4:30 p.m. Fri.", T(D(2025, 7, 18), "16:30"), cat="ap")
c("Oct. 1", D(2025, 10, 1), cat="ap")
c("Jan. 15", D(2026, 1, 15), cat="ap")
c("Dec. 31", D(2025, 12, 31), cat="ap")
c("by 9 p.m. CDT Sat.", T(D(2025, 7, 19), "21:00", CHI), cat="ap")
c("7 a.m. MDT Aug. 4", T(D(2025, 8, 4), "07:00", DEN), cat="ap")
c("by 3 p.m. PDT", T(S, "15:00", LA), cat="ap")
c("by Weds", D(2025, 7, 23), ok=True, cat="ap")
c("by Tue", D(2025, 7, 22), cat="ap")
c("by Sun", D(2025, 7, 20), cat="ap")
c("Sat", D(2025, 7, 19), ok=True, cat="ap")
c("by Tues 7/22", D(2025, 7, 22), cat="ap")
c("Mon 7/21", D(2025, 7, 21), cat="ap")
c("Wed 7/24", R, cat="ap")
c("by Thu 5p", T(S, "17:00"), ok=True, cat="ap")
# ---------------- editors' notes
c("need this by EOD tomorrow", T(D(2025, 7, 18), "17:00"), cat="editor")
c("copy due 4pm", T(S, "16:00"), cat="editor")
c("file by 6 p.m. Sunday", T(D(2025, 7, 20), "18:00"), cat="editor")
c("Draft to me by 2 p.m. tomorrow", T(D(2025, 7, 18), "14:00"), cat="editor")
c("Can you turn this around by 3?", R, cat="editor")
c("Need 800 words by 5 p.m.", T(S, "17:00"), cat="editor")
c("Budget line due 11 a.m.", T(S, "11:00"), cat="editor")
c("Photos by 1 p.m. Friday, please", T(D(2025, 7, 18), "13:00"), cat="editor")
c("Web version by 7:30 p.m. tonight", T(S, "19:30"), cat="editor")
c("Filing for A1, due 9:45 p.m.", T(S, "21:45"), cat="editor")
c("Graphics need final numbers by noon tomorrow", T(D(2025, 7, 18), "12:00"), cat="editor")
c("Send edits by end of day", W(S, "17:00", "23:59:59"), cat="editor")
c("need this by EOW", D(2025, 7, 18), ok=True, cat="editor")
c("first draft Monday, final Wednesday", R, cat="editor")
c("Sidebar due Tues., main bar Wed.", R, cat="editor")
c("Pitch memo by next Wed.", D(2025, 7, 23), cat="editor")
c("by Monday a.m.", R, cat="editor")
c("Due by 10 p.m. for the print deadline", T(S, "22:00"), cat="editor")
c("by 23:00 tonight", T(S, "23:00"), cat="editor")
c("Slot needs it at 8:15 p.m.", T(S, "20:15"), cat="editor")
c("HED and dek by 6pm", T(S, "18:00"), cat="editor")
c("Please have the 1,200-word version by Friday at 10am", T(D(2025, 7, 18), "10:00"), cat="editor")
c(
    "by 8 a.m.", T(D(2025, 7, 18), "08:00"), ok=True, cat="editor"
)  # 8 a.m. today already passed at 10:00
# ---------------- news sentences
c("The county must respond within 10 business days under state law.", bus(10), cat="news")
c("The school board has 45 days to decide on the appeal.", cal(45), cat="news")
c(
    "The utility has until Sept. 30 to file its rate plan with the commission.",
    D(2025, 9, 30),
    cat="news",
)
c("Candidates have until 5 p.m. Aug. 22 to file petitions.", T(D(2025, 8, 22), "17:00"), cat="news")
c("The state gave the hospital 90 days to fix the violations.", cal(90), cat="news")
c("Under the settlement, the city must pay $3 million within 60 days.", cal(60), cat="news")
c(
    "Voters have until Oct. 6 to register for the Nov. 4 election.",
    D(2025, 10, 6),
    ok=True,
    cat="news",
)
c("The judge gave prosecutors two weeks to turn over the evidence.", cal(14), cat="news")
c("The council has 30 days, or until Aug. 16, to act.", D(2025, 8, 16), ok=True, cat="news")
c("The company, which employs 1,200 people, has 10 days to respond.", cal(10), cat="news")
c("The 4-3 ruling gives the Legislature 60 days to redraw the maps.", cal(60), ok=True, cat="news")
c("Residents have until Friday, July 25, to comment.", D(2025, 7, 25), cat="news")
c("Comments are due by 11:59 p.m. ET on Aug. 4.", T(D(2025, 8, 4), "23:59"), cat="news")
c("The deadline to apply is noon Aug. 8.", T(D(2025, 8, 8), "12:00"), cat="news")
c("Bids are due at 2 p.m. Tuesday.", T(D(2025, 7, 22), "14:00"), cat="news")
c("The agency said it would respond within 30 days.", cal(30), ok=True, cat="news")
c(
    "The governor must sign or veto the bill within 12 days, excluding Sundays.",
    D(2025, 7, 31),
    ok=True,
    cat="news",
)
c("The tenants were given 72 hours to leave.", H(72), ok=True, cat="news")
c("The union has 10 days from Monday to respond.", D(2025, 7, 31), ok=True, cat="news")
c("Under state law, the county has 14 days to certify the results.", cal(14), cat="news")
c(
    "The city has until 5 p.m. Friday to submit its plan, the judge ruled.",
    T(D(2025, 7, 18), "17:00"),
    cat="news",
)
c("Objectors have 10 business days after the notice is published.", bus(10), ok=True, cat="news")
c("Applications for the $2,000 grants are due Sept. 15.", D(2025, 9, 15), cat="news")
c("The 12-member panel must report by Dec. 1.", D(2025, 12, 1), cat="news")
c("The board has 60 days from Aug. 1 to issue a ruling.", D(2025, 9, 30), cat="news")
c("The tribe has until Jan. 1, 2026, to respond.", D(2026, 1, 1), cat="news")
c(
    "The filing deadline is 5 p.m. Aug. 29 at the county clerk's office.",
    T(D(2025, 8, 29), "17:00"),
    cat="news",
)
c(
    "The developer was given until Aug. 31 to submit revised plans for the 200-unit complex.",
    D(2025, 8, 31),
    ok=True,
    cat="news",
)
c("Officials expect a decision in six to eight weeks.", R, cat="news")
c(
    "The FAA has 120 days to issue the rule under the 2024 reauthorization.",
    cal(120),
    ok=True,
    cat="news",
)
c("The Supreme Court gave the state 30 days to respond to the petition.", cal(30), cat="news")
c("Rep. Jones, D-Ohio, has 5 days to file.", cal(5), cat="news")
c("The 3rd Circuit ordered briefs within 21 days.", cal(21), ok=True, cat="news")
c(
    "The I-35 project bids close at 2 p.m. CT on Aug. 12.",
    T(D(2025, 8, 12), "14:00", CHI),
    cat="news",
)
c("The union must ratify the 4-year contract by Aug. 30.", D(2025, 8, 30), ok=True, cat="news")
c("He served 30 days in jail.", R, cat="news")
c("The 30-day comment period ended Aug. 1.", R, cat="news")
c("Within days, the agency responded.", R, cat="news")
c("The store is open 24 hours.", R, cat="news")
# ---------------- titles with numbers / ids / money / addresses / dates / ages
c("$450K settlement records, 10 business days", bus(10), cat="title")
c("Ward 7 council race preview, by Tues.", D(2025, 7, 22), cat="title")
c("1234 Elm Ave. demolition story, 2 days", cal(2), cat="title")
c("Flight 1549 anniversary, by Friday", D(2025, 7, 18), cat="title")
c("Patient, 87, dies in heat: follow-up by noon", T(S, "12:00"), ok=True, cat="title")
c("SB 1047 analysis, due 8/1", D(2025, 8, 1), cat="title")
c("HB 2 story, 3 days", cal(3), cat="title")
c("Agenda item 14B, by COB Monday", T(D(2025, 7, 21), "17:00"), cat="title")
c("Lot 22 rezoning, by Aug. 20", D(2025, 8, 20), cat="title")
c("Unit 3 fire, file by 6pm", T(S, "18:00"), cat="title")
c("District 5 recall, 30 days", cal(30), cat="title")
c("Class of 2025 grads story, by Monday", D(2025, 7, 21), cat="title")
c("Map of 42 precincts, by 4 p.m.", T(S, "16:00"), cat="title")
c("2.4% inflation story, due Fri.", D(2025, 7, 18), cat="title")
c("Suite 1200 lease records, 5 business days", bus(5), cat="title")
c("Hwy 101 closure, by 8 p.m.", T(S, "20:00"), cat="title")
c("3 a.m. shooting follow-up, by noon", T(S, "12:00"), ok=True, cat="title")
c("7-Eleven robbery, due 5pm", T(S, "17:00"), ok=True, cat="title")
c("9-1-1 call logs, 10 business days", bus(10), ok=True, cat="title")
c("Grandmother, 101, profile due Wed.", D(2025, 7, 23), ok=True, cat="title")
c("1/6 defendants update, by Friday", D(2025, 7, 18), ok=True, cat="title")
c("Route 9W repaving, 3 days", cal(3), cat="title")
c("$1,500/month rent story, by Monday", D(2025, 7, 21), ok=True, cat="title")
c("24-hour diner closing, by Friday", D(2025, 7, 18), ok=True, cat="title")
c("5-day forecast graphic, by 3 p.m.", T(S, "15:00"), ok=True, cat="title")
c("Two-week-old baby found story, by 6 p.m.", T(S, "18:00"), ok=True, cat="title")
c("30-year mortgage rates, due tomorrow", cal(1), ok=True, cat="title")
c("12-month budget review, by Aug. 15", D(2025, 8, 15), ok=True, cat="title")
c("The 90-day review, by Friday", D(2025, 7, 18), ok=True, cat="title")
c("Man, 45, charged; follow by 5pm", T(S, "17:00"), ok=True, cat="title")
c("Dec. 7 vigil preview, by 5 p.m.", T(S, "17:00"), ok=True, cat="title")
c("Memo on the 3/15 flood, by Monday", D(2025, 7, 21), ok=True, cat="title")
c("10 a.m. presser recap, by 1 p.m.", T(S, "13:00"), ok=True, cat="title")
c("Aug. 15 budget vote preview, 2 days", cal(2), ok=True, cat="title")
c("Q2 earnings (June 30 quarter), by Friday", D(2025, 7, 18), ok=True, cat="title")
# ---------------- holidays, months, years
c("the day after Thanksgiving", D(2025, 11, 28), ok=True, cat="holiday")
c("by Christmas Eve", D(2025, 12, 24), ok=True, cat="holiday")
c("Labor Day", D(2025, 9, 1), ok=True, cat="holiday")
c("before Labor Day", R, cat="holiday")
c("by Thanksgiving", D(2025, 11, 27), ok=True, cat="holiday")
c("by New Year's Eve", D(2025, 12, 31), ok=True, cat="holiday")
c("by Halloween", D(2025, 10, 31), ok=True, cat="holiday")
c("by Veterans Day", D(2025, 11, 11), ok=True, cat="holiday")
c("the Friday after Thanksgiving", D(2025, 11, 28), ok=True, cat="holiday")
c("by Columbus Day", D(2025, 10, 13), ok=True, cat="holiday")
c("by Memorial Day", D(2026, 5, 25), ok=True, cat="holiday")
c("by MLK Day", D(2026, 1, 19), ok=True, cat="holiday")
c("the day after Labor Day", D(2025, 9, 2), ok=True, cat="holiday")
c("the day before Thanksgiving", D(2025, 11, 26), ok=True, cat="holiday")
c("two days before Christmas", D(2025, 12, 23), ok=True, cat="holiday")
c("by September", R, cat="month")
c("due in September", R, cat="month")
c("by October", R, cat="month")
c("by end of September", D(2025, 9, 30), ok=True, cat="month")
c("end of July", D(2025, 7, 31), ok=True, cat="month")
c("end of Sept.", D(2025, 9, 30), ok=True, cat="month")
c("by end of 2025", D(2025, 12, 31), ok=True, cat="year")
c("in 2026", R, cat="year")
c("by the end of FY2025", R, cat="year")
c("by the end of the quarter", D(2025, 9, 30), ok=True, cat="month")
c("by Q3", R, cat="month")
c("by end of Q3", D(2025, 9, 30), ok=True, cat="month")
c("by the fall semester", R, cat="month")
c("early August", R, cat="month")
c("late September", R, cat="month")
c("later this month", R, cat="month")
c("the week of July 28", R, cat="month")
# ---------------- shorthand periods
c("in the next two weeks", cal(14), ok=True, cat="short")
c("over the next 10 days", cal(10), ok=True, cat="short")
c("within a week of receiving", cal(7), cat="short")
c("within a week of receiving this email", cal(7), cat="short")
c("48 hrs", H(48), cat="short")
c("10 bus. days", bus(10), ok=True, cat="short")
c("3 wks", cal(21), cat="short")
c("2 mos.", mon(S, 2), ok=True, cat="short")
c("6 mo", mon(S, 6), ok=True, cat="short")
c("1 yr", mon(S, 12), cat="short")
c("within 2 hrs", H(2), ok=True, cat="short")
c("in the next 24 hours", H(24), ok=True, cat="short")
c("24 hours from now", H(24), cat="short")
c("in 15 min", H(0.25), ok=True, cat="short")
c("in a day", cal(1), ok=True, cat="short")
c("in 1 day", cal(1), cat="short")
c("within one (1) week", cal(7), cat="short")
c("within 2 months of receipt", mon(S, 2), cat="short")
c("twelve (12) months", mon(S, 12), cat="short")
c("eighteen months", mon(S, 18), cat="short")
c("within 100 days", cal(100), cat="short")
c("365 days", cal(365), cat="short")
c("one (1) year from the date of this notice", mon(S, 12), cat="short")
c("in two weeks' time", cal(14), cat="short")
c("in a fortnight", cal(14), cat="short")
c("within the next 30 days", cal(30), cat="short")
c("within the week", R, cat="short")
c("within the month", R, cat="short")
c("within a few weeks", R, cat="short")
# ---------------- ISO / European / odd date forms
c("2025-W31", R, cat="datefmt")
c("by 2025-W31-5", D(2025, 8, 1), ok=True, cat="datefmt")
c("by 17/07/2025", S, ok=True, cat="datefmt")
c("by 25/07/2025", D(2025, 7, 25), ok=True, cat="datefmt")
c("by 31/07/2025", D(2025, 7, 31), ok=True, cat="datefmt")
c("by 05/08/2025", D(2025, 5, 8), cat="datefmt")  # May 8 (past) or 5 Aug
c("by 07/08/2025", D(2025, 7, 8), cat="datefmt")  # Jul 8 (past) or 7 Aug
c("by Aug. 15, 2026", D(2026, 8, 15), cat="datefmt")
c("by August 15, 2024", D(2024, 8, 15), ok=True, cat="datefmt")
c("Sept. 31", R, cat="datefmt")
c("by 9/31", R, cat="datefmt")
c("by 2/29/2028", D(2028, 2, 29), cat="datefmt")
c("due 7/17", S, cat="datefmt")
c("by Aug 15 2025 5:00 PM", T(D(2025, 8, 15), "17:00"), cat="datefmt")
c("Aug. 15 at noon", T(D(2025, 8, 15), "12:00"), cat="datefmt")
c("on Aug. 15 by 5", R, cat="datefmt")
c("by the 15th at 5pm", T(D(2025, 8, 15), "17:00"), cat="datefmt")
c("by 15th Aug", D(2025, 8, 15), ok=True, cat="datefmt")
c("by 1st September 2025", D(2025, 9, 1), ok=True, cat="datefmt")
c("by Sep-15-2025", D(2025, 9, 15), ok=True, cat="datefmt")
c("by 20250815", D(2025, 8, 15), ok=True, cat="datefmt")
c("by 8.15.25", D(2025, 8, 15), ok=True, cat="datefmt")
c("the 1st", D(2025, 8, 1), cat="dom")
c("by the 31st", D(2025, 7, 31), cat="dom")
c("by the 31st of September", R, cat="dom")
c("by the 30th", D(2025, 7, 30), cat="dom")
c("by the 17th", S, ok=True, cat="dom")
c("by the 16th", D(2025, 8, 16), cat="dom")
c("the 3rd", D(2025, 8, 3), cat="dom")
c("by the first of the month", D(2025, 8, 1), ok=True, cat="dom")
c("by the first of next month", D(2025, 8, 1), ok=True, cat="dom")
c("by the 1st of September", D(2025, 9, 1), ok=True, cat="dom")
c("by 5pm on the 25th", T(D(2025, 7, 25), "17:00"), cat="dom")
c("by 5 p.m. on the 1st", T(D(2025, 8, 1), "17:00"), cat="dom")
# ---------------- times: noon / midnight / 12s / 11:59
c("until midnight tonight", W(S, "23:59", "23:59:59"), ok=True, cat="time")
c("12 noon", T(S, "12:00"), cat="time")
c("by 12:00 p.m.", T(S, "12:00"), cat="time")
c("by 11:59 p.m.", T(S, "23:59"), cat="time")
c("by end-of-day Friday", W(D(2025, 7, 18), "17:00", "23:59:59"), ok=True, cat="time")
c("by 12:00 noon on Aug. 15", T(D(2025, 8, 15), "12:00"), cat="time")
c("by 12:01 a.m. Saturday", T(D(2025, 7, 19), "00:01"), cat="time")
c("by 12 midnight on July 31", W(D(2025, 7, 31), "23:59", "23:59:59"), ok=True, cat="time")
c("by 0900 Monday", T(D(2025, 7, 21), "09:00"), ok=True, cat="time")
c("by 9:00 a.m. sharp Monday", T(D(2025, 7, 21), "09:00"), ok=True, cat="time")
c("by 5 o'clock Friday", T(D(2025, 7, 18), "17:00"), ok=True, cat="time")
c("by half past four Friday", R, cat="time")
c("by 12 p.m. tomorrow", T(D(2025, 7, 18), "12:00"), cat="time")
c("by 12 a.m. tomorrow", T(D(2025, 7, 18), "00:00"), ok=True, cat="time")
c("by 11:59 p.m. on July 31", T(D(2025, 7, 31), "23:59"), cat="time")
c("by 11:59 PM ET Aug 31, 2025", T(D(2025, 8, 31), "23:59"), cat="time")
c("at 00:00 on Aug 1", T(D(2025, 8, 1), "00:00"), ok=True, cat="time")
c("by 24:00 Friday", W(D(2025, 7, 18), "23:59", "23:59:59"), ok=True, cat="time")
c("by 7 p.m. today", T(S, "19:00"), cat="time")
c("by 10 p.m. Sunday, July 20", T(D(2025, 7, 20), "22:00"), cat="time")
c("by 10 p.m. Sunday, July 21", R, cat="time")
c("by Aug. 15 at the latest", D(2025, 8, 15), cat="time")
c("by this time tomorrow", T(D(2025, 7, 18), "10:00"), ok=True, cat="time")
c("by Saturday night", D(2025, 7, 19), ok=True, cat="time")
c("by the top of the hour", T(S, "11:00"), ok=True, cat="time")
c("10 days from now, by 5 p.m.", T(cal(10), "17:00"), ok=True, cat="time")
c("within 7 days, by 5:00 p.m.", T(cal(7), "17:00"), ok=True, cat="time")
c("within 10 business days, by close of business", T(bus(10), "17:00"), ok=True, cat="time")
c("30 days, 5 p.m. ET", T(cal(30), "17:00"), ok=True, cat="time")
c("48 hours, by 5pm", R, cat="time")
c("within 72 hours, excluding weekends", R, cat="time")
c("before 5 p.m. Friday", T(D(2025, 7, 18), "17:00"), ok=True, cat="time")
c("prior to noon Monday", T(D(2025, 7, 21), "12:00"), ok=True, cat="time")
c("after 5 p.m.", R, cat="time")
c("by 3 or 4 p.m.", R, cat="time")
# ---------------- zones
c("by 5pm ET", T(S, "17:00", NY), tz=LA, cat="zone")
c("by 5pm", T(S, "17:00", LA), tz=LA, cat="zone")
c("by 9 a.m. tomorrow", T(D(2025, 7, 18), "09:00", CHI), tz=CHI, cat="zone")
c("2 days", cal(2), tz=HON, cat="zone")
c("by noon Pacific", T(S, "12:00", LA), cat="zone")
c("by 6 p.m. Mountain Standard Time Friday", T(D(2025, 7, 18), "18:00", DEN), ok=True, cat="zone")
c("by 4pm Central", T(S, "16:00", CHI), cat="zone")
c("by 5 p.m. Alaska time Friday", T(D(2025, 7, 18), "17:00", ANC), ok=True, cat="zone")
c("by 5 p.m. Zulu", T(S, "17:00", UTC), ok=True, cat="zone")
c("by 17:00Z on Aug 15", T(D(2025, 8, 15), "17:00", UTC), ok=True, cat="zone")
c("by 2025-08-15T17:00:00-04:00", T(D(2025, 8, 15), "17:00", NY), ok=True, cat="zone")
c("by 2025-08-15T21:00Z", T(D(2025, 8, 15), "21:00", UTC), ok=True, cat="zone")
c("by 5pm ET (2pm PT) Friday", T(D(2025, 7, 18), "17:00", NY), ok=True, cat="zone")
c(
    "by 4 p.m. Eastern / 1 p.m. Pacific on Aug. 1",
    T(D(2025, 8, 1), "16:00", NY),
    ok=True,
    cat="zone",
)
c("by 5pm ET / 5pm PT Friday", R, cat="zone")
c("by 8:00 p.m. (ET) on August 4", T(D(2025, 8, 4), "20:00"), cat="zone")
c("by 6 PM EST on 8/1", T(D(2025, 8, 1), "18:00"), cat="zone")
c("by 5 p.m. on Aug. 15, 2025 (Pacific)", T(D(2025, 8, 15), "17:00", LA), ok=True, cat="zone")
c("5pm Friday HST", T(D(2025, 7, 18), "17:00", HON), ok=True, cat="zone")
c("at 1:30 p.m. CDT Thursday", T(S, "13:30", CHI), cat="zone")
c("by 10:00 a.m. EDT on Monday, July 21, 2025", T(D(2025, 7, 21), "10:00"), cat="zone")
c("by close of business, Eastern time, on Aug. 1", T(D(2025, 8, 1), "17:00"), cat="zone")
c("by close of business Friday Pacific time", T(D(2025, 7, 18), "17:00", LA), ok=True, cat="zone")
c("COB Friday", T(D(2025, 7, 18), "17:00", LA), tz=LA, cat="zone")
c("by 5 p.m. Eastern Friday", T(D(2025, 7, 18), "17:00", NY), tz=HON, cat="zone")
c("by noon UTC tomorrow", T(D(2025, 7, 18), "12:00", UTC), cat="zone")
# ---------------- EOD / COB forms
c("by Aug 15th EOD", T(D(2025, 8, 15), "17:00"), ok=True, cat="cob")
c("by Sept. 5 EOB", T(D(2025, 9, 5), "17:00"), ok=True, cat="cob")
c("EOD Tues", T(D(2025, 7, 22), "17:00"), cat="cob")
c("COB 8/15", T(D(2025, 8, 15), "17:00"), cat="cob")
c("no later than COB 7/25", T(D(2025, 7, 25), "17:00"), cat="cob")
# ---------------- rules / business counting across holidays
c("10 business days", bus(10), rule="roll", cat="rule")
c("within three business days after the request is received", bus(3), cat="rule")
c("five (5) working days", bus(5), cat="rule")
c("twenty (20) court days", bus(20), cat="rule")
c("45 days", roll(cal(45)), rule="roll", cat="rule")
c("within 117 days", roll(cal(117)), rule="court", cat="rule")
c("10 days from Nov. 17", roll(D(2025, 11, 27)), rule="roll", cat="rule")
c("5 business days from Dec. 22", bus(5, D(2025, 12, 22)), cat="rule")
c("3 business days before Sept. 2", bus(-3, D(2025, 9, 2)), cat="rule")
c("10 business days from Nov. 10, 2025", bus(10, D(2025, 11, 10)), cat="rule")
c("20 business days from Dec. 1", bus(20, D(2025, 12, 1)), cat="rule")
c("10 business days from Oct. 10", bus(10, D(2025, 10, 10)), cat="rule")
c("next business day after Aug. 29", D(2025, 9, 2), ok=True, cat="rule")
c("within 60 days", roll(cal(60)), rule="court", cat="rule")
c("by Sat., Aug. 16", D(2025, 8, 16), rule="court", cat="rule")
c("one month", roll(mon(S, 1)), rule="roll", cat="rule")
c("three months", roll(mon(S, 3)), rule="roll", cat="rule")
# ---------------- periods from dates (incl. month-end clamping)
c("90 days from Nov. 30, 2025", D(2026, 2, 28), cat="from")
c("1 month from Aug. 31", D(2025, 9, 30), cat="from")
c("3 months from Nov. 30", D(2026, 2, 28), cat="from")
c("6 months from Aug. 31, 2025", D(2026, 2, 28), cat="from")
c("1 year from Feb. 29, 2024", D(2025, 2, 28), ok=True, cat="from")
c("60 days from the date of this letter (July 17, 2025)", cal(60), cat="from")
c(
    "within 30 days of the date of this letter, dated July 14, 2025",
    D(2025, 8, 13),
    ok=True,
    cat="from",
)
c("Letter dated 7/14/25; reply within 30 days", D(2025, 8, 13), ok=True, cat="from")
c("30 days from receipt (received July 15)", D(2025, 8, 14), ok=True, cat="from")
c("within 10 days after July 31", D(2025, 8, 10), cat="from")
c("2 weeks from Aug 1", D(2025, 8, 15), cat="from")
c("14 days from 8/1", D(2025, 8, 15), cat="from")
c("45 days from Sept. 1", D(2025, 10, 16), cat="from")
c("within 21 days of the Aug. 4 order", D(2025, 8, 25), ok=True, cat="from")
c("three days from Monday", D(2025, 7, 24), ok=True, cat="from")
c("10 days from tomorrow", D(2025, 7, 28), ok=True, cat="from")
c("a week from Thursday", D(2025, 7, 24), ok=True, cat="from")
# ---------------- weekday / week forms
c("two Fridays from now", D(2025, 7, 25), ok=True, cat="weekday")
c("Friday week", D(2025, 7, 25), ok=True, cat="weekday")
c("next week Friday", D(2025, 7, 25), ok=True, cat="weekday")
c("Friday after next", R, cat="weekday")
c("this weekend", R, cat="weekday")
c("by the weekend", R, cat="weekday")
c("by the end of the business week", D(2025, 7, 18), ok=True, cat="weekday")
c("by the end of the following week", D(2025, 7, 25), ok=True, cat="weekday")
c("by the last day of the month", D(2025, 7, 31), ok=True, cat="weekday")
c("EOY", D(2025, 12, 31), ok=True, cat="weekday")
c("sometime next week", R, cat="weekday")
c("not before Monday", R, cat="weekday")
c("By Monday, not Tuesday", D(2025, 7, 21), ok=True, cat="weekday")
c("Due Friday, not Thursday", D(2025, 7, 18), ok=True, cat="weekday")
# ---------------- number words
c("twenty-eight days", cal(28), cat="numword")
c("Thirty-Five (35) Days", cal(35), cat="numword")
c("sixty (60) days", cal(60), cat="numword")
c("two hundred seventy (270) days", cal(270), cat="numword")
c("seven (7) business days", bus(7), cat="numword")
c("three (3) court days", bus(3), cat="numword")
c("fourteen (14) calendar days", cal(14), cat="numword")
c("twenty (2) days", R, cat="numword")
c("a hundred and eighty days", cal(180), ok=True, cat="numword")
c("nine days", cal(9), cat="numword")
c("thirteen weeks", cal(91), cat="numword")
c("four months", mon(S, 4), cat="numword")
c("two years", mon(S, 24), cat="numword")
# ---------------- two deadlines, conditions, each/per, ranges, vague, repeats
c("Reply by Aug. 1; final decision by Aug. 15", R, cat="hard")
c("Acknowledge within 5 business days and respond within 20 business days", R, cat="hard")
c("If no response by Friday, then follow up Monday", R, cat="hard")
c("Response due Aug. 1, with documents to follow by Aug. 15", R, cat="hard")
c("Pay the $150 fine by Aug. 1 or request a hearing within 30 days", R, cat="hard")
c("within 10 days if mailed, 5 days if delivered", R, cat="hard")
c("If the request is complex, the agency may take 30 days", R, cat="hard")
c("10 days from the later of receipt or Aug. 1", R, cat="hard")
c("whichever is later: 30 days or Aug. 31", R, cat="hard")
c("30 days or by Aug. 31, whichever comes first", D(2025, 8, 16), ok=True, cat="hard")
c("If payment is not received by Aug. 1, a late fee applies", D(2025, 8, 1), ok=True, cat="hard")
c("RSVP by Friday for the Aug. 5 event", D(2025, 7, 18), ok=True, cat="hard")
c("Registration closes Aug. 8; the race is Aug. 16.", D(2025, 8, 8), ok=True, cat="hard")
c("Submit by Aug. 15 (extended from Aug. 1)", D(2025, 8, 15), ok=True, cat="hard")
c("Deadline moved from Aug. 1 to Aug. 15", D(2025, 8, 15), ok=True, cat="hard")
c("The deadline, originally July 31, is now Aug. 29.", D(2025, 8, 29), ok=True, cat="hard")
c("Extended to Sept. 5", D(2025, 9, 5), ok=True, cat="hard")
c("30 days each for the three requests", cal(30), ok=True, cat="hard")
c("$25 per day late fee after Aug. 1", R, cat="hard")
c("per diem claims due in 30 days", cal(30), ok=True, cat="hard")
c("10 days per appeal", cal(10), ok=True, cat="hard")
c("The ban lasts 90 days.", cal(90), ok=True, cat="hard")
c("The meeting is at 7 p.m. Tuesday.", T(D(2025, 7, 22), "19:00"), ok=True, cat="hard")
c("by Aug. 15 or 16", R, cat="hard")
c("within 30 to 60 days", R, cat="hard")
c("in 2 or so weeks", R, cat="hard")
c("10ish days", R, cat="hard")
c("within 5-7 business days", R, cat="hard")
c("Monday or Tuesday at the latest", R, cat="hard")
c("no fewer than 5 business days before the meeting", R, cat="hard")
c("within the next business day or two", R, cat="hard")
c("in a timely manner", R, cat="vague")
c("at your earliest convenience", R, cat="vague")
c("as soon as practicable", R, cat="vague")
c("forthwith", R, cat="vague")
c("immediately", R, cat="vague")
c("without unreasonable delay", R, cat="vague")
c("each Friday by noon", R, cat="repeat")
c("every two weeks on Monday", R, cat="repeat")
c("every 10 days", R, cat="repeat")
c("per week", R, cat="repeat")
c("daily", R, cat="repeat")
c("nightly by 11 p.m.", R, cat="repeat")
c("each business day", R, cat="repeat")
c("the first of every month", R, cat="repeat")


# ================= batch 2: follow-up probes around what batch 1 found =================
def c2(*a, **k):
    k.setdefault("cat", "probe2")
    c(*a, **k)


# "5p"/"9a" after a day
c2("by Fri 5p", T(D(2025, 7, 18), "17:00"), ok=True)
c2("Friday 5p", T(D(2025, 7, 18), "17:00"), ok=True)
c2("by Mon 9a", T(D(2025, 7, 21), "09:00"), ok=True)
c2("tomorrow 5p", T(D(2025, 7, 18), "17:00"), ok=True)
c2("by Aug 15 5p", T(D(2025, 8, 15), "17:00"), ok=True)
# EOB / "this time"
c2("EOB Friday", T(D(2025, 7, 18), "17:00"), ok=True)
c2("same time tomorrow", T(D(2025, 7, 18), "10:00"), ok=True)
# zones written as place names / letters
c2("by 5 p.m. Z", T(S, "17:00", UTC), ok=True)
c2("by 5 p.m. Greenwich time", T(S, "17:00", UTC), ok=True)
c2("by 5pm Atlantic", T(S, "17:00", "America/Halifax"), ok=True)
c2("by 5pm Los Angeles time", T(S, "17:00", LA), ok=True)
c2("by 5pm Hong Kong time", T(S, "17:00", "Asia/Hong_Kong"), ok=True)
c2("by 5pm New Delhi time", T(S, "17:00", "Asia/Kolkata"), ok=True)
c2("by 5pm Tel Aviv time", T(S, "17:00", "Asia/Jerusalem"), ok=True)
c2("by 5pm Mexico City time", T(S, "17:00", "America/Mexico_City"), ok=True)
c2("by 5pm Puerto Rico time on Dec. 1", T(D(2025, 12, 1), "17:00", "America/Puerto_Rico"), ok=True)
c2("by 5pm Friday Hong Kong time", T(D(2025, 7, 18), "17:00", "Asia/Hong_Kong"), ok=True)
c2("by 5pm New York time", T(S, "17:00", NY), tz=LA, ok=True)
c2("by 5pm East Coast time", T(S, "17:00", NY), tz=LA, ok=True)
c2("by 5pm Chicago time", T(S, "17:00", CHI), ok=True)
# weekday + "next week" / British "Friday week"
c2("Friday next week", D(2025, 7, 25), ok=True)
c2("by Friday next week", D(2025, 7, 25), ok=True)
c2("next week by Friday", D(2025, 7, 25), ok=True)
c2("next week, Friday", D(2025, 7, 25), ok=True)
c2("Friday fortnight", D(2025, 8, 1), ok=True)
c2("Tuesday week", D(2025, 7, 29), ok=True)
c2("Thursday next week", D(2025, 7, 24), ok=True)
# a.m./p.m. as a part of day
c2("Friday a.m.", R)
c2("Monday AM", R)
c2("tomorrow am", R)
c2("by tomorrow a.m.", R)
# repeats not named in the README list
c2("every morning by 9 a.m.", R)
c2("every night by 11 p.m.", R)
c2("each night by 11pm", R)
c2("mornings by 9 a.m.", R)
c2("by 11 p.m. nightly", R)
c2("annual report due each Aug. 15", D(2025, 8, 15))  # a repeat: yearly on Aug 15
# more time forms
c2("by 2 a.m.", T(D(2025, 7, 18), "02:00"), ok=True)  # 2 a.m. today already passed at 10:00
c2("by 21:00", T(S, "21:00"))
c2("by 12:30 a.m. Saturday", T(D(2025, 7, 19), "00:30"))
c2("by 12:30 p.m.", T(S, "12:30"))
c2("by 12 o'clock", R)
c2("copy due 4:30", R)
c2("by 9 tomorrow morning", T(D(2025, 7, 18), "09:00"), ok=True)
c2("by 6 tonight", T(S, "18:00"), ok=True)
c2("by 9:30 tonight", T(S, "21:30"), ok=True)
c2("by 4:00 in the afternoon", T(S, "16:00"), ok=True)
c2("by five p.m. Friday", T(D(2025, 7, 18), "17:00"), ok=True)
c2("in 2 days at 5pm", T(cal(2), "17:00"), ok=True)
c2("3 days from now at noon", T(cal(3), "12:00"), ok=True)
c2("72 hours from 5 p.m. Friday", T(D(2025, 7, 21), "17:00"), ok=True)
c2("tomorrow noon", T(D(2025, 7, 18), "12:00"))
c2("by noon ET tomorrow", T(D(2025, 7, 18), "12:00"))
c2("Friday midnight", W(D(2025, 7, 18), "23:59", "23:59:59"), ok=True)
c2("Aug 15th 2025 @ 5pm", T(D(2025, 8, 15), "17:00"), ok=True)
c2("due @ 4", R)
c2("7 p.m. vote tonight: prep by 5 p.m.", T(S, "17:00"), ok=True)
c2("on the 15th at noon", T(D(2025, 8, 15), "12:00"))
c2("by the fifteenth", D(2025, 8, 15), ok=True)
c2("within 24 hours", H(24), tz=LA)
c2("within 48 hours of the Aug. 1 hearing", R)
c2("24 hours before the 7 p.m. meeting", R)
# consistency checks written into the phrase
c2("30 days (Aug. 16)", D(2025, 8, 16), ok=True)
c2("30 days (Aug. 15)", R)
c2("by Friday (July 18)", D(2025, 7, 18), ok=True)
c2("by Friday (July 19)", R)
c2("10 days, i.e., July 27", D(2025, 7, 27), ok=True)
c2("by Friday 7/18 at 5 p.m. ET", T(D(2025, 7, 18), "17:00"))
c2("by Saturday, July 18", R)
# numbers next to weekdays in titles
c2("Section 8 housing story, by Friday", D(2025, 7, 18))
c2("Title 9 story, 10 days", cal(10))
c2("Article 5 treaty explainer, by Monday", D(2025, 7, 21))
c2("Channel 4 interview, by 3 p.m.", T(S, "15:00"))
c2("Precinct 12 Friday results, by Monday", D(2025, 7, 21), ok=True)
c2("Gate 5 delays: file by noon", T(S, "12:00"))
c2("Apollo 11 anniversary, by July 20", D(2025, 7, 20))
c2("3 Doors Down concert review, by 11 p.m.", T(S, "23:00"), ok=True)
c2("Studio 54 photo essay, 2 weeks", cal(14))


# ================= batch 3: "within N days of the <date> <event>" (start date named in the phrase) =================
def c3(*a, **k):
    k.setdefault("cat", "probe3")
    c(*a, **k)


c3("within 10 days of the Aug. 1 hearing", D(2025, 8, 11), ok=True)
c3("within 21 days of the Aug. 1 hearing", D(2025, 8, 22), ok=True)
c3("within 10 days of the Aug. 1 meeting", D(2025, 8, 11), ok=True)
c3("within 10 days of the Aug. 1 council meeting", D(2025, 8, 11), ok=True)
c3("within 30 days of the Aug. 20 vote", D(2025, 9, 19), ok=True)
c3("within 30 days of the Aug. 20 election", D(2025, 9, 19), ok=True)
c3("within 30 days of the Aug. 20 denial", D(2025, 9, 19), ok=True)
c3("within 30 days of the agency's Aug. 20 denial", D(2025, 9, 19), ok=True)
c3("within 30 days of the 8/20 denial", D(2025, 9, 19), ok=True)
c3("within 30 days of the Aug. 20, 2025 denial", D(2025, 9, 19), ok=True)
c3("within 30 days of the Aug. 20 determination", D(2025, 9, 19), ok=True)
c3("within 90 days of the Sept. 2 adverse determination", D(2025, 12, 1), ok=True)
c3("within 14 days of the Aug. 20 conference", D(2025, 9, 3), ok=True)
c3("within 10 business days of the Aug. 1 hearing", bus(10, D(2025, 8, 1)), ok=True)
c3("within 2 weeks of the Aug. 1 meeting", D(2025, 8, 15), ok=True)
c3("within 1 month of the Aug. 1 meeting", D(2025, 9, 1), ok=True)
c3("within 30 days of the Aug. 20 decision", D(2025, 9, 19), ok=True)
c3("within 30 days of the June 30 ruling", D(2025, 7, 30), ok=True)
c3("within 5 days of the July 20 notice", D(2025, 7, 25), ok=True)
c3("within 10 days of the Aug. 4 order", D(2025, 8, 14), ok=True)
c3("within 30 days of the denial dated Aug. 20", D(2025, 9, 19), ok=True)
c3("Aug. 1 hearing: respond within 48 hours", R)

dups = [x["p"] for x in C if x["p"] in OLD_PHRASES]
_seen = [x["p"] for x in C]
assert len(_seen) == len(set(_seen)), [p for p in _seen if _seen.count(p) > 1]
assert not dups, dups
