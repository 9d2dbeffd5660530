"""Measure Paper Atlas at 1,000 to 10,000 papers (`python -m bench --sizes ...`); write bench/results-sizes.md, .json and the plot.

    python -m bench                       # what `make bench` runs
    python -m bench --sizes 1000 --no-search   # a quick look

For each size N: a synthetic corpus (bench.synth, same seed), then
  * the whole build as a subprocess, `python -m generator build` run through
    bench.timed_build (same code path, plus stopwatches inside), for its wall
    and CPU time, peak RSS (all its processes together, sampled from /proc, and
    the largest single one, from /usr/bin/time),
    and where the time went: the generator stage (load_corpus + generate,
    timed in process around the calls the CLI and the MkDocs hook make) and
    MkDocs (build() minus the generator work done inside it);
  * the floor: a bare Material site (theme material, plugins [search], no nav,
    no hooks) holding the same N papers as pages of title and abstract, built
    by `mkdocs build` as a subprocess;
  * the sizes of site/, of the median paper page and of the search indexes.
Then a rebuild with nothing changed (`python -m generator markdown` twice),
and search in headless Chromium on the real corpus's site and at the largest N.

Everything is written under bench/work/ (git-ignored), except the results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import synth

# The code measured (ROOT) is a snapshot of the work tree taken when the run starts, so that
# commits landing during the run do not mix versions; results go to the work tree (REPO).
ROOT = Path(__file__).resolve().parent.parent
REPO = Path(os.environ.get("PAPER_ATLAS_BENCH_REPO") or ROOT)
BENCH = REPO / "bench"
WORK = BENCH / "work"
SNAPSHOT = WORK / "snapshot"
SNAPSHOT_PARTS = ("generator", "bench", "docs", "corpus", "mkdocs.yml", "pyproject.toml")
REAL_CORPUS = ROOT / "corpus"
SIZES = (1000, 2000, 5000, 10000)
SEED = 1
REBUILD_SIZE = 5000  # two `generator markdown` runs at 10,000 would push `make bench` past 20 minutes
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGE_SEARCH_TIMEOUT_S = 60

# Targets from the issue.
TARGET_BUILD_VS_FLOOR = 1.25
TARGET_SCALING = 1.2
TARGET_PAPERS_PER_S = 5000
TARGET_RSS_MB = 1.5 * 1024
TARGET_PAGE_GROWTH = 0.10
TARGET_SEARCH_S = 0.5
TARGET_SEARCH_KB = 300


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def environment() -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("PAPER_ATLAS_CORPUS", None)
    return env


# --------------------------------------------------------------------------- measuring subprocesses

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Bytes resident in process `root` and all its descendants now (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
                parents[int(entry)] = int(stat[stat.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            pass
    return total


TIME = "/usr/bin/time"


def run_measured(command: list[str], log_path: Path, cwd: Path = ROOT) -> dict:
    """Run `command`: wall and CPU seconds; peak RSS (MB) of its process tree, sampled every 0.1 s
    (the sum over the processes alive together), and of its largest single process.

    The largest single process comes from /usr/bin/time (%M), which starts the command: a
    child's ru_maxrss also counts the image of the process it was forked from, so forking the
    command straight from this (large) process would inflate it.
    """
    import threading

    log_path.parent.mkdir(parents=True, exist_ok=True)
    peak = [0]
    done = threading.Event()
    rss_file = log_path.with_suffix(".maxrss")
    launcher = [TIME, "-f", "%M", "-o", str(rss_file)] if os.access(TIME, os.X_OK) else []
    with open(log_path, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(launcher + command, cwd=cwd, env=environment(), stdout=out,
                                   stderr=subprocess.STDOUT)

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], _tree_rss(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    largest = usage.ru_maxrss
    if launcher:
        try:
            largest = int(rss_file.read_text().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
    result = {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": largest / 1024,
              "peak_tree_rss_mb": peak[0] / 2**20,
              "returncode": process.returncode, "log": str(log_path.relative_to(REPO))}
    if process.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(command)} failed with {process.returncode}:\n{tail}")
    return result


def folder_bytes(folder: Path) -> tuple[int, int]:
    total = files = 0
    for path in folder.rglob("*"):
        if path.is_file():
            total += path.stat().st_size
            files += 1
    return total, files


def site_sizes(site: Path) -> dict:
    total, files = folder_bytes(site)
    pages = sorted(site.glob("papers/*/index.html"))
    sizes = [p.stat().st_size for p in pages]
    out = {"site_bytes": total, "site_files": files, "paper_pages": len(pages),
           "paper_html_median_bytes": statistics.median(sizes) if sizes else None}
    index = site / "search" / "search_index.json"
    if index.exists():
        raw = index.read_bytes()
        out["search_index_bytes"] = len(raw)
        out["search_index_gzip_bytes"] = len(gzip.compress(raw, compresslevel=6))
    pagefind = site / "pagefind"
    if pagefind.is_dir():
        out["pagefind_bytes"], out["pagefind_files"] = folder_bytes(pagefind)
    return out


# --------------------------------------------------------------------------- the stages

def real_papers(corpus: Path) -> list[tuple[str, str, str]]:
    """(slug, title, abstract) of the real corpus's papers, for the floor and the search query."""
    from generator.corpus import load_corpus

    return [(p.slug, p.title, p.abstract) for p in load_corpus(corpus, with_related=False).papers]


