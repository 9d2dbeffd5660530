"""Dates as Hugging Face listings show them, and the listing-year rule.

A listing shows `Jul 19, 2023` for papers of past years and `Aug 5` for papers
of the year it was saved in; the dump never says that year. The rule:

* `corpus/sources.yml` may state a dump's listing date: its year is used;
* otherwise the listing year is inferred as the year after the latest
  explicit year in the same dump (the listing showed that year in full, so
  it was not the current one), and such dates are flagged as inferred;
* a dump with no explicit year and no stated date leaves those papers undated.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from generator.model import ListingDate, Metadata, PaperDate, Problem, RawRecord

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = "|".join(MONTHS)
# "Jul 19, 2023 1", "Aug 5", "May 21 2": month, day, optional year, optional upvotes.
DATE_LINE = re.compile(rf"^({_MONTH}) (\d{{1,2}})(?:, (\d{{4}}))?(?: (.*))?$")
LOOKS_LIKE_DATE = re.compile(rf"^({_MONTH}) \d")
LISTING_LINE = re.compile(rf"^({_MONTH}) (\d{{1,2}})$")
EXPECTED = 'expected "Mon D[, YYYY][ upvotes]", e.g. "Jul 19, 2023 1"'
# Years a paper date may have: arXiv and Hugging Face papers are from the 1990s on; next year is
# allowed for time zones. Years such as 0001 or 9999 are typos or attacks (they made 5-7 MB charts).
FIRST_YEAR = 1950
LAST_YEAR = dt.date.today().year + 1


def year_problem(year: int) -> str | None:
    """Why `year` is not accepted for a paper or listing date, or None."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return f"the year {year} is outside {FIRST_YEAR}-{LAST_YEAR}"


@dataclass(frozen=True, slots=True)
class DateLine:
    month: int
    day: int
    year: int | None
    upvotes: int | None  # None when the upvote count is not a number


def parse_date_line(text: str) -> tuple[DateLine | None, str | None]:
    """(parsed line, problem). A line that is not a date gives (None, why)."""
    m = DATE_LINE.match(text.strip())
    if not m:
        return None, f'metadata line "{text.strip()}" is not a date ({EXPECTED})'
    month, day = MONTHS.index(m[1]) + 1, int(m[2])
    year = int(m[3]) if m[3] else None
    problem = None
    upvotes: int | None = 0  # a date line without a count shows 0 upvotes
    if m[4] is not None:
        if m[4].isdigit():
            upvotes = int(m[4])
        else:
            upvotes, problem = None, f'upvote count "{m[4]}" is not a number ({EXPECTED})'
    if year is not None and (wrong := year_problem(year)):
        return None, f'"{text.strip()}": {wrong} ({EXPECTED})'
    try:
        dt.date(2000 if year is None else year, month, day)  # 2000 is a leap year: Feb 29 passes here
    except ValueError:
        return None, f'"{text.strip()}" is not a real date ({EXPECTED})'
    return DateLine(month, day, year, upvotes), problem


def listing_date(
    dump: str, shown: str | None, explicit_years: list[int], stated: dt.date | None
) -> ListingDate:
    """Apply the listing-year rule (module docstring) to one dump."""
    if stated is not None:
        return ListingDate(shown, stated, "stated in corpus/sources.yml", stated.year)
    m = LISTING_LINE.match(shown) if shown else None
    if not explicit_years:
        if shown is None:
            return ListingDate(None, None, "the dump shows no listing date and no year")
        return ListingDate(shown, None, "year unknown: no date in the dump shows one")
    year = max(explicit_years) + 1
    if wrong := year_problem(year):  # a dump dated next year would give its yearless dates the year after
        return ListingDate(shown, None, f"year unknown: the latest explicit year in the dump is {year - 1}, "
                                        f"and {wrong}")
    rule = f"year inferred: latest explicit year in the dump is {year - 1}, so {year}"
    value = None
    if m:
        try:
            value = dt.date(year, MONTHS.index(m[1]) + 1, int(m[2]))
        except ValueError:  # Feb 29 in a year that has none
            pass
    return ListingDate(shown, value, rule, year, inferred=True)


def resolve_dates(records: list[RawRecord], listing: ListingDate,
                  dump: str) -> tuple[list[RawRecord], list[Problem]]:
    """Give every record with a date line its calendar date."""
    out, problems, undated = [], [], 0
    for record in records:
        meta = record.meta
        if meta is None or meta.month is None or meta.day is None:  # a date line sets both
            out.append(record)
            continue
        date = None
        if meta.year is not None:
            date = PaperDate(dt.date(meta.year, meta.month, meta.day))
        elif listing.year is None:
            undated += 1
        else:
            try:
                date = PaperDate(dt.date(listing.year, meta.month, meta.day), inferred=listing.inferred)
            except ValueError:
                problems.append(Problem(str(record.source), f"{meta.date_text} does not exist in {listing.year}; "
                                        "paper kept undated", "state the listing date in corpus/sources.yml"))
        out.append(replace(record, date=date))
    if undated:
        example = "YYYY-MM-DD"
        if listing.text and (m := LISTING_LINE.match(listing.text)):
            example = f"YYYY-{MONTHS.index(m[1]) + 1:02d}-{int(m[2]):02d}"
        problems.append(Problem(dump, f"{undated} papers show a date without a year and nothing in the dump "
                                "tells the year; they stay undated",
                                f"state the listing date in corpus/sources.yml ({dump}: {{listing_date: {example}}})"))
    return out, problems


def explicit_years(records: list[RawRecord]) -> list[int]:
    return [r.meta.year for r in records if r.meta is not None and r.meta.year is not None]


def metadata_date_text(line: DateLine) -> str:
    text = f"{MONTHS[line.month - 1]} {line.day}"
    return f"{text}, {line.year}" if line.year else text


__all__ = ["DateLine", "Metadata", "parse_date_line", "listing_date", "resolve_dates"]
