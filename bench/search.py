"""Search alone: recall of the query set, and the first query's cost at N papers.

    python -m bench.search --recall --site SITE --label after      # recall@1/@3 of tests/search_queries.yml
    python -m bench.search --papers 10000                          # first query at 10,000 synthetic papers
    python -m bench.search --papers 10000 --common                 # very common words as first queries

Recall: SITE (a built site) is served on 127.0.0.1 and each query of
tests/search_queries.yml is typed into Material's search box in one headless
Chromium session (the box is filled and a keyup sent, as Material reads the
query on keyup); the top three result links are read once the worker's final
answer has been rendered (or the result list has been quiet for QUIET_MS).
The numbers go to bench/search_recall.json under the label, and
bench/search_recall.md shows every label side by side.

First query: a synthetic corpus of N papers (bench.synth, seed 1) is built with
`python -m generator build` unless bench/work/site-N exists (--rebuild to
force), then bench.run.browser_search opens the home page, types a distinctive
query key by key and times the first result and counts the bytes of search
files fetched (pagefind/, search/, the worker). Written to bench/search_first.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / "work"
QUERIES = ROOT / "tests" / "search_queries.yml"
QUIET_MS = 350   # no final answer seen: the list has settled once it has not changed for this long
SHOWN_MS = 60    # after the final answer: Material has rendered it
QUERY_TIMEOUT_MS = 15_000

_PROBE = """() => {
  const root = document.querySelector('.md-search-result');
  window.__searchProbe = {last: 0};
  new MutationObserver(() => { window.__searchProbe.last = performance.now(); })
    .observe(root, {childList: true, subtree: true, characterData: true});
}"""

# Added before the page's scripts: notes when the search worker sends Material its final answer to a
# query (a RESULT message not marked partial; search-worker.js may send the exact-form pages first).
_WORKER_PROBE = """(() => {
  const Base = window.Worker;
  window.__searchAnswered = 0;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const m = event.data || {};
        if (m.type === 3 && !(m.data && m.data.partial)) window.__searchAnswered = performance.now();
      });
    }
  };
})();"""

_TOP = """(n) => [...document.querySelectorAll('.md-search-result__item')].slice(0, n).map((li) => {
  const a = li.querySelector('a'); return a ? a.getAttribute('href') : '';
})"""


def load_queries(path: Path = QUERIES) -> list[dict]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def slug_of(href: str) -> str:
    from urllib.parse import urlsplit

    parts = [p for p in urlsplit(href).path.split("/") if p]
    return parts[parts.index("papers") + 1] if "papers" in parts[:-1] else ""


def start_query(page, query: str) -> float:
    """Put `query` in the open search box; the page's clock at that moment."""
    started = page.evaluate("() => performance.now()")
    page.fill(".md-search__input", query)
    page.dispatch_event(".md-search__input", "keyup")
    return started


def read_answer(page, started: float, top: int = 3) -> tuple[list[str], str]:
    """Once the final answer to the query put in at `started` is shown (or, failing that, the results
    have been quiet for QUIET_MS), the first `top` links and the count line."""
    page.wait_for_function(
        f"""(t) => {{ const p = window.__searchProbe, now = performance.now();
            return (window.__searchAnswered > t && p.last > t && now - p.last > {SHOWN_MS})
                || (p.last > t && now - p.last > {QUIET_MS}); }}""",
        arg=started, timeout=QUERY_TIMEOUT_MS, polling=25)
    return page.evaluate(_TOP, top), page.text_content(".md-search-result__meta") or ""


def open_search(page, base: str) -> None:
    page.add_init_script(_WORKER_PROBE)
    page.goto(base)
    page.wait_for_load_state("load")
    page.click(".md-search__input")
    page.evaluate(_PROBE)


def run_queries(page, base: str, queries: list[dict], lanes: int = 1) -> list[dict]:
    """Every query, in order, in `lanes` pages of page's browser context (each its own search worker;
    a query waits in its page, the others answer meanwhile); rank of the expected paper in the top 3
    (None if absent)."""
    pages = [page] + [page.context.new_page() for _ in range(lanes - 1)]
    for each in pages:
        open_search(each, base)
    out = []
    try:
        for first in range(0, len(queries), len(pages)):
            batch = list(zip(pages, queries[first:first + len(pages)], strict=False))  # the last batch may be short
            started = [start_query(each, q["query"]) for each, q in batch]
            for (each, q), t in zip(batch, started, strict=True):
                try:
                    hrefs, meta = read_answer(each, t)
                except Exception as error:  # a query that never answers counts as a miss, with its reason
                    hrefs, meta = [], f"no answer: {type(error).__name__}"
                slugs = [slug_of(h) for h in hrefs]
                rank = slugs.index(q["first"]) + 1 if q["first"] in slugs else None
                out.append({**q, "top": slugs, "rank": rank, "meta": meta.strip()})
    finally:
        for each in pages[1:]:
            each.close()
    return out


