"""Stored Hugging Face API answers (corpus/api/) -> ApiRecords. A reading stage, like parse.py: no network.

Layout (written by `python -m generator fetch` and `enrich`, see generator/update.py):

    corpus/api/daily/<date|week|month>.json   {"kind": "daily", "request": ..., "listing_date": ..., "items": [...],
                                               "added": {id: first-fetched day}}
    corpus/api/search/<slug>.json             {"kind": "search", "request": ..., "query": ..., "items": [...],
                                               "added": {...}}
    corpus/api/enrich.json                    {"kind": "enrich", "lookups": [{"title", "key", "result"}]}

`items` are what the API answered, unchanged. An item is either a Daily
Papers item, `{"paper": {...}, "title", "summary", "publishedAt", ...}`, or a
flat paper (`GET /api/papers/{id}`, some search answers); a field is read from
`paper` first, then from the item's top level. Any field may be missing or
null. All of it is untrusted text: titles and abstracts are cleaned as dump
text is; only checked http(s) URLs are kept as links; an id that is not an
arXiv id is dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from generator import dates, limits
from generator.links import checked_url
from generator.model import ApiFile, ApiRecord, Problem, Rejected, Source

API_DIR = "api"
ENRICH_FILE = f"{API_DIR}/enrich.json"
KINDS = ("daily", "search")

# New-style (2007+) and old-style arXiv identifiers, without a version.
ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})$", re.IGNORECASE)
# Control characters, non-characters, and lone surrogates (a JSON "\\ud800" escape gives one; no page, feed or
# file can be written with it).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def find_api_files(corpus: Path) -> list[Path]:
    """Every stored answer, daily files first (oldest first), then searches, then enrich."""
    root = corpus / API_DIR
    found = [p for kind in KINDS for p in sorted((root / kind).glob("*.json")) if p.is_file()]
    enrich = corpus / ENRICH_FILE
    return found + ([enrich] if enrich.is_file() else [])


def read_api_file(corpus: Path, path: Path) -> ApiFile:
    """One stored answer. An unreadable file is one problem and no records; a bad item is rejected."""
    rel = path.relative_to(corpus).as_posix()
    try:
        root = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return _unreadable(rel, f"not valid UTF-8 JSON ({error})")
    if not isinstance(root, dict) or root.get("kind") not in KINDS + ("enrich",):
        return _unreadable(rel, 'not a stored API answer (expected an object with "kind": daily, search or enrich)')
    if root["kind"] == "enrich":
        return _enrich_file(rel, root)
    items = root.get("items")
    if not isinstance(items, list):
        return _unreadable(rel, '"items" is not a list')
    listing = _date(root.get("listing_date"))
    records, rejected = [], []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        record = parse_item(item, rel, index, root["kind"], listing, problems)
        if isinstance(record, ApiRecord):
            records.append(record)
        else:
            rejected.append(Rejected(Source(rel, index + 1), record))
    added = root.get("added")
    if not isinstance(added, dict):
        added = {}
    first = tuple((str(key), day) for key, value in sorted(added.items()) if (day := _date(value)))
    return ApiFile(rel, root["kind"], str(root.get("request", "")), tuple(records), tuple(problems),
                   rejected=tuple(rejected), added=first)


def _enrich_file(rel: str, root: dict) -> ApiFile:
    lookups = root.get("lookups")
    if not isinstance(lookups, list):
        return _unreadable(rel, '"lookups" is not a list')
    records, unmatched, rejected = [], [], []
    problems: list[Problem] = []
    for index, lookup in enumerate(lookups):
        if not isinstance(lookup, dict) or not isinstance(lookup.get("key"), str):
            rejected.append(Rejected(Source(rel, index + 1), 'lookup without a "key"'))
            continue
        if lookup.get("result") is None:
            unmatched.append(clean(str(lookup.get("title") or lookup["key"])))
            continue
        record = parse_item(lookup["result"], rel, index, "enrich", None, problems)
        if isinstance(record, ApiRecord):
            records.append(_with_key(record, lookup["key"]))
        else:
            rejected.append(Rejected(Source(rel, index + 1), record))
    return ApiFile(rel, "enrich", "enrich", tuple(records), tuple(problems), tuple(unmatched), tuple(rejected))


def _with_key(record: ApiRecord, key: str) -> ApiRecord:
    return replace(record, enriches=key)


def _unreadable(rel: str, reason: str) -> ApiFile:
    return ApiFile(rel, "unreadable", "", (), (Problem(rel, f"{reason}; the file is skipped",
                                                       "fetch it again, or restore it from git"),),
                   rejected=(Rejected(Source(rel, 1), f"stored API answer not read: {reason}"),))


def parse_item(item: object, rel: str, index: int, kind: str, listing: dt.date | None,
               problems: list[Problem]) -> ApiRecord | str:
    """One API item (either shape) -> a record, or the reason it is rejected."""
    if not isinstance(item, dict):
        return "item is not an object"
    paper = item["paper"] if isinstance(item.get("paper"), dict) else {}

    def get(name: str) -> object:
        value = paper.get(name)
        return item.get(name) if value is None else value

    title = clean(get("title"))
    if not title:
        return "item without a title"
    where = f"{rel} item {index + 1}"
    raw_id = paper.get("id") if paper else item.get("id")
    arxiv_id = str(raw_id).strip() if isinstance(raw_id, (str, int, float)) and raw_id is not None else None
    if arxiv_id and not ARXIV_ID.match(arxiv_id):
        problems.append(Problem(where, f'id "{arxiv_id[:40]}" is not an arXiv id; ignored'))
        arxiv_id = None
    abstract = clean(get("summary"))
    if too_long := limits.over("the title", title, limits.TITLE) or limits.over("the abstract", abstract,
                                                                                   limits.ABSTRACT):
        return too_long
    published = _date(paper.get("publishedAt")) or (_date(item.get("publishedAt")) if not paper else None)
    record = ApiRecord(
        file=rel, index=index, kind=kind, arxiv_id=arxiv_id, title=title,
        abstract=abstract,
        date=published or listing or _date(item.get("publishedAt")),
        featured=_date(get("submittedOnDailyAt")),
        upvotes=_count(get("upvotes")),
        author_names=_authors(get("authors")),
        org_handle=_org(get("organization"))[0], org_name=_org(get("organization"))[1],
        github=checked_url(get("githubRepo")), github_stars=_count(get("githubStars")),
        project_page=checked_url(get("projectPage")),
        keywords=tuple(dict.fromkeys(k for k in map(clean, _list(get("ai_keywords"))) if k)),
        ai_summary=clean(get("ai_summary")) or None,
    )
    return _bounded(record, where, problems)


def _bounded(record: ApiRecord, where: str, problems: list[Problem]) -> ApiRecord:
    """The record without the optional fields that are over their limits (generator/limits.py)."""
    dropped: dict[str, Any] = {}
    names = record.author_names + record.keywords + ((record.org_name or ""),)
    if len(record.author_names) > limits.NAMES or len(record.keywords) > limits.NAMES or any(
            len(name) > limits.NAME for name in names):
        dropped.update(author_names=(), keywords=(), org_handle=None, org_name=None)
    if record.ai_summary and len(record.ai_summary) > limits.SUMMARY:
        dropped["ai_summary"] = None
    if dropped:
        problems.append(Problem(where, f"{', '.join(sorted(dropped))} over the length limits; left out",
                                "nothing to do unless the answer is wrong; fetch it again"))
    return replace(record, **dropped)


def clean(value: object) -> str:
    """Untrusted text as a plain string: control characters dropped, spaces folded."""
    if not isinstance(value, str):
        return ""
    return " ".join(_CONTROLS.sub(" ", value).split())


def _date(value: object) -> dt.date | None:
    """ISO 8601 date or time ("2025-10-27T17:59:59.000Z") -> its calendar date (UTC as given)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    return None if dates.year_problem(day.year) else day  # year 0001 or 9999: no date, as when missing


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _authors(value: object) -> tuple[str, ...]:
    names = (clean(a.get("name")) if isinstance(a, dict) else clean(a) for a in _list(value))
    return tuple(n for n in names if n)


def _org(value: object) -> tuple[str | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    handle = clean(value.get("name")) or None
    return handle, (clean(value.get("fullname")) or handle) if handle else None


FOLLOW_FILE = "follow.yml"


def load_follow(corpus: Path) -> tuple[str, ...]:
    """corpus/follow.yml: `searches:`, the queries `fetch --followed` asks /api/papers/search for."""
    from generator import yamlfile
    from generator.errors import FollowFileError

    path = corpus / FOLLOW_FILE
    if not path.exists():
        return ()
    root = yamlfile.load(path, FollowFileError)
    if root is None:
        return ()
    fields = yamlfile.expect(root, dict, "the top level", path, FollowFileError)
    for key, value in fields.items():
        if key != "searches":
            raise FollowFileError(f"{path}:{value.key_line}: unknown key {key!r}; use searches")
    located = fields.get("searches")
    if located is None or located.value is None:
        return ()
    queries = []
    for entry in yamlfile.expect(located, list, "searches", path, FollowFileError):
        if not isinstance(entry.value, str) or not entry.value.strip():
            raise FollowFileError(f"{path}:{entry.line}: a search must be text, e.g. - spiking neural network")
        queries.append(" ".join(entry.value.split()))
    return tuple(dict.fromkeys(queries))
