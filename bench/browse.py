"""The browse page at scale: what it downloads and how fast a filter change answers.

    python -m bench.browse --papers 10000

Makes a synthetic corpus (bench.synth), renders the browse page and its data
file with the generator (no MkDocs build: the browse page's Markdown is mostly
raw HTML, turned into a page with Python-Markdown), serves them, and in
headless Chromium measures:

* bytes the page loads before its first results show (every resource the
  browser fetched, as served here: no compression by the server), the data
  file data/browse.json.gz among them, and the JSON it inflates to;
* for each filter change, the time from the change to the next painted frame
  (median and worst of REPEATS): typing a word, ticking a theme, choosing
  "Undated", sorting by upvotes, and the next page.

Targets (issue 13): under 1 MB loaded, a filter change within 100 ms.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
REPEATS = 7

# Each step: (what it is, JavaScript that changes the form). The page answers
# synchronously in the event handler; the timer stops at the next frame.
STEPS = [
    ("type a word", "f.q.value = 'memory'; f.q.dispatchEvent(new Event('input', {bubbles: true}));"),
    ("tick a theme", "const c = f.querySelector('input[name=theme]'); c.checked = true;"
                     " c.dispatchEvent(new Event('change', {bubbles: true}));"),
    ("tick a second theme", "const c = f.querySelectorAll('input[name=theme]')[1]; c.checked = true;"
                            " c.dispatchEvent(new Event('change', {bubbles: true}));"),
    ("choose Undated", "f.year.value = 'undated'; f.year.dispatchEvent(new Event('change', {bubbles: true}));"),
    ("sort by upvotes", "f.year.value = ''; f.sort.value = 'upvotes';"
                        " f.sort.dispatchEvent(new Event('change', {bubbles: true}));"),
    ("next page", "document.querySelector(\"#pa-browse-pages [data-step='1']\").click();"),
    ("clear filters", "f.reset();"),
]
TIMED = """async (step) => {
  const f = document.getElementById('pa-browse');
  const t0 = performance.now();
  (new Function('f', step))(f);
  await new Promise((r) => setTimeout(r, 0));  // reset() answers in a timeout
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""


def make_site(papers: int, out: Path) -> Path:
    """The browse page, browse.js and data/browse.json for a synthetic corpus of `papers`."""
    import markdown

    from generator.corpus import load_corpus
    from generator.render import lists
    from generator.render.index import build_index

    corpus_dir = WORK / f"corpus-{papers}"
    if not corpus_dir.exists():
        subprocess.run([sys.executable, "-m", "bench.synth", "--papers", str(papers), "--out", str(corpus_dir)],
                       check=True, cwd=ROOT)
    site = build_index(load_corpus(corpus_dir, with_related=False))
    if out.exists():
        shutil.rmtree(out)
    (out / "browse").mkdir(parents=True)
    (out / "data").mkdir()
    (out / "javascripts").mkdir()
    shutil.copy(ROOT / "docs" / "javascripts" / "browse.js", out / "javascripts" / "browse.js")
    for path, text in lists.browse(site):
        if isinstance(text, bytes):
            (out / path).write_bytes(text)
        else:
            body = markdown.markdown(text.split("---", 2)[2], extensions=["attr_list", "md_in_html"])
            (out / "browse" / "index.html").write_text(
                f'<!doctype html><meta charset="utf-8"><title>browse</title>{body}'
                f'<script src="../javascripts/browse.js"></script>', encoding="utf-8")
    return out


def measure(site: Path, papers: int) -> dict:
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/browse/"
    data = (site / "data" / "browse.json.gz").read_bytes()
    result = {"papers": papers, "browse_data_bytes": len(data), "browse_json_bytes": len(gzip.decompress(data)),
              "browse_js_bytes": (site / "javascripts" / "browse.js").stat().st_size, "steps": {}}
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            times = {name: [] for name, _ in STEPS}
            loads, fetched = [], []
            for _ in range(REPEATS):
                page.goto(url)
                page.wait_for_function("document.getElementById('pa-browse-count').textContent.includes(' of ')")
                loads.append(page.evaluate("performance.getEntriesByType('resource')"
                                           ".filter(e => e.name.endsWith('browse.json.gz'))[0].duration"))
                fetched.append(page.evaluate(
                    "[performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
                    ".reduce((n, e) => n + e.encodedBodySize, 0)"))
                for name, step in STEPS:
                    times[name].append(page.evaluate(TIMED, step))
            browser.close()
    finally:
        server.shutdown()
    result["data_fetch_ms_median"] = round(statistics.median(loads), 1)
    result["loaded_bytes"] = max(fetched)
    for name, values in times.items():
        result["steps"][name] = {"median_ms": round(statistics.median(values), 1), "max_ms": round(max(values), 1)}
    return result


def report(r: dict) -> str:
    lines = [f"browse at {r['papers']:,} papers",
             f"  loaded before the first results: {r['loaded_bytes'] / 1e6:.2f} MB (target: under 1 MB): "
             f"data/browse.json.gz {r['browse_data_bytes'] / 1e6:.2f} MB (inflates to "
             f"{r['browse_json_bytes'] / 1e6:.2f} MB of JSON), browse.js {r['browse_js_bytes'] / 1e3:.1f} kB, "
             f"the page; data fetch median {r['data_fetch_ms_median']} ms",
             f"  filter change to next frame, median / worst of {REPEATS} (target: within 100 ms):"]
    for name, t in r["steps"].items():
        lines.append(f"    {name:22} {t['median_ms']:7.1f} ms  / {t['max_ms']:7.1f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10000, metavar="N")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args(argv)
    result = measure(make_site(args.papers, WORK / f"browse-{args.papers}"), args.papers)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
