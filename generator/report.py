"""The check report: plain text, built from a Corpus, no I/O."""

from __future__ import annotations

from collections import Counter

from generator.model import Corpus, count


def check_report(corpus: Corpus) -> str:
    return "\n".join(_lines(corpus)) + "\n"


def _lines(corpus: Corpus):
    yield f"Paper Atlas check: {corpus.path}"
    yield ""
    yield "Dumps"
    for d in corpus.dumps:
        listing = d.listing
        shown = listing.value.isoformat() if listing.value else (listing.text or "none")
        if d.layout == "unreadable":
            yield f"  {d.name}: not read; {count(d.rejected)} rejected (see Rejected records)"
            continue
        yield (f"  {d.name}: {d.layout} layout, {d.encoding}; listing date {shown} ({listing.rule}); "
               f"{len(d.records)} records read ({d.with_metadata} with metadata, "
               f"{len(d.records) - d.with_metadata} without), {count(d.rejected)} rejected")
    if corpus.api_files:
        yield ""
        yield "Stored API answers"
        for f in corpus.api_files:
            yield (f"  {f.path}: {f.kind}, {len(f.records)} papers read, {count(f.rejected)} rejected"
                   + (f", {len(f.unmatched)} lookups unmatched" if f.kind == "enrich" else ""))
    papers = corpus.papers
    dated = [p for p in papers if p.date]
    inferred = [p for p in dated if p.date and p.date.inferred]
    conflicts = [p for p in corpus.problems if p.kind == "conflict"]
    yield ""
    yield "Corpus"
    yield f"  papers after merging: {len(papers)}"
    yield f"  duplicates merged: {corpus.duplicates}"
    yield f"  dated: {len(dated)} ({len(inferred)} with an inferred year), undated: {len(papers) - len(dated)}"
    origins = Counter(p.origin for p in papers)
    yield (f"  by origin: dump only {origins['dump']}, API only {origins['api']}, both {origins['both']}; "
           f"with an arXiv id {sum(1 for p in papers if p.arxiv_id)}")
    if corpus.api_files:
        yield f"  Daily Papers left out (matching no theme): {corpus.left_out}"
    yield f"  conflicts between listings: {len(conflicts)}"
    yield ("  year rule: a date without a year is in the listing's year; unless corpus/sources.yml states "
           "the listing date, that year is inferred as the year after the latest explicit year in the dump")
    yield ("  API rule: a paper from the API and one from a dump are one paper when they share a normalized "
           "title (or arXiv id); its address stays the dump's; the API's date, authors, links and counts win, "
           "and a real disagreement is a conflict")
    yield ""
    yield "Themes"
    counts = Counter(m.theme for p in papers for m in p.themes)
    for theme in corpus.themes:
        share = counts[theme.slug] / len(papers) if papers else 0
        yield f"  {counts[theme.slug]:5d}  {share:6.1%}  {theme.name}"
    yield ""
    if corpus.problems:
        yield f"Problems ({len(corpus.problems)})"
        for problem in corpus.problems:
            yield f"  {problem}"
    else:
        yield "Problems: none"
    if corpus.unmatched:
        yield ""
        yield f"Unmatched enrich lookups ({len(corpus.unmatched)}): no Hugging Face paper has exactly this title"
        for title in corpus.unmatched:
            yield f"  {title[:100]}"
    if corpus.rejected:
        yield ""
        yield f"Rejected records ({count(corpus.rejected)})"
        for r in corpus.rejected:
            yield f"  {r.source}: {r.reason}" + (f': "{r.text[:80]}"' if r.text else "")
    yield ""
    yield corpus.accounting()