def synthetic_papers(synthetic: synth.Synthetic) -> list[tuple[str, str, str]]:
    from generator.slugs import paper_slug

    return [(paper_slug(p.title), p.title, p.abstract) for p in synthetic.papers]


_ACCOUNTING = re.compile(r"records read (\d+) = papers (\d+) \+ duplicates merged (\d+) \+ rejected (\d+)")
_LISTINGS = re.compile(r"(\d+) listings;")


def generator_stage(build: dict) -> dict:
    """The generator stage as timed inside the build process: load_corpus + generate.

    The stage functions are timed in the process that runs them (bench.timed_build's
    stopwatches), with no process start-up. `generator build` reads the corpus in the CLI
    (start_loading, to fail early) and the MkDocs hook's load_corpus finishes that reading
    (it waits for the related papers); the stage counts both calls (`load_again_s`: the
    hook's).
    """
    timers = build["timers"]
    text = (REPO / build["log"]).read_text(errors="replace")
    accounting, listings = _ACCOUNTING.search(text), _LISTINGS.search(text)
    cli, hook = timers.get("load_corpus[cli]"), timers.get("load_corpus[hook]", 0.0)
    load, again = (cli + hook, hook) if cli is not None else (hook, 0.0)
    generate = timers.get("generate[hook]", 0.0)
    papers = int(accounting[2]) if accounting else None
    return {"papers": papers, "records": int(accounting[1]) if accounting else None,
            "duplicates": int(accounting[3]) if accounting else None,
            "dumps": int(listings[1]) if listings else None,
            "load_s": load, "generate_s": generate, "total_s": load + generate, "load_again_s": again,
            "papers_per_s": papers / (load + generate) if papers and load + generate else None}


def whole_build(corpus: Path, site: Path, logs: Path) -> dict:
    """A clean build: any site left by an earlier run is removed first (untimed)."""
    if site.exists():
        shutil.rmtree(site)
    report = logs / "timings.json"
    command = [sys.executable, "-m", "bench.timed_build", str(report), "build", "--corpus", str(corpus),
               "--site", str(site)]
    result = run_measured(command, logs / "build.log")
    report_data = json.loads(report.read_text())
    seconds = report_data["seconds"]
    result["python_peak_rss_mb"] = report_data.get("peak_rss_mb", {}).get("self")
    result["timers"] = seconds
    result["mkdocs_build_s"] = seconds.get("mkdocs_build", 0.0)
    # MkDocs's own work (pages, theme, plugins, post-build steps) = build() minus the generator work in the hook.
    result["mkdocs_s"] = result["mkdocs_build_s"] - seconds.get("load_corpus[hook]", 0.0) \
        - seconds.get("generate[hook]", 0.0)
    result["post_build_s"] = {k.split(":", 2)[2]: v for k, v in seconds.items() if k.startswith("event:post_build:")}
    result["command"] = "python -m generator build --corpus CORPUS --site SITE (via bench.timed_build)"
    return result


FLOOR_CONFIG = """\
# The floor: a bare Material site, as little as MkDocs + Material can do with these pages.
site_name: Floor
theme:
  name: material
plugins:
  - search
# No nav key and no hooks. The paper pages stay out of the automatic nav, as
# they do in Paper Atlas (a nav of every page makes MkDocs quadratic).
not_in_nav: |
  /papers/
"""


def floor(papers: list[tuple[str, str, str]], folder: Path) -> dict:
    if folder.exists():
        shutil.rmtree(folder)
    docs = folder / "docs" / "papers"
    docs.mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Floor\n\nA bare Material site.\n", encoding="utf-8")
    for i, (_, title, abstract) in enumerate(papers):
        (docs / f"{i:05d}.md").write_text(f"# {title}\n\n{abstract}\n", encoding="utf-8")
    (folder / "mkdocs.yml").write_text(FLOOR_CONFIG, encoding="utf-8")
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file", str(folder / "mkdocs.yml"),
               "--site-dir", str(folder / "site")]
    result = run_measured(command, folder / "build.log")
    result.update(site_sizes(folder / "site"))
    return result


