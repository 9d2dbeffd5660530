"""`fetch` and `enrich`: ask the Hugging Face API (generator/hf.py), store its answers in corpus/api/.

Every request of a command is made before anything is written; then the
files are stored all at once (write.write_stored). A request that fails
raises FetchError and leaves every stored byte as it was. What is stored is
the API's items as answered (see generator/api.py for the layout), so a build
reads them offline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator import api, hf, themes, write
from generator.errors import CorpusError
from generator.model import Problem
from generator.slugs import identity_key, plain_slug

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass
class Summary:
    lines: list[str] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unmatched: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # stored files written

    def text(self) -> str:
        head = f"added {self.added}, updated {self.updated}, unmatched {len(self.unmatched)}"
        files = (f"; stored {', '.join('corpus/' + c for c in self.changed)}" if self.changed
                 else "; no stored file changed")
        return "\n".join(self.lines + [head + files]) + "\n"


def period(kind: str, value: str) -> dict[str, str]:
    """--date/--week/--month checked: the query parameters of /api/daily_papers."""
    try:
        if kind == "date":
            dt.date.fromisoformat(value)
            if len(value) != 10:
                raise ValueError
        elif kind == "month":
            dt.date.fromisoformat(value + "-01")
            if len(value) != 7:
                raise ValueError
        else:
            m = WEEK.match(value)
            if not m:
                raise ValueError
            dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        example = {"date": "2025-10-28", "week": "2025-W44", "month": "2025-10"}[kind]
        raise CorpusError(f"--{kind} {value!r} is not a {kind}; write it like {example}") from None
    return {kind: value}


def fetch_daily(corpus: Path, kind: str, value: str, client: hf.Client) -> Summary:
    params = period(kind, value)
    _check_corpus(corpus)
    client.progress(f"fetching Daily Papers for {kind} {value} from {client.base}")
    items = hf.daily_papers(client, params)
    rel = f"{api.API_DIR}/daily/{value}.json"
    stored: dict[str, object] = {"kind": "daily", "request": f"{kind}={value}"}
    if kind == "date":
        stored["listing_date"] = value
    stored["items"] = items
    stored["added"] = first_fetched(corpus / rel, items)
    summary = Summary()
    _count_changes(corpus, {rel: stored}, summary)
    joining = _joining(corpus, items, rel)
    summary.lines.append(f"Daily Papers {kind} {value}: {len(items)} papers; {joining} match a theme and join "
                         f"the atlas, {len(items) - joining} left out")
    summary.changed = write.write_stored(corpus, {rel: _json(stored)})
    return summary


def fetch_searches(corpus: Path, queries: list[str], client: hf.Client) -> Summary:
    """Each query's results, stored in api/search/<slug>.json (all of them or none)."""
    _check_corpus(corpus)
    files, summary = {}, Summary()
    for query in queries:
        query = " ".join(query.split())
        if not query:
            raise CorpusError("--search needs some words to search for")
        client.progress(f"searching {client.base} for {query!r}")
        items = hf.search_papers(client, query)
        client.progress(f"  {len(items)} papers")
        rel = f"{api.API_DIR}/search/{plain_slug(query)}.json"
        files[rel] = {"kind": "search", "request": f"q={query}", "query": query, "items": items,
                      "added": first_fetched(corpus / rel, items)}
        summary.lines.append(f"search {query!r}: {len(items)} papers (a followed search's papers all join)")
    _count_changes(corpus, files, summary)
    summary.changed = write.write_stored(corpus, {rel: _json(v) for rel, v in files.items()})
    return summary


