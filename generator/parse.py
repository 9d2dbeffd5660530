"""Text of one dump -> raw records with file:line. No merging, no I/O.

Both layouts are read by one pass over the non-blank lines, so a dump that
mixes them still reads:

    header     known page-chrome lines, the listing date (`Oct 28`), and
               `Subscribe` glued to the first title in the compact layout
    record     title line, abstract line, then optionally a metadata block:
               `  • N authors` or `handle Display Name`, a `·` line, a date line

Blank lines only tell the layout apart (compact has none between records).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator import dates, limits
from generator.model import Metadata, Problem, RawRecord, Rejected, Source

HEADER_LINES = frozenset({
    "new",
    "Get trending papers in your email inbox once a day!",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
})
GLUED_PREFIX = "Subscribe"
META_SEPARATOR = "·"
AUTHORS_LINE = re.compile(r"^•\s*(\d+)\s+authors?$")


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based
    text: str  # stripped
    after_blank: bool  # a blank line stands between this line and the previous one


@dataclass(frozen=True, slots=True)
class ParsedDump:
    layout: str  # "compact", "spaced", "mixed" or "empty"
    listing_text: str | None
    records: tuple[RawRecord, ...]
    rejected: tuple[Rejected, ...]
    problems: tuple[Problem, ...]


def parse_dump(name: str, text: str) -> ParsedDump:
    lines = _lines(text)
    start, listing_text, first_title = _header(lines)
    body = lines[start:]
    if first_title is not None:
        body[0] = Line(body[0].number, first_title, body[0].after_blank)
    reader = _Reader(name, body)
    reader.run()
    problems = list(reader.problems)
    if not reader.records and not reader.rejected:
        problems.append(Problem(name, "no paper records found", "is this a Hugging Face Daily Papers dump?"))
    return ParsedDump(_layout(body), listing_text, tuple(reader.records), tuple(reader.rejected),
                      tuple(problems))


# C0/C1 control characters (other than tab) and the non-characters U+FFFE/U+FFFF
# are invisible junk from scraping. XML (the feeds) forbids them, and U+0002/U+0003
# would collide with Python-Markdown's placeholders.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def _lines(text: str) -> list[Line]:
    out, blank = [], False
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = _CONTROLS.sub("", raw).strip()
        if not stripped:
            blank = True
            continue
        out.append(Line(number, stripped, blank))
        blank = False
    return out


def _header(lines: list[Line]) -> tuple[int, str | None, str | None]:
    """(index of the first record line, listing date shown, first title if glued)."""
    listing = None
    for i, line in enumerate(lines):
        if line.text in HEADER_LINES:
            continue
        if listing is None and dates.LISTING_LINE.match(line.text):
            listing = line.text
            continue
        if i < 3 and not listing and _glued(line.text):
            return i, listing, line.text[len(GLUED_PREFIX):].strip()
        return i, listing, None
    return len(lines), listing, None


def _glued(text: str) -> bool:
    """`Subscribe` glued to the first title ("SubscribeBriLLM: ...", "Subscribes1: ..."), not a title of
    its own whose first word is an English form of the word ("Subscriber Churn Prediction",
    "Subscribed Users"): those forms are few, so they are told apart by the whole first word."""
    return text.startswith(GLUED_PREFIX) and len(text) > len(GLUED_PREFIX) and not _INFLECTED.match(text)


_INFLECTED = re.compile(rf"{GLUED_PREFIX}(?:rs?|d|s)\b")


def _layout(body: list[Line]) -> str:
    """compact: a title and its abstract on adjacent lines; spaced: blank lines between."""
    if not body:
        return "empty"
    meta = {j for i in range(len(body)) if body[i].text == META_SEPARATOR for j in (i - 1, i, i + 1)}
    gaps = {body[i].after_blank for i in range(1, len(body)) if i not in meta and i - 1 not in meta}
    if gaps == {True, False}:
        return "mixed"
    return "spaced" if gaps == {True} else "compact"


def _is_meta_start(body: list[Line], i: int) -> bool:
    """Line i opens a metadata block: an authors line (`• N authors`), or any line followed by `·`.
    Other text starting with `•` (an abstract that opens with a bullet) is text."""
    if i < 0 or i >= len(body):
        return False
    if AUTHORS_LINE.match(body[i].text) or body[i].text == META_SEPARATOR:
        return True
    return i + 1 < len(body) and body[i + 1].text == META_SEPARATOR


# Title or abstract? In the real dumps titles are at most ~210 characters with at most one sentence
# break ("How do X? Y"), abstracts at least ~500 characters with two or more. Only clear cases count:
# they tell a missing line (which shifts every later record) from odd but whole records.
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z(]")


def reads_as_abstract(text: str) -> bool:
    return len(text) >= 150 and len(_SENTENCE_BREAK.findall(text)) >= 2


def reads_as_title(text: str) -> bool:
    return len(text) <= 250 and len(_SENTENCE_BREAK.findall(text)) <= 1 and not text.endswith(".")


class _Reader:
    """Walks the body lines; collects records, rejected records and problems."""

    def __init__(self, name: str, body: list[Line]):
        self.name, self.body = name, body
        self.records: list[RawRecord] = []
        self.rejected: list[Rejected] = []
        self.problems: list[Problem] = []

    def where(self, line: Line) -> str:
        return f"{self.name}:{line.number}"

    def run(self) -> None:
        i, n = 0, len(self.body)
        while i < n:
            if _is_meta_start(self.body, i):
                i = self._orphan_meta(i)
                continue
            title = self.body[i]
            if reads_as_abstract(title.text):  # its title line is missing: do not take prose for a title
                self._reject(title, "abstract without title (this line reads as an abstract; is the title "
                                    "line above it missing?)")
                i += 1
                if _is_meta_start(self.body, i):
                    i = self._meta(i)[1]
                continue
            if (i + 2 < n and reads_as_title(self.body[i + 1].text) and reads_as_abstract(self.body[i + 2].text)
                    and not _is_meta_start(self.body, i + 2)):
                # Two titles in a row: this one lost its abstract, the next line starts the next record.
                self._reject(title, "title without abstract (the next line reads as the next paper's title)")
                i += 1
                continue
            if i + 1 >= n or _is_meta_start(self.body, i + 1):
                reason = "title without abstract" + (" (the dump ends here: cut off?)" if i + 1 >= n else "")
                self._reject(title, reason)
                i += 1
                if i < n:  # the metadata belongs to the broken record: consume it with it
                    i = self._meta(i)[1]
                continue
            abstract = self.body[i + 1]
            meta, i = self._meta(i + 2) if _is_meta_start(self.body, i + 2) else (None, i + 2)
            too_long = (limits.over("the title", title.text, limits.TITLE)
                        or limits.over("the abstract", abstract.text, limits.ABSTRACT)
                        or limits.over("the organization name", meta.org_name or "" if meta else "", limits.NAME))
            if too_long:  # bounded fields keep every build linear (generator/limits.py)
                self._reject(title, too_long)
                continue
            self.records.append(RawRecord(Source(self.name, title.number), title.text, abstract.text, meta))

    def _reject(self, line: Line, reason: str) -> None:
        self.rejected.append(Rejected(Source(self.name, line.number), reason, line.text[:200]))
        self.problems.append(Problem(self.where(line), f"record rejected: {reason}",
                                     "complete the record or remove it from the dump"))

    def _orphan_meta(self, i: int) -> int:
        line = self.body[i]
        self.problems.append(Problem(self.where(line), f'metadata line "{line.text}" belongs to no paper; skipped',
                                     "check the lines above it for a missing title or abstract"))
        return self._meta(i)[1]

    def _meta(self, i: int) -> tuple[Metadata, int]:
        """Read a metadata block starting at line i; return it and the next index."""
        body, n = self.body, len(self.body)
        authors = handle = org = None
        if body[i].text != META_SEPARATOR:
            head = body[i]
            m = AUTHORS_LINE.match(head.text)
            if m:
                authors = int(m[1])
            elif head.text.startswith("•"):
                self.problems.append(Problem(self.where(head), f'authors line "{head.text}" not understood',
                                             'expected "• N authors"'))
            else:
                handle, _, org = head.text.partition(" ")
                org = org.strip() or handle
            i += 1
        if i < n and body[i].text == META_SEPARATOR:
            i += 1
        if i >= n or not dates.LOOKS_LIKE_DATE.match(body[i].text):
            at = body[i - 1]
            self.problems.append(Problem(self.where(at), "metadata block without date; paper kept undated",
                                         'add the date line ("Mon D[, YYYY][ upvotes]") after the "·"'))
            return Metadata(None, None, None, None, None, authors, handle, org), i
        line = body[i]
        parsed, problem = dates.parse_date_line(line.text)
        if problem:
            self.problems.append(Problem(self.where(line), problem, "correct the line in the dump"))
        if parsed is None:
            return Metadata(None, None, None, None, None, authors, handle, org), i + 1
        return Metadata(dates.metadata_date_text(parsed), parsed.month, parsed.day, parsed.year,
                        parsed.upvotes, authors, handle, org), i + 1