def markdown_rebuild(corpus: Path, out: Path, logs: Path) -> dict:
    """`python -m generator markdown` twice: what the second run, with nothing changed, rewrites."""
    if out.exists():
        shutil.rmtree(out)
    runs = []
    for n in (1, 2):
        command = [sys.executable, "-m", "generator", "markdown", "--corpus", str(corpus), "--out", str(out)]
        result = run_measured(command, logs / f"markdown-{n}.log")
        text = (logs / f"markdown-{n}.log").read_text(errors="replace")
        m = re.search(r"wrote (\d+) changed files", text)
        result["changed_files"] = int(m[1]) if m else None
        runs.append(result)
    total, files = folder_bytes(out)
    return {"first": runs[0], "second": runs[1], "files": files, "bytes": total}


# --------------------------------------------------------------------------- search in Chromium

_WORD = re.compile(r"[a-z]{6,14}")


def distinctive_query(papers: list[tuple[str, str, str]]) -> dict:
    """Two words of one paper's abstract that the fewest other papers use (title or abstract)."""
    words = [set(_WORD.findall(f"{t} {a}".lower())) for _, t, a in papers]
    df: dict[str, int] = {}
    for ws in words:
        for w in ws:
            df[w] = df.get(w, 0) + 1
    best = None
    for i, (slug, _, abstract) in enumerate(papers):
        own = sorted(set(_WORD.findall(abstract.lower())), key=lambda w: (df[w], w))[:2]
        if len(own) < 2:
            continue
        together = sum(1 for ws in words if own[0] in ws and own[1] in ws)
        score = (together, df[own[0]] + df[own[1]], slug)
        if best is None or score < best[0]:
            best = (score, slug, own)
    (together, df_sum, _), slug, own = best
    return {"query": " ".join(own), "target_slug": slug, "papers_with_both_words": together,
            "document_frequencies": [df[w] for w in own]}


_PROBE = """
window.__bench = {lastKey: null, first: null, target: null, targetPath: null};
document.addEventListener("keydown", () => {
  const b = window.__bench; b.lastKey = performance.now(); b.first = null; b.target = null;
}, true);
new MutationObserver((records) => {
  const b = window.__bench;
  if (b.lastKey === null) return;
  for (const record of records) for (const node of record.addedNodes) {
    if (node.nodeType !== 1) continue;
    const items = node.matches(".md-search-result__item") ? [node]
      : Array.from(node.querySelectorAll(".md-search-result__item"));
    if (!items.length) continue;
    const now = performance.now();
    if (b.first === null) b.first = now;
    if (b.target === null && b.targetPath &&
        items.some((item) => Array.from(item.querySelectorAll("a")).some((a) => a.href.includes(b.targetPath))))
      b.target = now;
  }
}).observe(document, {childList: true, subtree: true});
"""


def _serve(folder: Path):
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _is_search(path: str) -> bool:
    """A site-relative URL that only search uses: Material's index, the search worker, Pagefind's files."""
    return path.startswith(("search/", "pagefind/")) or "worker" in path.split("?")[0].split("/")[-1]


def browser_search(site: Path, papers: list[tuple[str, str, str]]) -> dict:
    """Open the home page, type a distinctive query, time the first result and count the bytes."""
    from playwright.sync_api import sync_playwright

    query = distinctive_query(papers)
    server, base = _serve(site)
    responses: list[dict] = []
    phase = {"loaded": False}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(_PROBE)

            def on_response(response):
                responses.append({"url": response.url, "after_load": phase["loaded"], "response": response})

            context.on("response", on_response)
            page = context.new_page()
            page.goto(base, wait_until="load")
            phase["loaded"] = True
            try:
                page.wait_for_load_state("networkidle", timeout=30_000)
            except Exception:  # a page that keeps polling still gets searched
                pass
            page.evaluate("(path) => { window.__bench.targetPath = path; }", f"/papers/{query['target_slug']}/")
            page.click(".md-search__input")
            page.keyboard.type(query["query"], delay=60)
            deadline = time.monotonic() + PAGE_SEARCH_TIMEOUT_S
            while time.monotonic() < deadline:
                state = page.evaluate("() => window.__bench")
                if state["first"] is not None and state["target"] is not None:
                    break
                page.wait_for_timeout(50)
            page.wait_for_timeout(1500)  # let late requests (result fragments) finish
            state = page.evaluate("() => window.__bench")
            first_href = page.evaluate(
                "() => { const a = document.querySelector('.md-search-result__item a');"
                " return a ? a.getAttribute('href') : null; }")
            shown = page.evaluate("() => document.querySelectorAll('.md-search-result__item').length")
            for item in responses:
                try:
                    item["bytes"] = len(item["response"].body())
                except Exception:
                    item["bytes"] = int(item["response"].headers.get("content-length", 0) or 0)
            context.close()
            browser.close()
    finally:
        server.shutdown()

    def relative(url: str) -> str:
        return url[len(base):] if url.startswith(base) else url

    after = [r for r in responses if r["after_load"]]
    searchy = [r for r in responses if _is_search(relative(r["url"]))]

    def ms(value):
        return None if value is None or state["lastKey"] is None else value - state["lastKey"]

    return {
        **query,
        "first_result_ms": ms(state["first"]),
        "target_result_ms": ms(state["target"]),
        "first_result_href": first_href,
        "first_result_is_target": bool(first_href and f"papers/{query['target_slug']}/" in first_href),
        "results_shown": shown,
        "bytes_after_load": sum(r["bytes"] for r in after),
        "requests_after_load": [(relative(r["url"]), r["bytes"]) for r in after],
        "search_bytes_whole_visit": sum(r["bytes"] for r in searchy),
        "search_requests_whole_visit": [(relative(r["url"]), r["bytes"], r["after_load"]) for r in searchy],
        "bytes_whole_visit": sum(r["bytes"] for r in responses),
        "other_large_requests_whole_visit": [(relative(r["url"]), r["bytes"], r["after_load"]) for r in responses
                                             if not _is_search(relative(r["url"])) and r["bytes"] > 100_000],
    }