def enrich(corpus: Path, client: hf.Client) -> Summary:
    """Look up each dump paper without an arXiv id by its title; keep only a result of exactly that
    normalized title (one arXiv id, never a guess). Matches and misses go to api/enrich.json."""
    from generator.corpus import load_corpus

    papers = load_corpus(corpus, with_related=False).papers
    targets = [p for p in papers if p.sources and not p.arxiv_id]
    lookups = _stored_lookups(corpus)
    summary = Summary()
    client.progress(f"looking up {len(targets)} dump papers without an arXiv id on {client.base}")
    for n, paper in enumerate(targets, 1):
        key = identity_key(paper.title)
        result = exact_match(paper.title, hf.search_papers(client, paper.title))
        before = lookups.get(key, {}).get("result")
        lookups[key] = {"key": key, "title": paper.title, "result": result}
        if result is None:
            summary.unmatched.append(paper.title)
        elif before is None:
            summary.added += 1
        elif before != result:
            summary.updated += 1
        if n % 10 == 0 or n == len(targets):
            client.progress(f"  looked up {n}/{len(targets)}: {summary.added + summary.updated} matched so far")
    summary.lines.append(f"enrich: {len(targets)} papers looked up; matches are kept only for exactly the same "
                         "title")
    summary.lines += [f"  unmatched: {title}" for title in summary.unmatched]
    stored = {"kind": "enrich", "lookups": [lookups[k] for k in sorted(lookups)]}
    summary.changed = write.write_stored(corpus, {api.ENRICH_FILE: _json(stored)}) if targets or lookups else []
    return summary


def exact_match(title: str, items: list) -> dict | None:
    """The one item whose normalized title is `title`'s, or None (none, or several papers)."""
    key = identity_key(title)
    found: dict = {}
    for i, item in enumerate(items):
        record = api.parse_item(item, "search", i, "search", None, [])
        if not isinstance(record, str) and identity_key(record.title) == key:
            found.setdefault(record.arxiv_id, item)
    return next(iter(found.values())) if len(found) == 1 else None


def _stored_lookups(corpus: Path) -> dict[str, dict]:
    path = corpus / api.ENRICH_FILE
    if not path.is_file():
        return {}
    try:
        root = json.loads(path.read_text(encoding="utf-8"))
        return {lk["key"]: lk for lk in root["lookups"] if isinstance(lk, dict) and isinstance(lk.get("key"), str)}
    except (ValueError, KeyError, TypeError) as error:
        raise CorpusError(f"{path}: not a stored enrich file ({error}); restore it from git or delete it") from None


def _count_changes(corpus: Path, files: dict[str, dict], summary: Summary) -> None:
    """Added: papers in no stored file before; updated: papers whose stored item changed."""
    before: dict = {}
    for path in api.find_api_files(corpus):
        for record_id, item in _items_by_id(path).items():
            before.setdefault(record_id, []).append(item)
    seen = set()
    for stored in files.values():
        for i, item in enumerate(stored["items"]):
            record_id = _item_id(item, i)
            if record_id in seen:
                continue
            seen.add(record_id)
            if record_id not in before:
                summary.added += 1
            elif item not in before[record_id]:
                summary.updated += 1


def first_fetched(path: Path, items: list, today: dt.date | None = None) -> dict[str, str]:
    """Item id -> the day it was first fetched into this file (the day it entered the
    atlas): kept from the stored file for items seen before, today for new ones."""
    try:
        before = json.loads(path.read_text(encoding="utf-8")).get("added") or {}
    except (ValueError, OSError, AttributeError):
        before = {}
    day = (today or dt.date.today()).isoformat()
    ids = [_item_id(item, i) for i, item in enumerate(items) if isinstance(item, dict)]
    return {i: before[i] if isinstance(before, dict) and isinstance(before.get(i), str) else day
            for i in sorted(set(ids))}


def _items_by_id(path: Path) -> dict[str, dict]:
    try:
        root = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return {}
    if not isinstance(root, dict):
        return {}
    items = root.get("items") or [lk.get("result") for lk in root.get("lookups") or [] if isinstance(lk, dict)]
    return {_item_id(item, i): item for i, item in enumerate(items) if isinstance(item, dict)}


def _item_id(item: dict, index: int) -> str:
    record = api.parse_item(item, "", index, "", None, [])
    if isinstance(record, str):
        return f"#{index}"
    return record.arxiv_id or identity_key(record.title)


def _joining(corpus: Path, items: list, rel: str) -> int:
    matcher = themes.Matcher(themes.load_rules(corpus))
    problems: list[Problem] = []
    records = [api.parse_item(item, rel, i, "daily", None, problems) for i, item in enumerate(items)]
    return sum(1 for r in records if not isinstance(r, str)
               and matcher.match(r.title, r.abstract, r.keywords)[0].theme != themes.OTHER.slug)


def _check_corpus(corpus: Path) -> None:
    if not corpus.is_dir():
        raise CorpusError(f"{corpus}: no such folder; point --corpus at the corpus folder")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"
