"""Third review pass (issue 13; a holdout: written after the first two were fixed): ~200 NEW phrasings. Expected results worked out by hand (helpers from
phrase_corpus are pure date arithmetic). e may be a list of acceptable answers.
ok=True: refusal defensible."""

from phrase_corpus import ANC, CHI, DEN, HON, LA, NY, UTC, D, H, R, S, T, W, bus, cal

C = []


def c(p, e, rule="calendar", tz=NY, ok=False, cat=""):
    C.append(dict(p=p, e=e, rule=rule, tz=tz, ok=ok, cat=cat))


def J(d):
    return D(2025, 7, d)


def A(d):
    return D(2025, 8, d)


def SE(d):
    return D(2025, 9, d)


# ---- reporters' shorthand, titles with numbers
c("Sheriff's use-of-force logs, FOIL, 5 biz days", bus(5), cat="short")
c("pls file the school bus contract piece by 4:45 pm", T(S, "16:45"), cat="short")
c("Council agenda #7-B vote recap due 10 pm", T(S, "22:00"), cat="short")
c("Route 17 bridge story: 1,100 words, due Mon.", J(21), cat="short")
c("Need the 3-part series outline by Wed. 7/23", J(23), cat="short")
c("Need the 3-part series outline by Wed. 7/24", R, cat="short")
c("Budget doc (FY26, $4.2B) explainer, by Tues.", J(22), cat="short")
c("Pull 2019-2024 crime stats by Friday", J(18), cat="short")
c("Editor: 600 words on the 2-1 vote, due by 7", R, cat="short")
c("Fourth of July fireworks injuries recap, by tomorrow", J(18), ok=True, cat="short")
c("Obit for Sen. Hale (1941-2025), by 3 p.m.", T(S, "15:00"), cat="short")
c("Interview w/ 2 of the 5 board members by Fri", J(18), cat="short")
c("Photo request: 12 frames by 6:30 pm", T(S, "18:30"), cat="short")
c("folo on 911 outage, EOD Mon", T(J(21), "17:00"), cat="short")
c("copy to desk by 9:15 p.m. ET", T(S, "21:15"), cat="short")
c("Saturday A1 centerpiece due Fri 8pm", T(J(18), "20:00"), ok=True, cat="short")
c("Sunday mag cover story, final by Aug. 1", A(1), ok=True, cat="short")
c("Monday's council vote, preview by Friday", J(18), ok=True, cat="short")
c("Tuesday night fire follow, by noon", T(S, "12:00"), ok=True, cat="short")
c("Week 3 NFL preview by Sept. 18", SE(18), cat="short")
c("Pre-K funding story, 3 days", cal(3), cat="short")
c("Top 25 restaurants list, 2 weeks", cal(14), cat="short")
c("G7 summit explainer by 6 p.m. Monday", T(J(21), "18:00"), cat="short")
c("COVID-19 deaths dataset (v2.1), by Tuesday", J(22), cat="short")
c("Part 2 of 4: housing series, due Aug. 8", A(8), cat="short")
c("Mile 23 wreck follow-up, 1 day", cal(1), cat="short")
c("SR 520 tolling story, by the 25th", J(25), cat="short")
c("MS-13 indictment story, 2 days", cal(2), cat="short")
c("Super 8 motel closure, by noon Thurs.", T(S, "12:00"), cat="short")
c("by 9 a.m. Thurs.", [R, T(J(24), "09:00")], ok=True, cat="short")
c("Case No. 2:25-cv-01987-JLR, opposition due in 14 days", cal(14), cat="ids")
c("Re: Request No. 25-0717-FOIA, 20 business days", bus(20), cat="ids")
c("Ord. 2025-31 public hearing notice, 15 days", cal(15), cat="ids")
c("Resolution 7-14-25 story, by Monday", J(21), ok=True, cat="ids")
c("Resolution 7-14-25, 10 days", [R, cal(10)], ok=True, cat="ids")
c("Bill 24-117 hearing recap, 2 days", cal(2), cat="ids")
c("Highway 61 Revisited anniversary piece, by Aug 30", A(30), cat="ids")
c("Catch-22 adaptation review, by Friday", J(18), cat="ids")
c("Blink-182 show review, due 11:30 p.m.", T(S, "23:30"), cat="ids")
c("Ocean's 11 remake review, 3 days", cal(3), cat="ids")
c("1 in 5 renters story, by Wed.", J(23), cat="ids")
c("Boeing 787 inspections FOIA, 20 business days", bus(20), cat="ids")
c("Zip code 90210 home prices, by the 31st", J(31), cat="ids")
c("Sec. 230 explainer, by 4 p.m. Friday", T(J(18), "16:00"), cat="ids")
c("Top 40 countdown, by 5 p.m. Thurs", T(S, "17:00"), cat="ids")
c("Chapter 7 bankruptcy records, 7 days", cal(7), cat="ids")
c("Question 3 ballot measure, 30 days", cal(30), cat="ids")
c("Measure 110 repeal explainer, 10 days", cal(10), cat="ids")
c("2-year-old drowning follow-up, by 3 pm", T(S, "15:00"), cat="ids")
c("May Day march photos, by Friday", J(18), ok=True, cat="ids")
c("March for Our Lives recap, by Monday", J(21), ok=True, cat="ids")
c("June Carter Cash doc review, 2 days", cal(2), ok=True, cat="ids")
c("Sunday Times profile, due Wed", J(23), ok=True, cat="ids")
c("Mayor's 100-day plan story, by Aug. 1", A(1), cat="ids")
c("Week 1 of trial recap, due 6 p.m.", T(S, "18:00"), cat="ids")
c("Day 3 of the strike: update by 2 p.m.", T(S, "14:00"), cat="ids")
c("3-alarm fire on 5th Ave, by 1 p.m.", T(S, "13:00"), cat="ids")
c("Mars 2020 rover piece, 2 weeks", cal(14), cat="ids")
c("The 1619 Project anniversary, by Aug. 18", A(18), cat="ids")
c("Article 78 petition, 4 months", D(2025, 11, 17), cat="ids")
c("Notice of Inspection: produce I-9 forms within 3 business days", bus(3), cat="ids")
c(
    "Payment is due within 10 days of the date of this invoice (Invoice No. 2025-0714).",
    cal(10),
    ok=True,
    cat="ids",
)
c("Pay within 30 days to avoid a 1.5% late fee", cal(30), cat="ids")
c("Hwy 1 slide (Mile 42.5) update, by 5 p.m.", T(S, "17:00"), cat="ids")
c("Prop. 36 data, due 7/28", J(28), cat="ids")
c("Lot 7/8 sale story, by Fri", J(18), ok=True, cat="ids")
# ---- legal letters / court rules
c(
    "Respondent shall file its answer within twenty (20) days after service hereof.",
    cal(20),
    cat="legal",
)
c(
    "You are hereby directed to produce the records within ten (10) days of the date of this subpoena.",
    cal(10),
    cat="legal",
)
c(
    "Plaintiff must respond to the interrogatories within 30 days after being served.",
    cal(30),
    cat="legal",
)
c(
    "Plaintiff must respond to the interrogatories within 30 days after being served.",
    A(18),
    rule="court",
    cat="legal",
)
c(
    "A motion for a new trial must be filed no later than 28 days after the entry of judgment.",
    A(14),
    rule="court",
    cat="legal",
)
c(
    "Written objections may be filed within fourteen (14) days of service of this Report and Recommendation.",
    J(31),
    rule="court",
    cat="legal",
)
c(
    "Any party may appeal within sixty (60) days after the judgment is entered.",
    SE(15),
    rule="court",
    cat="legal",
)
c(
    "Petition for writ of certiorari: 90 days after entry of judgment",
    D(2025, 10, 15),
    rule="court",
    cat="legal",
)
c(
    "Reply due within seven (7) days after service of the response.",
    J(24),
    rule="court",
    cat="legal",
)
c("In accordance with Local Rule 7.1, responses are due within 21 days.", cal(21), cat="legal")
c(
    "Pursuant to CPLR 3012(a), an answer must be served within twenty days after service of the complaint.",
    cal(20),
    cat="legal",
)
c("Under C.R.C.P. 12(a), answer within 21 days", cal(21), cat="legal")
c(
    "You have 35 days from the date of this notice to file a petition with the Tax Court.",
    cal(35),
    cat="legal",
)
c(
    "A notice of removal shall be filed within 30 days after receipt by the defendant",
    cal(30),
    cat="legal",
)
c(
    "Serve the summons within 120 days after the complaint is filed (Rule 4(m)).",
    cal(120),
    cat="legal",
)
c("Notice of Intent to Sue: 60-day notice under the Clean Water Act", cal(60), cat="legal")
c("This offer expires in 5 days.", cal(5), cat="legal")
c("The tenant has three (3) days to pay or quit.", cal(3), cat="legal")
c("14-day notice to pay rent or quit", cal(14), cat="legal")
c(
    "Right to cancel: midnight of the third business day after signing",
    [bus(3), W(bus(3), "23:59", "23:59")],
    ok=True,
    cat="legal",
)
c("Answer due in 21 days", A(7), rule="court", cat="court")
c("Response due 16 days after service", A(4), rule="court", cat="court")
c("Opposition due 3 days after service", J(21), rule="court", cat="court")
c("within 160 days", D(2025, 12, 29), rule="court", cat="court")
c("within 160 days", D(2025, 12, 24), rule="roll", cat="roll")
c("due 162 days after entry", D(2025, 12, 29), rule="court", cat="court")
c("7 days before the Sept. 8 hearing", A(29), rule="court", cat="court")
c("30 days before Sept. 15", A(15), rule="roll", cat="roll")
c("Notice of claim, 90 days", D(2025, 10, 15), rule="roll", cat="roll")
c("Comment period, 30 days", A(18), rule="roll", cat="roll")
c("Tort claim notice within 180 days", D(2026, 1, 13), rule="roll", cat="roll")
c("Appeal, 47 days", SE(2), rule="roll", cat="roll")
c("within 115 days", D(2025, 11, 10), rule="roll", cat="roll")
c("Objection period: 87 days", D(2025, 10, 14), rule="roll", cat="roll")
c("Records request, 30 days", bus(30), rule="business", cat="biz")
c("by Sun., Aug. 17", A(17), rule="business", cat="biz")
c("by Saturday", J(19), rule="roll", cat="roll")
c("3 weeks from Aug 8", A(29), rule="roll", cat="roll")
c("CPRA request, 10 calendar days", J(28), rule="roll", cat="roll")
# ---- state records laws / FOIA
c("Under N.C. Gen. Stat. § 132-6, records must be provided as promptly as possible", R, cat="foia")
c("Tennessee TPRA: 7 business days to respond", bus(7), cat="foia")
c(
    "Louisiana public records law: 3 days, exclusive of Saturdays, Sundays and legal holidays",
    bus(3),
    cat="foia",
)
c("Delaware FOIA: 15 business days", bus(15), cat="foia")
c("Wisconsin open records: as soon as practicable and without delay", R, cat="foia")
c("Maryland PIA: 30 days", cal(30), cat="foia")
c("Nevada NPRA requires a response within five business days", bus(5), cat="foia")
c("Utah GRAMA: 10 business days", bus(10), cat="foia")
c(
    "Oregon public records: 5 business days to acknowledge, 10 business days to complete",
    R,
    cat="foia",
)
c("Missouri Sunshine Law request - 3 business days", bus(3), cat="foia")
c("Iowa Chapter 22 request, 20 calendar days", cal(20), cat="foia")
c("South Carolina FOIA (S.C. Code 30-4-30): 10 business days", bus(10), cat="foia")
c("DC FOIA: 15 business days (D.C. Code § 2-532(c))", bus(15), cat="foia")
c("Federal FOIA, 20 working days, received 7/14/25", bus(20, D(2025, 7, 14)), cat="foia")
c("FOIA appeal deadline: 90 days from the Aug. 4 denial letter", cal(90, A(4)), cat="foia")
c("Request perfected July 21; agency has 20 business days", bus(20, J(21)), ok=True, cat="foia")
c("Your fee waiver appeal must be postmarked within 90 days", cal(90), cat="foia")
c("California Gov. Code § 7922.535: 10 days, extendable by 14 days", cal(10), cat="foia")
c(
    "Pennsylvania RTKL: 5 business days; may be extended by 30 calendar days",
    bus(5),
    ok=True,
    cat="foia",
)
c("FOIA No. 2025-FOIA-01789: estimated completion in about 60 days", R, cat="foia")
c("Kansas KORA: 3 business days", bus(3), cat="foia")
c("Alabama records request - no statutory deadline", R, cat="foia")
c("New Mexico IPRA: 15 calendar days", cal(15), cat="foia")
c("Nebraska public records: four business days", bus(4), cat="foia")
# ---- news sentences
c("The county clerk has until Aug. 12 to certify the recall petition.", A(12), cat="news")
c(
    "Under the consent decree, the department has 180 days to overhaul its use-of-force policy.",
    cal(180),
    cat="news",
)
c(
    "The mayor, who took office Jan. 1, has 10 days to veto the ordinance.",
    cal(10),
    ok=True,
    cat="news",
)
c(
    "The 9th U.S. Circuit Court of Appeals gave the parties 14 days to file supplemental briefs.",
    cal(14),
    cat="news",
)
c(
    "Property owners have 45 days to contest their new assessments, which rose an average of 12%.",
    cal(45),
    cat="news",
)
c("Public comment on the 350-page draft closes Aug. 29 at 5 p.m.", T(A(29), "17:00"), cat="news")
c(
    "The ethics board gave Councilman Ruiz until 5 p.m. Monday to respond.",
    T(J(21), "17:00"),
    cat="news",
)
c("The state has 30 days from Friday to respond to the lawsuit.", cal(30, J(18)), cat="news")
c("Absentee ballot applications must be received by Oct. 28.", D(2025, 10, 28), cat="news")
c("Last year, the agency took 40 days to respond.", R, cat="news")
c("The city missed its July 1 deadline.", R, cat="news")
c("The agency had 20 business days to respond but never did.", R, cat="news")
c(
    "Lawmakers return Sept. 8 and will have until Sept. 30 to pass a budget.",
    SE(30),
    ok=True,
    cat="news",
)
c("The company said it would cut 1,200 jobs within 90 days.", cal(90), cat="news")
c("The FCC set a Sept. 15 deadline for comments on the 5G rule.", SE(15), ok=True, cat="news")
c("Bids for the $14 million contract close Aug. 7 at 2 p.m.", T(A(7), "14:00"), cat="news")
c("The deadline to file for the Nov. 4 ballot is Aug. 22.", A(22), ok=True, cat="news")
c("Teachers have until the end of the month to opt in.", J(31), cat="news")
c("Responses were due Tuesday.", R, cat="news")
c("The deadline passed on July 15.", R, cat="news")
c(
    "The union gave management until midnight Sunday to respond.",
    W(J(20), "23:59", "23:59"),
    ok=True,
    cat="news",
)
c(
    "The judge, appointed in 2019, ordered the county to release the 47 pages within 10 days.",
    cal(10),
    cat="news",
)
c("Officials said the 2.5-mile road would reopen in 3 weeks.", cal(21), ok=True, cat="news")
c("The board voted 5-2 to give the superintendent 60 days to produce a plan.", cal(60), cat="news")
c(
    "The school district has until Sept. 2, the day after Labor Day, to respond.",
    SE(2),
    ok=True,
    cat="news",
)
c("Residents can weigh in through Aug. 20.", A(20), cat="news")
c("The agency did not meet the 20-day deadline.", R, cat="news")
# ---- times and zones
c("by 4 p.m. Mountain on Tuesday", T(J(22), "16:00", DEN), cat="zone")
c("by 11 a.m. PDT Monday, July 21", T(J(21), "11:00", LA), cat="zone")
c("by 8:30 a.m. CDT on Aug. 4", T(A(4), "08:30", CHI), cat="zone")
c("no later than 11:59 p.m. Hawaii time on Aug. 1", T(A(1), "23:59", HON), ok=True, cat="zone")
c("by 1800 hrs Friday", T(J(18), "18:00"), ok=True, cat="time")
c("by 18:30 ET tomorrow", T(J(18), "18:30"), cat="zone")
c("by 6 p.m. Friday your time", R, cat="zone")
c("by 5 p.m. ET Friday (2 p.m. PT)", T(J(18), "17:00"), ok=True, cat="zone")
c("by 5 p.m. ET Friday (3 p.m. PT)", R, cat="zone")
c("by 9 p.m. EDT Sunday", T(J(20), "21:00"), cat="zone")
c("by 7 a.m. Eastern Tuesday, Aug. 5", T(A(5), "07:00"), cat="zone")
c("by noon PT Wednesday", T(J(23), "12:00", LA), cat="zone")
c("by 3 p.m. ET", T(S, "15:00", NY), tz=LA, cat="zone")
c("by 8 p.m.", T(S, "20:00", LA), tz=LA, cat="zone")
c("by 5 p.m. CT", T(S, "17:00", CHI), tz=DEN, cat="zone")
c("Friday, 5 p.m. Pacific", T(J(18), "17:00", LA), cat="zone")
c("by 23:59 UTC on July 31", T(J(31), "23:59", UTC), cat="zone")
c("by 0600 UTC Saturday", T(J(19), "06:00", UTC), ok=True, cat="zone")
c("by 3:00 PM (Eastern) Tuesday", T(J(22), "15:00"), cat="zone")
c("due 4:59 p.m. Friday", T(J(18), "16:59"), cat="time")
c("by 7:45 tonight", T(S, "19:45"), ok=True, cat="time")
c("by 3 this afternoon", T(S, "15:00"), ok=True, cat="time")
c("by 5 p.m. on Monday the 21st", T(J(21), "17:00"), cat="time")
c("by 5 p.m. on Monday the 22nd", R, cat="time")
c("by 6 a.m. Saturday", T(J(19), "06:00"), cat="time")
c("by 5 pm EDT, 8/29/2025", T(A(29), "17:00"), cat="zone")
c("Tuesday, August 5, 2025, at 4:00 p.m. Central Time", T(A(5), "16:00", CHI), cat="zone")
c("by 10:30 a.m.", T(S, "10:30"), cat="time")
c("by 9:30 a.m.", [R, T(J(18), "09:30")], ok=True, cat="time")
c("by 8 a.m. today", [R, T(S, "08:00")], ok=True, cat="time")
c("by 4 p.m. Pacific time", T(S, "16:00", LA), tz=CHI, cat="zone")
c("by 11 p.m. Central tonight", T(S, "23:00", CHI), cat="zone")
c("Wednesday 7/23 by 10 a.m. ET", T(J(23), "10:00"), cat="zone")
c("by 2 p.m. Alaska time Monday", T(J(21), "14:00", ANC), ok=True, cat="zone")
c("no later than 4:30 p.m. on the 8th", T(A(8), "16:30"), cat="time")
c("by 5 p.m. ET on the last business day of July", T(J(31), "17:00"), ok=True, cat="time")
# ---- dates
c("by 8/1/2025", A(1), cat="date")
c("by Aug 1st", A(1), cat="date")
c("by the first of August", A(1), cat="date")
c("due 7/31", J(31), cat="date")
c("by 7/16", R, ok=True, cat="date")
c("by Aug. 15, 2025 (Friday)", A(15), cat="date")
c("by Thursday, Aug. 14", A(14), cat="date")
c("by Friday, Aug. 14", R, cat="date")
c("Due: 2025-08-01T17:00", T(A(1), "17:00"), ok=True, cat="date")
c("by 1 Aug", A(1), cat="date")
c("by Aug. 1, 5 p.m.", T(A(1), "17:00"), cat="date")
c("8/15 @ noon", T(A(15), "12:00"), cat="date")
c("by 15-Aug-25", A(15), ok=True, cat="date")
c("by 12/1", D(2025, 12, 1), cat="date")
c("by Sept 30, 2025", SE(30), cat="date")
c("COB Weds 7/30", T(J(30), "17:00"), cat="date")
c("by Election Day", R, ok=True, cat="date")
c("by the 10th", A(10), cat="date")
c("no later than the 20th", J(20), cat="date")
c("by Tues., July 29, 2025", J(29), cat="date")
c("by 2025.08.15", A(15), ok=True, cat="date")
c("July 31st, close of business", T(J(31), "17:00"), cat="date")
# ---- relative / periods
c("the Tuesday after next", J(29), ok=True, cat="rel")
c("two weeks from tomorrow", cal(14, J(18)), cat="rel")
c("14 days from next Monday", cal(14, J(21)), cat="rel")
c("a week from next Wednesday", J(30), ok=True, cat="rel")
c("six weeks from Aug. 4", cal(42, A(4)), cat="rel")
c("90 days from Labor Day", cal(90, SE(1)), ok=True, cat="rel")
c("within three months of the date of this letter", D(2025, 10, 17), cat="rel")
c("in 6 weeks", cal(42), cat="rel")
c("within 4 wks", cal(28), cat="rel")
c("within a month", D(2025, 8, 17), cat="rel")
c("18 months from Jan 31, 2025", D(2026, 7, 31), cat="rel")
c("2 months from Dec 31", D(2026, 2, 28), cat="rel")
c("1 year from Feb 28, 2025", D(2026, 2, 28), cat="rel")
c("45 days from 12/15", cal(45, D(2025, 12, 15)), cat="rel")
c("5 business days from Dec 24", bus(5, D(2025, 12, 24)), cat="biz")
c("3 business days from Nov. 26", bus(3, D(2025, 11, 26)), cat="biz")
c("10 business days before Sept. 12", A(28), cat="biz")
c("7 days before the Aug. 15 hearing", A(8), cat="rel")
c("two weeks prior to the Sept. 9 meeting", A(26), ok=True, cat="rel")
c("20 business days from Aug. 25", bus(20, A(25)), cat="biz")
c("15 working days after Oct. 6", bus(15, D(2025, 10, 6)), cat="biz")
c("10 business days from 11/5/2025", bus(10, D(2025, 11, 5)), cat="biz")
c("five business days from Friday", bus(5, J(18)), cat="biz")
c("within 30 days of my June 20 request", cal(30, D(2025, 6, 20)), ok=True, cat="rel")
c("within 20 business days of my June 20 request", bus(20, D(2025, 6, 20)), ok=True, cat="rel")
c("45 days from June 10", cal(45, D(2025, 6, 10)), cat="rel")
c("within 36 hrs", H(36), ok=True, cat="hours")
c("within 12 hours", H(12), cat="hours")
c("in 6 hrs", H(6), ok=True, cat="hours")
c("in an hour", H(1), ok=True, cat="hours")
c("Due back to me in 2 days, by noon", T(cal(2), "12:00"), ok=True, cat="rel")
c("48 hours after the 7 p.m. vote tonight", T(J(19), "19:00"), ok=True, cat="hours")
c("within 72 hours, by 5pm ET Sunday", R, cat="hours")
c("Push to next Friday", J(25), cat="rel")
c("Moved up to Wednesday", J(23), ok=True, cat="rel")
c("The Monday after next", J(28), ok=True, cat="rel")
c("within 10 days from the postmark date", cal(10), ok=True, cat="rel")
# ---- negations, conditions, refusals
c("not later than 5 p.m. Friday", T(J(18), "17:00"), cat="neg")
c("no later than 10 business days after receipt of this letter", bus(10), cat="neg")
c("Don't file until Monday", R, cat="neg")
c("not to exceed 30 days", cal(30), ok=True, cat="neg")
c("The deadline is not Aug. 15 but Aug. 22", [R, A(22)], ok=True, cat="neg")
c("Not due Friday - due Monday", [R, J(21)], ok=True, cat="neg")
c("Embargoed until 6 a.m. Monday", R, cat="neg")
c("within 10 days of the decision", R, cat="event")
c("10 days after the committee votes", R, cat="event")
c("30 days after the final rule is published in the Federal Register", R, cat="event")
c("no sooner than 10 days from now", R, cat="event")
c("Reply by Aug 15 if interested; otherwise by Sept 1", R, cat="multi")
c("10 days or 10 business days, whichever is longer", R, cat="multi")
c("every 3rd Thursday", R, cat="repeat")
c("the 2nd and 4th Tuesday", R, cat="repeat")
c("Aug 15 - Aug 22", R, cat="range")
c("by Friday or Saturday at the latest", R, cat="range")
c("within 3 or 4 business days", R, cat="range")
c("within 7-10 days", R, cat="range")
c("by the 15th or 16th", R, cat="range")
c("2 weeks, give or take", R, cat="rough")
c("a week, maybe two", R, cat="rough")
c("no earlier than 5 business days", R, cat="rough")
c("1/2 month", R, cat="frac")
c("three-quarters of a year", R, cat="frac")
c("30 days from the 15th", R, ok=True, cat="amb")
c("Let's aim for Tuesday but hard deadline Thursday", R, ok=True, cat="multi")
c("Slot wants it by 7 for the web", R, cat="time")
c("no rush, sometime next month", R, cat="rough")
c("30 days from the date you receive the 2nd notice", R, cat="event")
c("20 business days after we pay the $45 fee", R, cat="event")
c("by the 31st of June", R, cat="date")
c("Nov. 31 hearing preview", R, cat="date")
c("within 30 days, or 60 days if the records are archived", R, cat="multi")
c("respond by the earlier of Aug. 15 or 20 business days", R, ok=True, cat="multi")
c("within 14 days, but no earlier than 7 days", R, cat="multi")
c("within fifteen (51) days", R, cat="numword")
c("within twenty-one (12) days", R, cat="numword")
c("within 2 weeks (14 days)", cal(14), ok=True, cat="numword")
c("within 2 weeks (10 days)", R, cat="numword")
c("within one (1) month", D(2025, 8, 17), cat="numword")
c("thirty-one days", cal(31), cat="numword")
c("three hundred sixty-five (365) days", cal(365), cat="numword")
c("within five (5) calendar days", cal(5), cat="numword")
c("by 5 p.m. sharp Friday, no extensions", T(J(18), "17:00"), cat="time")