# --------------------------------------------------------------------------- one size

def write_corpus(synthetic: synth.Synthetic, corpus: Path) -> None:
    """A fresh synthetic corpus folder under bench/work (any older one there is ours: replaced)."""
    if corpus.exists():
        shutil.rmtree(corpus)
    synth.write(synthetic, corpus)


def measure_size(n: int, seed: int, stats: synth.Stats) -> dict:
    log(f"N={n}: synthetic corpus")
    corpus = WORK / f"corpus-{n}"
    synthetic = synth.make(n, seed, stats=stats)
    write_corpus(synthetic, corpus)
    papers = synthetic_papers(synthetic)
    log(f"N={n}: whole build ({synthetic.records:,} records in {len(synthetic.listings)} dumps)")
    site = WORK / f"site-{n}"
    build = whole_build(corpus, site, WORK / f"logs-{n}")
    build.update(site_sizes(site))
    gen = generator_stage(build)
    log(f"N={n}: build {build['wall_s']:.1f} s, peak RSS {build['peak_rss_mb']:.0f} MB, generator stage "
        f"{gen['total_s']:.1f} s ({gen['papers_per_s'] or 0:.0f} papers/s); floor")
    flo = floor(papers, WORK / f"floor-{n}")
    log(f"N={n}: floor {flo['wall_s']:.1f} s")
    return {"n": n, "generator": gen, "build": build, "floor": flo, "papers": papers}


# --------------------------------------------------------------------------- report

def machine_info() -> dict:
    import mkdocs

    def version(package: str) -> str:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as v
        try:
            return v(package)
        except PackageNotFoundError:
            return "not installed"

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "generator", "mkdocs.yml", "docs", "corpus"],
                           cwd=REPO, capture_output=True, text=True)
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "mkdocs": mkdocs.__version__,
        "mkdocs_material": version("mkdocs-material"),
        "pagefind": version("pagefind"),
        "playwright": version("playwright"),
        "git_commit": commit.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else ""),
        "code": os.environ.get("PAPER_ATLAS_BENCH_CODE", "the work tree itself (--no-snapshot)"),
        "load_average_at_start": os.getloadavg(),
    }


def _mb(b) -> str:
    return "–" if b is None else f"{b / 1e6:.1f}"


def _kb(b) -> str:
    return "–" if b is None else f"{b / 1e3:.1f}"


def _s(x) -> str:
    return "–" if x is None else f"{x:.1f}"