def recall(results: list[dict]) -> dict:
    n = len(results)
    by_kind: dict[str, list[dict]] = {}
    for r in results:
        by_kind.setdefault(r["kind"], []).append(r)

    def rates(rs):
        return {"n": len(rs), "at1": sum(r["rank"] == 1 for r in rs) / len(rs),
                "at3": sum(r["rank"] is not None for r in rs) / len(rs)}
    return {"all": rates(results), **{k: rates(v) for k, v in sorted(by_kind.items())}, "queries": n}


# --------------------------------------------------------------------------- recall command

def _serve(folder: Path):
    from bench.run import _serve as serve

    return serve(folder)


def _browser(playwright):
    from bench.run import CHROMIUM, CHROMIUM_ARGS

    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def measure_recall(site: Path, label: str, note: str) -> dict:
    from playwright.sync_api import sync_playwright

    queries = load_queries()
    server, base = _serve(site)
    started = time.perf_counter()
    try:
        with sync_playwright() as playwright:
            browser = _browser(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            results = run_queries(page, base, queries)
            browser.close()
    finally:
        server.shutdown()
    summary = recall(results)
    record = {"label": label, "note": note, "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
              "seconds": round(time.perf_counter() - started, 1), "recall": summary, "results": results}
    path = BENCH / "search_recall.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[label] = record
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    write_recall_md(data)
    return record


def write_recall_md(data: dict) -> None:
    labels = list(data)
    kinds = [k for k in data[labels[0]]["recall"] if k not in ("all", "queries")]
    lines = ["# Search recall on the query set", "",
             f"{data[labels[0]]['recall']['queries']} queries from `tests/search_queries.yml`, typed into the "
             "real search box in headless Chromium (`python -m bench.search --recall --site SITE --label LABEL`). "
             "recall@k: share of queries whose expected paper is among the first k results.", ""]
    for label in labels:
        lines.append(f"* **{label}**: {data[label]['note']} ({data[label]['date']}, {data[label]['seconds']} s)")
    lines += ["", "| kind | queries | " + " | ".join(f"{l} @1 | {l} @3" for l in labels) + " |",
              "| --- | ---: | " + " | ".join("---: | ---:" for _ in labels) + " |"]
    for kind in ["all", *kinds]:
        n = data[labels[0]]["recall"][kind]["n"]
        cells = " | ".join(f"{data[l]['recall'][kind]['at1']:.0%} | {data[l]['recall'][kind]['at3']:.0%}"
                           for l in labels)
        lines.append(f"| {kind} | {n} | {cells} |")
    lines += ["", "Misses (expected paper not in the top 3):", ""]
    for label in labels:
        misses = [r for r in data[label]["results"] if r["rank"] is None]
        lines.append(f"* {label}: " + ("; ".join(f"`{r['query']}` ({r['meta'] or 'no answer'})" for r in misses)
                                      or "none"))
    (BENCH / "search_recall.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- first query at N papers

def measure_first_query(n: int, rebuild: bool) -> dict:
    from bench import run, synth

    site = WORK / f"site-{n}"
    corpus = WORK / f"corpus-{n}"
    if rebuild or not (site / "pagefind").is_dir():
        run.log(f"N={n}: synthetic corpus and build")
        synthetic = synth.make(n, run.SEED, stats=synth.real_stats())
        run.write_corpus(synthetic, corpus)
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
        subprocess.run([sys.executable, "-m", "generator", "build", "--corpus", str(corpus), "--site", str(site)],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        papers = run.synthetic_papers(synthetic)
    else:
        papers = run.synthetic_papers(synth.make(n, run.SEED, stats=synth.real_stats()))
    result = run.browser_search(site, papers)
    result["n"] = n
    summary = {k: v for k, v in result.items() if k not in ("requests_after_load",)}
    (BENCH / "search_first.json").write_text(json.dumps(summary, indent=1, default=str), encoding="utf-8")
    kb = result["search_bytes_whole_visit"] / 1000
    first = result["first_result_ms"]
    lines = ["# First search query at N papers", "",
             f"`python -m bench.search --papers {n}` ({dt.datetime.now().astimezone().isoformat(timespec='seconds')}; "
             f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}). Home page served on 127.0.0.1, "
             "query typed key by key (60 ms a key) into the search box.", "",
             "| papers | query | first result ms | target first | search files kB (whole visit) | goal |",
             "| ---: | --- | ---: | --- | ---: | --- |",
             f"| {n:,} | `{result['query']}` | {'none' if first is None else f'{first:.0f}'} | "
             f"{'yes' if result['first_result_is_target'] else 'no'} | {kb:.1f} | ≤ 500 ms, ≤ 300 kB |", "",
             "Search files fetched:", ""]
    lines += [f"* `{url}` {size / 1000:.1f} kB{'' if after else ' (before load)'}"
              for url, size, after in result["search_requests_whole_visit"]]
    (BENCH / "search_first.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return result


# --------------------------------------------------------------------------- common words at N papers

COMMON = ["brain", "memory", "neural memory", "learning", "language model", "model"]
COMMON_RUNS = 3


def measure_common(n: int, queries: list[str] = COMMON, runs: int = COMMON_RUNS) -> dict:
    """Very common words (thousands of pages each) as a first query: for each, `runs` fresh visits
    (nothing cached): the home page, the box clicked, the query typed key by key (60 ms a key);
    the time from the last key to the first result shown, and the bytes of search files fetched."""
    from playwright.sync_api import sync_playwright

    from bench import run

    site = WORK / f"site-{n}"
    if not (site / "pagefind").is_dir():
        raise SystemExit(f"{site} is not built: run `python -m bench.search --papers {n}` first")
    server, base = run._serve(site)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=run.CHROMIUM, args=run.CHROMIUM_ARGS)
            for query in queries:
                times, sizes = [], []
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    context.add_init_script(run._PROBE)
                    fetched: list = []
                    context.on("response", lambda response: fetched.append(response))
                    page = context.new_page()
                    page.goto(base, wait_until="load")
                    page.wait_for_load_state("networkidle")
                    fetched.clear()  # what the page loaded before anyone searched is not search's
                    page.click(".md-search__input")
                    page.keyboard.type(query, delay=60)
                    page.wait_for_function("() => window.__bench.first !== null", timeout=QUERY_TIMEOUT_MS)
                    state = page.evaluate("() => window.__bench")
                    page.wait_for_timeout(1000)  # late fragment requests count too
                    size = packed = 0
                    for response in fetched:
                        try:
                            body = response.body()
                        except Exception:
                            body = b"\0" * int(response.headers.get("content-length", 0) or 0)
                        size += len(body)
                        # What GitHub Pages sends: text gzipped; Pagefind's files are gzip already.
                        text = response.url.split("?")[0].endswith((".js", ".json", ".txt", ".html"))
                        packed += len(gzip.compress(body)) if text else len(body)
                    times.append(state["first"] - state["lastKey"])
                    sizes.append((size, packed))
                    context.close()
                rows.append({"query": query, "ms": times, "bytes": sizes})
            browser.close()
    finally:
        server.shutdown()
    result = {"n": n, "runs": runs, "load": os.getloadavg(), "queries": rows}
    (BENCH / "search_common.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    lines = ["# Common words as a first query", "",
             f"`python -m bench.search --papers {n} --common` "
             f"({dt.datetime.now().astimezone().isoformat(timespec='seconds')}; load average "
             f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}). {runs} fresh visits a query: home page, box "
             "clicked, query typed key by key (60 ms a key); time from the last key to the first result shown, "
             "and every byte fetched after the page had loaded.", "",
             "kB fetched: as served here (nothing compressed by the server), and as GitHub Pages sends it "
             "(text files gzipped; Pagefind's index files are compressed already).", "",
             "| papers | query | median ms | worst ms | kB fetched (worst) | kB as GitHub Pages sends | goal |",
             "| ---: | --- | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        ms = sorted(row["ms"])
        lines.append(f"| {n:,} | `{row['query']}` | {ms[len(ms) // 2]:.0f} | {ms[-1]:.0f} | "
                     f"{max(b[0] for b in row['bytes']) / 1000:.0f} | {max(b[1] for b in row['bytes']) / 1000:.0f} "
                     "| ≤ 500 ms, ≤ 300 kB |")
    (BENCH / "search_common.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--recall", action="store_true", help="run the query set against --site")
    parser.add_argument("--site", type=Path, help="a built site (for --recall)")
    parser.add_argument("--label", default="after", help="name of this recall run (e.g. before, after)")
    parser.add_argument("--note", default="", help="what was measured (commit, branch)")
    parser.add_argument("--papers", type=int, help="measure the first query at N synthetic papers")
    parser.add_argument("--rebuild", action="store_true", help="rebuild bench/work/site-N even if it exists")
    parser.add_argument("--common", action="store_true",
                        help="with --papers N: very common words as first queries (bench/search_common.md)")
    args = parser.parse_args(argv)
    if args.recall:
        if not args.site:
            parser.error("--recall needs --site")
        record = measure_recall(args.site, args.label, args.note)
        print(json.dumps(record["recall"], indent=1))
    if args.papers and args.common:
        measure_common(args.papers)
    elif args.papers:
        result = measure_first_query(args.papers, args.rebuild)
        print(json.dumps({k: result[k] for k in ("query", "first_result_ms", "first_result_is_target",
                                                 "search_bytes_whole_visit")}, indent=1))
    if not args.recall and not args.papers:
        parser.error("give --recall and/or --papers N")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