def targets(rows: list[dict], search: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, verdict text, met)."""
    by_n = {r["n"]: r for r in rows}
    out = []
    big, small = max(by_n), min(by_n)
    b, f = by_n[big]["build"], by_n[big]["floor"]
    ratio = b["wall_s"] / f["wall_s"]
    out.append((f"whole build ≤ {TARGET_BUILD_VS_FLOOR}× the floor per paper at {big:,}",
                f"{ratio:.2f}× ({b['wall_s']:.1f} s vs {f['wall_s']:.1f} s; CPU time "
                f"{b['cpu_s'] / f['cpu_s']:.2f}×)",
                f"{ratio / TARGET_BUILD_VS_FLOOR:.2f}× the allowance", ratio <= TARGET_BUILD_VS_FLOOR))
    if big != small:
        per_big = by_n[big]["build"]["wall_s"] / big
        per_small = by_n[small]["build"]["wall_s"] / small
        scaling = per_big / per_small
        cpu = (by_n[big]["build"]["cpu_s"] / big) / (by_n[small]["build"]["cpu_s"] / small)
        out.append((f"time per paper at {big:,} ≤ {TARGET_SCALING}× that at {small:,}",
                    f"{scaling:.2f}× ({per_big * 1000:.1f} vs {per_small * 1000:.1f} ms a paper; CPU time {cpu:.2f}×)",
                    f"{scaling / TARGET_SCALING:.2f}× the allowance", scaling <= TARGET_SCALING))
    rate = by_n[big]["generator"]["papers_per_s"]
    out.append((f"generator stage ≥ {TARGET_PAPERS_PER_S:,} papers/s (at {big:,})", f"{rate:,.0f} papers/s",
                f"{TARGET_PAPERS_PER_S / rate:.1f}× too slow" if rate < TARGET_PAPERS_PER_S else
                f"{rate / TARGET_PAPERS_PER_S:.1f}× the target", rate >= TARGET_PAPERS_PER_S))
    b = by_n[big]["build"]
    single, together = b["peak_rss_mb"], b["peak_tree_rss_mb"]
    out.append((f"peak RSS at {big:,} ≤ 1.5 GB, as ru_maxrss of the build and its children (the issue's measure)",
                f"{single:,.0f} MB (the Python build process alone {b['python_peak_rss_mb'] or 0:,.0f} MB; "
                "anything larger is a child: Pagefind)", f"{single / TARGET_RSS_MB:.2f}× the limit",
                single <= TARGET_RSS_MB))
    out.append((f"peak RSS at {big:,} ≤ 1.5 GB, counting the build's processes alive together",
                f"{together:,.0f} MB (Python holds its pages while Pagefind indexes)",
                f"{together / TARGET_RSS_MB:.2f}× the limit", together <= TARGET_RSS_MB))
    sizes = [by_n[n]["build"]["paper_html_median_bytes"] for n in sorted(by_n)]
    if None not in sizes and len(sizes) > 1:
        growth = sizes[-1] / sizes[0] - 1
        out.append((f"paper page HTML does not grow with N (within {TARGET_PAGE_GROWTH:.0%})",
                    f"{_kb(sizes[0])} kB at {small:,} → {_kb(sizes[-1])} kB at {big:,} ({growth:+.1%})",
                    "", abs(growth) <= TARGET_PAGE_GROWTH))
    at_big = next((s for label, s in search.items() if s.get("n") == big and "synthetic" in label), None)
    if at_big and "error" not in at_big:
        first = at_big["first_result_ms"]
        out.append((f"search: first result ≤ {TARGET_SEARCH_S} s at {big:,}",
                    "no result" if first is None else f"{first / 1000:.2f} s",
                    "" if first is None else f"{first / 1000 / TARGET_SEARCH_S:.2f}× the limit",
                    first is not None and first / 1000 <= TARGET_SEARCH_S))
        transferred = at_big["search_bytes_whole_visit"]
        others = [f"{url} {_kb(size)} kB" for url, size in at_big["requests_after_load"]
                  if not _is_search(url) and size > 50_000]
        out.append((f"search: ≤ {TARGET_SEARCH_KB} kB transferred at {big:,}",
                    f"{_kb(transferred)} kB of search files (search index, worker, Pagefind) in the whole visit; "
                    f"{_kb(at_big['bytes_after_load'])} kB of all requests after load"
                    + (f" (not search: {', '.join(others)})" if others else ""),
                    f"{transferred / 1000 / TARGET_SEARCH_KB:.2f}× the limit (search files)",
                    transferred / 1000 <= TARGET_SEARCH_KB))
    return out


def write_results(info: dict, rows: list[dict], real: dict | None, rebuild: dict | None, search: dict,
                  command: str, total_s: float) -> None:
    def row_for(label, r):
        gen, b, f = r["generator"], r["build"], r["floor"]
        n = gen["papers"]
        return (f"| {label} | {gen['dumps']} / {gen['records']:,} | {gen['total_s']:.2f} | {gen['papers_per_s']:,.0f} | "
                f"{b['mkdocs_s']:.1f} | {b['wall_s']:.1f} | {b['cpu_s']:.1f} | {b['wall_s'] / n * 1000:.1f} | "
                f"{f['wall_s']:.1f} | {f['cpu_s']:.1f} | {f['wall_s'] / n * 1000:.1f} | {b['wall_s'] / f['wall_s']:.2f} | "
                f"{b['cpu_s'] / f['cpu_s']:.2f} |")

    def size_row(label, r):
        b, f = r["build"], r["floor"]
        pf = b.get("pagefind_bytes")
        return (f"| {label} | {b['peak_tree_rss_mb']:,.0f} | {b['peak_rss_mb']:,.0f} | "
                f"{b['python_peak_rss_mb'] or 0:,.0f} | {f['peak_tree_rss_mb']:,.0f} | {_mb(b['site_bytes'])} "
                f"({b['site_files']:,} files) | {_mb(f['site_bytes'])} | {_kb(b['paper_html_median_bytes'])} | "
                f"{_kb(f['paper_html_median_bytes'])} | {_kb(b.get('search_index_bytes'))} / "
                f"{_kb(b.get('search_index_gzip_bytes'))} | {_kb(f.get('search_index_bytes'))} / "
                f"{_kb(f.get('search_index_gzip_bytes'))} | {_mb(pf)} |")

    every = ([("real corpus", real)] if real else []) + [(f"{r['n']:,}", r) for r in rows]
    lines = [
        "# Paper Atlas benchmark",
        "",
        f"Measured {info['date']} on {info['cpu_count']} CPUs (os.cpu_count()), {info['machine']}; "
        f"Python {info['python']}, MkDocs {info['mkdocs']}, Material {info['mkdocs_material']}, "
        f"Pagefind {info['pagefind']}. Code measured: {info['code']}. "
        f"Load average at start {', '.join(f'{x:.2f}' for x in info['load_average_at_start'])}, "
        f"at end {', '.join(f'{x:.2f}' for x in info['load_average_at_end'])} "
        "(other work on the machine slows the wall times; CPU seconds are less affected). "
        f"The whole run took {total_s / 60:.1f} minutes.",
        "",
        f"Reproduce: `{command}` (synthetic corpora from `python -m bench.synth --papers N --seed {SEED} --out DIR`).",
        "",
        "## Time",
        "",
        "| papers | dumps / records | generator stage s | generator papers/s | MkDocs s | whole build s | "
        "build CPU s | build ms/paper | floor s | floor CPU s | floor ms/paper | build / floor | "
        "build / floor (CPU) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[row_for(label, r) for label, r in every],
        "",
        "* generator stage: `load_corpus` + `generate`, timed in process (wall) inside the whole build below "
        "(the CLI's `load_corpus`, the hook's `generate`); no process start-up, no MkDocs work.",
        "* whole build: `python -m generator build` as a subprocess (wall), started through `bench.timed_build`, "
        "which adds stopwatches and nothing else.",
        "* MkDocs: MkDocs's `build()` in that subprocess minus the generator stage run inside the hook: pages, "
        "theme, search plugin and post-build steps such as Pagefind.",
        "* start-up and the rest: the whole build's wall time minus the CLI's load_corpus and MkDocs's `build()`: "
        "interpreter start, imports, loading mkdocs.yml, swapping the new site in.",
        "* floor: a bare Material site (theme material, plugins [search], no nav, no hooks; paper pages kept out "
        "of the automatic nav with `not_in_nav`, as Paper Atlas does) with the same papers as pages of title and "
        "abstract, built by `mkdocs build` (wall).",
        "",
        "### Where the whole build's time goes",
        "",
        "| papers | process wall s | load_corpus in CLI s | load_corpus in hook s | generate in hook s | "
        "MkDocs own s | of which post-build steps s | start-up and the rest s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for label, r in every:
        b = r["build"]
        t = b["timers"]
        post = ", ".join(f"{k} {v:.1f}" for k, v in sorted(b["post_build_s"].items()))
        lines.append(f"| {label} | {b['wall_s']:.1f} | {t.get('load_corpus[cli]', 0):.1f} | "
                     f"{t.get('load_corpus[hook]', 0):.1f} | {t.get('generate[hook]', 0):.1f} | "
                     f"{b['mkdocs_s']:.1f} | {post} | "
                     f"{b['wall_s'] - t.get('load_corpus[cli]', 0) - b['mkdocs_build_s']:.1f} |")
    lines += [
        "",
        "## Memory and size",
        "",
        "| papers | build peak RSS MB, all processes | largest single process MB | Python process MB | "
        "floor peak RSS MB | site/ MB | floor site MB | paper page HTML kB (median) | "
        "floor page kB | search_index.json kB raw / gzip | floor search_index.json kB raw / gzip | pagefind/ MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[size_row(label, r) for label, r in every],
        "",
        "Peak RSS, all processes: the build's process tree (Python, and Pagefind run from the post-build hook "
        "while Python still holds every page) summed, sampled every 0.1 s from /proc. Largest single process: "
        "`/usr/bin/time` %M on the build, i.e. `ru_maxrss` of the build and the children it waited for (the "
        "issue's measure). Python process: the build process's own `ru_maxrss`. Floor: all processes, sampled "
        "the same way. gzip: level 6.",
        "",
    ]
    if rebuild:
        first, second = rebuild["first"], rebuild["second"]
        lines += [
            "## Rebuild with nothing changed",
            "",
            f"`python -m generator markdown --corpus CORPUS --out DIR` twice at {rebuild['n']:,} papers "
            f"({rebuild['files']:,} files, {_mb(rebuild['bytes'])} MB):",
            "",
            "| run | wall s | files rewritten |",
            "| --- | ---: | ---: |",
            f"| first (empty folder) | {first['wall_s']:.1f} | {first['changed_files']} |",
            f"| second (nothing changed) | {second['wall_s']:.1f} | {second['changed_files']} |",
            "",
        ]
    if search:
        lines += [
            "## Search in headless Chromium",
            "",
            "Home page served by http.server on 127.0.0.1; click `.md-search__input`, type the query (60 ms a key); "
            "time from the last keydown to the first `.md-search-result__item` added after it, and to the item "
            "linking to the paper the query was taken from. Bytes: response bodies of requests made after the "
            "page's load event, and of the search files (search/, pagefind/, the search worker) over the whole "
            "visit.",
            "",
            "| site | query | first result ms | target paper's result ms | first result is the target | "
            "kB after load | search files kB (whole visit) | kB whole visit | other downloads over 100 kB |",
            "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |",
        ]
        for label, s in search.items():
            if "error" in s:
                lines.append(f"| {label} | – | error: {s['error'][:200]} | | | | | | |")
                continue

            def fmt(v):
                return "none" if v is None else f"{v:.0f}"
            lines.append(f"| {label} | `{s['query']}` | {fmt(s['first_result_ms'])} | {fmt(s['target_result_ms'])} | "
                         f"{'yes' if s['first_result_is_target'] else 'no'} | {_kb(s['bytes_after_load'])} | "
                         f"{_kb(s['search_bytes_whole_visit'])} | {_kb(s['bytes_whole_visit'])} | "
                         + (", ".join(f"{u} {_kb(b)} kB" for u, b, _ in s["other_large_requests_whole_visit"]) or "none")
                         + " |")
        lines.append("")
    lines += [
        "## Targets",
        "",
        "| target | measured | | met |",
        "| --- | --- | --- | --- |",
        *[f"| {t} | {m} | {v} | {'yes' if ok else 'NO'} |" for t, m, v, ok in targets(rows, search)],
        "",
        "![seconds per 1,000 papers](seconds_per_1000.png)",
        "",
    ]
    (BENCH / "results-sizes.md").write_text("\n".join(lines), encoding="utf-8")


def plot(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [r["n"] for r in rows]

    def per_1000(values):
        return [v / n * 1000 for v, n in zip(values, ns)]

    fig, (wall, cpu) = plt.subplots(1, 2, figsize=(11, 4.4), dpi=120, sharey=True)
    wall.plot(ns, per_1000([r["build"]["wall_s"] for r in rows]), "o-", color="tab:blue",
              label="whole build (python -m generator build)")
    wall.plot(ns, per_1000([r["floor"]["wall_s"] for r in rows]), "s-", color="tab:orange",
              label="floor (bare Material, mkdocs build)")
    wall.plot(ns, per_1000([r["generator"]["total_s"] for r in rows]), "^--", color="tab:green",
              label="generator stage (load_corpus + generate)")
    wall.plot(ns, per_1000([r["floor"]["wall_s"] * TARGET_BUILD_VS_FLOOR for r in rows]), ":", color="tab:orange",
              alpha=0.8, label=f"target for the build: {TARGET_BUILD_VS_FLOOR}× the floor")
    wall.set_title("wall time")
    cpu.plot(ns, per_1000([r["build"]["cpu_s"] for r in rows]), "o-", color="tab:blue", label="whole build")
    cpu.plot(ns, per_1000([r["floor"]["cpu_s"] for r in rows]), "s-", color="tab:orange", label="floor")
    cpu.plot(ns, per_1000([r["floor"]["cpu_s"] * TARGET_BUILD_VS_FLOOR for r in rows]), ":", color="tab:orange",
             alpha=0.8, label=f"{TARGET_BUILD_VS_FLOOR}× the floor")
    cpu.set_title("CPU time (user + system, less sensitive to other load)")
    for ax in (wall, cpu):
        ax.set_xscale("log")
        ax.set_xticks(ns)
        ax.set_xticklabels([f"{n:,}" for n in ns])
        ax.minorticks_off()
        ax.set_ylim(bottom=0)
        ax.set_xlabel("papers (N)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    wall.set_ylabel("seconds per 1,000 papers")
    fig.suptitle("Paper Atlas: seconds per 1,000 papers")
    fig.tight_layout()
    fig.savefig(BENCH / "seconds_per_1000.png")
    plt.close(fig)


# --------------------------------------------------------------------------- main

def _tree_digest(folder: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _run_in_snapshot(argv: list[str]) -> int:
    """Copy the code under test to bench/work/snapshot and run the benchmark from there."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if SNAPSHOT.exists():
        shutil.rmtree(SNAPSHOT)
    SNAPSHOT.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "work", "*.pyc", "results.*", "results-*", "*.png")
    for part in SNAPSHOT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, SNAPSHOT / part, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, SNAPSHOT / part)
    code = (f"snapshot {_tree_digest(SNAPSHOT)} of the work tree (generator/, docs/, corpus/, mkdocs.yml) "
            f"taken at {dt.datetime.now().astimezone().isoformat(timespec='seconds')} on commit {commit.stdout.strip()}")
    log(f"measuring a {code}")
    env = dict(os.environ, PAPER_ATLAS_BENCH_REPO=str(ROOT), PAPER_ATLAS_BENCH_CODE=code, NO_MKDOCS_2_WARNING="1")
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, "-m", "bench", *argv], cwd=SNAPSHOT, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated N (default %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-search", action="store_true", help="skip the browser search measurement")
    parser.add_argument("--no-real", action="store_true", help="skip the real corpus row")
    parser.add_argument("--rebuild-size", type=int, default=None,
                        help=f"N for the nothing-changed rebuild (default {REBUILD_SIZE}; 0 to skip)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite results.md and the plot from results.json, measuring nothing")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="measure the work tree as it is, even if it changes during the run")
    parser.add_argument("--only", choices=("all", "build", "rebuild", "themes", "serve"),
                        help="all: every issue-15 target, written to bench/results.md (what make bench runs); or one target alone (see bench/targets.py), on the work tree as it is")
    parser.add_argument("--papers", default="2000",
                        help="with --only: comma-separated N, or 374/real for the real corpus (default %(default)s)")
    parser.add_argument("--themes", default="0,100,200,400",
                        help="with --only themes: theme counts, 0 for the real themes.yml (default %(default)s)")
    args = parser.parse_args(argv)
    if args.only:
        from bench.targets import run_only

        os.chdir(ROOT)
        return run_only(args.only, args.papers, args.themes, args.seed)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    if args.report_only:
        data = json.loads((BENCH / "results-sizes.json").read_text())
        write_results(data["machine"], data["sizes"], data["real_corpus"], data["rebuild"], data["search"],
                      data["command"], data["seconds_total"])
        plot(data["sizes"])
        log("rewrote bench/results-sizes.md and the plot from bench/results-sizes.json")
        return 0
    if not args.no_snapshot and not os.environ.get("PAPER_ATLAS_BENCH_CODE"):
        return _run_in_snapshot(argv if argv is not None else sys.argv[1:])
    os.chdir(ROOT)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    command = "make bench" if args.sizes == ",".join(map(str, SIZES)) and not args.no_search and not args.no_real \
        and args.rebuild_size is None else "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    log(f"{info['cpu_count']} CPUs, Python {info['python']}, MkDocs {info['mkdocs']}; sizes {sizes}")
    stats = synth.real_stats()

    real = None
    if not args.no_real or not args.no_search:
        log("real corpus: whole build, floor")
        build = whole_build(REAL_CORPUS, WORK / "site-real", WORK / "logs-real")
        build.update(site_sizes(WORK / "site-real"))
        papers = real_papers(REAL_CORPUS)
        gen = generator_stage(build)
        real = {"n": len(papers), "generator": gen, "build": build, "floor": floor(papers, WORK / "floor-real"),
                "papers": papers}

    rows = []
    for n in sizes:
        rows.append(measure_size(n, args.seed, stats))

    rebuild = None
    rebuild_n = REBUILD_SIZE if args.rebuild_size is None else args.rebuild_size
    if rebuild_n:
        log(f"rebuild with nothing changed at N={rebuild_n}")
        corpus = WORK / f"corpus-{rebuild_n}"
        if rebuild_n not in sizes:
            write_corpus(synth.make(rebuild_n, args.seed, stats=stats), corpus)
        rebuild = markdown_rebuild(corpus, WORK / f"markdown-{rebuild_n}", WORK / f"logs-{rebuild_n}")
        rebuild["n"] = rebuild_n

    search: dict[str, dict] = {}
    if not args.no_search:
        targets_ = [(f"real corpus ({real['n']} papers)", real["n"], WORK / "site-real", real["papers"])] \
            if real else []
        big = rows[-1]
        targets_.append((f"{big['n']:,} papers (synthetic)", big["n"], WORK / f"site-{big['n']}", big["papers"]))
        for label, n, site, papers in targets_:
            log(f"search in Chromium: {label}")
            try:
                search[label] = browser_search(site, papers)
            except Exception as error:  # report it rather than lose the whole run
                search[label] = {"error": f"{type(error).__name__}: {error}"}
            search[label]["n"] = n
            s = search[label]
            log(f"search {label}: {json.dumps({k: v for k, v in s.items() if 'requests' not in k})[:400]}")

    info["load_average_at_end"] = os.getloadavg()
    total = time.perf_counter() - started
    for r in rows + ([real] if real else []):
        r.pop("papers", None)
    write_results(info, rows, real if not args.no_real else None, rebuild, search, command, total)
    (BENCH / "results-sizes.json").write_text(json.dumps(
        {"machine": info, "command": command, "seconds_total": total, "sizes": rows, "real_corpus": real,
         "rebuild": rebuild, "search": search}, indent=1, default=str), encoding="utf-8")
    plot(rows)
    log(f"done in {total / 60:.1f} min: bench/results-sizes.md, bench/results-sizes.json, bench/seconds_per_1000.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
