"""The issue-15 targets, each measurable alone beside the floor of the same run.

    python -m bench --only build   --papers 2000     # whole build / floor, generator papers/s, peak memory
    python -m bench --only rebuild --papers 2000     # nothing changed, one paper added (% of a full build)
    python -m bench --only themes  --themes 13,100,400   # build time and memory against the number of themes
    python -m bench --only serve   --papers 374      # `mkdocs serve`: edit -> served page shows it

`--papers 374` (or `real`) means the real corpus. Each writes bench/work/only-<what>-<N>.json and prints
a short table; `make bench` runs them all and puts them in bench/results.md.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import synth
from bench.run import (
    REAL_CORPUS,
    ROOT,
    SEED,
    WORK,
    environment,
    floor,
    generator_stage,
    log,
    real_papers,
    run_measured,
    site_sizes,
    synthetic_papers,
    whole_build,
    write_corpus,
)

CACHE_ENV = "PAPER_ATLAS_CACHE"  # where the build keeps its cache (generator/cache.py)


# --------------------------------------------------------------------------- corpora

def corpus_for(n: int | str, seed: int = SEED) -> tuple[Path, list[tuple[str, str, str]]]:
    """(corpus folder, papers as (slug, title, abstract)) for N papers; 374/real is the real corpus."""
    if str(n) in ("real", "374"):
        folder = WORK / "corpus-real"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(REAL_CORPUS, folder)
        (folder / synth.MARKER).write_text("a copy of corpus/ made by bench\n", encoding="utf-8")
        return folder, real_papers(folder)
    n = int(n)
    folder = WORK / f"corpus-{n}"
    synthetic = synth.make(n, seed)
    write_corpus(synthetic, folder)
    return folder, synthetic_papers(synthetic)


def _label(n) -> str:
    return "real" if str(n) in ("real", "374") else str(n)


def _clear_cache(cache: Path) -> None:
    if cache.exists():
        shutil.rmtree(cache)


def _build(corpus: Path, site: Path, logs: Path, cache: Path, clean_site: bool = True) -> dict:
    """`python -m generator build` through bench.timed_build; the site folder is kept unless clean_site."""
    os.environ[CACHE_ENV] = str(cache)
    try:
        if clean_site:
            return whole_build(corpus, site, logs)
        report = logs / "timings.json"
        command = [sys.executable, "-m", "bench.timed_build", str(report), "build", "--corpus", str(corpus),
                   "--site", str(site)]
        result = run_measured(command, logs / "build.log")
        result["timers"] = json.loads(report.read_text())["seconds"]
        return result
    finally:
        os.environ.pop(CACHE_ENV, None)


def _snapshot(site: Path) -> dict[str, tuple[int, int, bytes]]:
    """path -> (inode, mtime_ns, bytes) of every file of a built site."""
    out = {}
    for path in site.rglob("*"):
        if path.is_file():
            st = path.stat()
            out[str(path.relative_to(site))] = (st.st_ino, st.st_mtime_ns, path.read_bytes())
    return out


def _compare(before: dict, after: dict) -> dict:
    """Files rewritten (a new inode or time), files whose bytes changed, added and removed."""
    common = before.keys() & after.keys()
    return {"files": len(after),
            "rewritten": sum(1 for p in common if before[p][:2] != after[p][:2]) + len(after.keys() - before.keys()),
            "content_changed": sorted(p for p in common if before[p][2] != after[p][2]),
            "added": sorted(after.keys() - before.keys()), "removed": sorted(before.keys() - after.keys())}


# --------------------------------------------------------------------------- build, floor, memory

def measure_build(n, seed: int = SEED) -> dict:
    """A clean build (empty cache) and the floor, in the same run."""
    label = _label(n)
    corpus, papers = corpus_for(n, seed)
    cache = WORK / f"cache-build-{label}"
    _clear_cache(cache)
    log(f"{label}: whole build (empty cache)")
    build = _build(corpus, WORK / f"site-{label}", WORK / f"logs-{label}", cache)
    build.update(site_sizes(WORK / f"site-{label}"))
    gen = generator_stage(build)
    log(f"{label}: floor")
    flo = floor(papers, WORK / f"floor-{label}")
    return {"n": len(papers), "build": build, "generator": gen, "floor": flo,
            "build_over_floor": build["wall_s"] / flo["wall_s"],
            "build_over_floor_cpu": build["cpu_s"] / flo["cpu_s"]}


# --------------------------------------------------------------------------- rebuilds

def _added_paper_dump(corpus: Path, seed: int) -> Path:
    """One more dump holding one new paper (compact layout), named to sort last."""
    from generator.slugs import identity_key

    known = {identity_key(t) for _, t, _ in real_papers(corpus)}
    rng = random.Random(seed + 1000)
    stats = synth.real_stats()
    while True:
        paper = synth.make_papers(1, rng, stats)[0]
        if identity_key(paper.title) not in known:
            break
    listing = synth.Listing("zzz_added.txt", "compact", 12, 1, False, papers=[0], meta=[False], upvotes=[0])
    path = corpus / listing.name
    path.write_text(synth.dump_text(listing, [paper]), encoding="utf-8")
    return path


def measure_rebuild(n, seed: int = SEED) -> dict:
    """Full build (empty cache), then with nothing changed, then with one paper added; the floor too."""
    label = _label(n)
    corpus, papers = corpus_for(n, seed)
    site, cache = WORK / f"site-rebuild-{label}", WORK / f"cache-rebuild-{label}"
    _clear_cache(cache)
    log(f"{label}: full build (empty cache)")
    full = _build(corpus, site, WORK / f"logs-rebuild-{label}-full", cache)
    before = _snapshot(site)
    log(f"{label}: rebuild, nothing changed")
    same = _build(corpus, site, WORK / f"logs-rebuild-{label}-same", cache, clean_site=False)
    after_same = _snapshot(site)
    same.update(_compare(before, after_same))
    log(f"{label}: rebuild, one paper added")
    _added_paper_dump(corpus, seed)
    added = _build(corpus, site, WORK / f"logs-rebuild-{label}-added", cache, clean_site=False)
    after_added = _snapshot(site)
    added.update(_compare(after_same, after_added))
    added["pages_rendered"] = _pages_rendered(WORK / f"logs-rebuild-{label}-added" / "build.log")
    log(f"{label}: floor")
    flo = floor(papers, WORK / f"floor-{label}")
    for r in (same, added):
        r["percent_of_full"] = 100 * r["wall_s"] / full["wall_s"]
    return {"n": len(papers), "full": full, "nothing_changed": same, "one_added": added, "floor": flo}


_RENDERED = re.compile(r"Paper Atlas: rendered (\d+) of (\d+) generated pages")


def _pages_rendered(log_path: Path) -> list[int] | None:
    m = _RENDERED.search(log_path.read_text(errors="replace"))
    return [int(m[1]), int(m[2])] if m else None


# --------------------------------------------------------------------------- themes

def _themes_file(count: int, corpus: Path) -> str:
    """`count` themes with terms drawn from the corpus's own words (deterministic)."""
    import yaml

    words = sorted({w for _, t, a in real_papers(corpus) for w in re.findall(r"[a-z]{5,12}", f"{t} {a}".lower())})
    rng = random.Random(count)
    themes = [{"name": f"Theme {i:03d} {words[rng.randrange(len(words))]}",
               "description": f"Synthetic theme {i} for the benchmark.",
               "terms": sorted(rng.sample(words, 4))} for i in range(count)]
    return yaml.safe_dump({"themes": themes}, sort_keys=False)


def measure_themes(counts: list[int], n="real", seed: int = SEED) -> dict:
    """Whole build (empty cache) of one corpus with `count` themes: time and peak memory."""
    corpus, _ = corpus_for(n, seed)
    original = (corpus / "themes.yml").read_text(encoding="utf-8")
    rows = []
    for count in counts:
        (corpus / "themes.yml").write_text(original if count == 0 else _themes_file(count, corpus), encoding="utf-8")
        label = f"themes-{count}"
        cache = WORK / f"cache-{label}"
        _clear_cache(cache)
        log(f"{_label(n)} with {count or 'the real'} themes: whole build")
        build = _build(corpus, WORK / f"site-{label}", WORK / f"logs-{label}", cache)
        rows.append({"themes": count, "wall_s": build["wall_s"], "cpu_s": build["cpu_s"],
                     "peak_tree_rss_mb": build["peak_tree_rss_mb"], "peak_rss_mb": build["peak_rss_mb"]})
        log(f"  {build['wall_s']:.1f} s, {build['peak_tree_rss_mb']:.0f} MB")
    return {"corpus": _label(n), "rows": rows}


# --------------------------------------------------------------------------- mkdocs serve

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""


def _wait_for(url: str, predicate, timeout: float) -> float | None:
    """Seconds until GET url satisfies predicate(status, body), polling every 0.1 s; None on timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        status, body = _get(url)
        if predicate(status, body):
            return time.monotonic() - started
        time.sleep(0.1)
    return None


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and of the children it has waited for (Pagefind), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        fields = stat[stat.rindex(b")") + 2:].split()
        return sum(int(x) for x in fields[11:15]) / _TICK  # utime, stime, cutime, cstime
    except (OSError, ValueError, IndexError):
        return 0.0


def _serve_project(corpus: Path, folder: Path) -> Path:
    """A copy of mkdocs.yml and docs/ (edited by the benchmark), with the generator linked in."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copytree(ROOT / "docs", folder / "docs")
    shutil.copy2(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "generator").symlink_to(ROOT / "generator")
    return folder


def measure_serve(n, seed: int = SEED, timeout: float = 600) -> dict:
    """Edit a dump, themes.yml and a docs page under `mkdocs serve`; seconds until the served page shows it.

    Then a broken themes.yml: does the served site show the error, and does the next good edit recover?
    """
    from generator.corpus import load_corpus

    label = _label(n)
    corpus, _ = corpus_for(n, seed)
    project = _serve_project(corpus, WORK / f"serve-{label}")
    loaded = load_corpus(corpus, with_related=False)
    paper = loaded.papers[0]
    source = paper.sources[0]
    theme = loaded.themes[0]
    port = _free_port()
    base = f"http://127.0.0.1:{port}/paper-atlas/"
    env = dict(environment(), PAPER_ATLAS_CORPUS=str(corpus), SITE_URL="https://example.org/paper-atlas/")
    env[CACHE_ENV] = str(WORK / f"cache-serve-{label}")
    _clear_cache(Path(env[CACHE_ENV]))
    log_path = WORK / f"logs-serve-{label}.log"
    out = open(log_path, "wb")
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}",
                                "--config-file", str(project / "mkdocs.yml")], cwd=project, env=env,
                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    result: dict = {"n": len(loaded.papers), "log": str(log_path)}
    try:
        started = time.monotonic()
        paper_url = f"{base}papers/{paper.slug}/"
        first = _wait_for(paper_url, lambda s, b: s == 200, timeout)
        result["first_build_s"] = None if first is None else time.monotonic() - started
        time.sleep(2)  # let the watcher settle

        def edit(name: str, path: Path, change, url: str, marker: str, reindexes: bool = False) -> None:
            """`reindexes`: the edit changes what search finds; also time until the served index is the new one.
            Under `mkdocs serve` the pages need not wait for Pagefind (generator/serve.py): the server's log says
            when they did not, and when the index followed."""
            from generator.pagefind import LATE, UPDATED

            text = path.read_text(encoding="utf-8")
            logged = log_path.stat().st_size
            cpu = _cpu_seconds(process.pid)
            started = time.monotonic()
            path.write_text(change(text), encoding="utf-8")
            seconds = _wait_for(url, lambda s, b: marker in b, timeout)
            result[name] = seconds
            if reindexes and seconds is not None:
                def since() -> str:
                    with open(log_path, "rb") as f:
                        f.seek(logged)
                        return f.read().decode("utf-8", "replace")
                searched: float | None = seconds
                if LATE in since():
                    while UPDATED not in since() and time.monotonic() - started < timeout:
                        time.sleep(0.1)
                    searched = time.monotonic() - started if UPDATED in since() else None
                result[name.replace("_s", "_search_s")] = searched
            result[name.replace("_s", "_cpu_s")] = _cpu_seconds(process.pid) - cpu
            index = result.get(name.replace("_s", "_search_s"))
            log(f"serve {label}: {name}: {'timeout' if seconds is None else f'{seconds:.1f} s'}"
                f"{f', search index {index:.1f} s' if index is not None else ''} "
                f"(server CPU {result[name.replace('_s', '_cpu_s')]:.1f} s; load {os.getloadavg()[0]:.1f})")
            time.sleep(1)

        dump = corpus / source.dump
        lines = dump.read_text(encoding="utf-8").split("\n")
        line = next(i for i in range(source.line - 1, len(lines)) if paper.abstract[:40] in lines[i])
        edit("dump_edit_s", dump, lambda t: "\n".join(lines[:line] + [lines[line] + " Benchmarkmarkerone."] +
                                                      lines[line + 1:]),
             paper_url, "Benchmarkmarkerone", reindexes=True)
        theme_url = f"{base}themes/{theme.slug}/"
        edit("themes_edit_s", corpus / "themes.yml",
             lambda t: t.replace(theme.description, theme.description + " Benchmarkmarkertwo", 1),
             theme_url, "Benchmarkmarkertwo")
        edit("docs_edit_s", project / "docs" / "about.md", lambda t: t + "\n\nBenchmarkmarkerthree.\n",
             f"{base}about/", "Benchmarkmarkerthree", reindexes=True)
        # A broken edit: the served site should say what is wrong, and the next good edit recover.
        themes_path = corpus / "themes.yml"
        good = themes_path.read_text(encoding="utf-8")
        themes_path.write_text(good + "\n  - name: [unclosed\n", encoding="utf-8")
        seconds = _wait_for(f"{base}about/", lambda s, b: "themes.yml" in b and ("rror" in b), 60)
        result["broken_edit_error_in_browser_s"] = seconds
        log(f"serve {label}: broken edit shown in the browser: {'no (60 s)' if seconds is None else f'{seconds:.1f} s'}")
        time.sleep(1)
        edit("recovery_s", themes_path, lambda t: good.replace("Benchmarkmarkertwo", "Benchmarkmarkerfour"),
             theme_url, "Benchmarkmarkerfour")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        out.close()
    return result


# --------------------------------------------------------------------------- running one alone

def run_only(what: str, papers: str, themes: str, seed: int) -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    if what == "all":
        return run_all(seed)
    results = {}
    for n in [p.strip() for p in papers.split(",") if p.strip()]:
        if what == "build":
            r = measure_build(n, seed)
            print(f"{r['n']} papers: whole build {r['build']['wall_s']:.1f} s, floor {r['floor']['wall_s']:.1f} s, "
                  f"build/floor {r['build_over_floor']:.2f} (CPU {r['build_over_floor_cpu']:.2f}); generator "
                  f"{r['generator']['papers_per_s'] or 0:.0f} papers/s; peak RSS all processes "
                  f"{r['build']['peak_tree_rss_mb']:.0f} MB (largest one {r['build']['peak_rss_mb']:.0f} MB)")
        elif what == "rebuild":
            r = measure_rebuild(n, seed)
            for name in ("nothing_changed", "one_added"):
                x = r[name]
                print(f"{r['n']} papers, {name}: {x['wall_s']:.1f} s = {x['percent_of_full']:.0f}% of the full "
                      f"{r['full']['wall_s']:.1f} s; {x['rewritten']} of {x['files']} files rewritten, "
                      f"{len(x['content_changed'])} changed, +{len(x['added'])} -{len(x['removed'])}; "
                      f"pages rendered {x.get('pages_rendered')}; floor {r['floor']['wall_s']:.1f} s")
        elif what == "themes":
            r = measure_themes([int(c) for c in themes.split(",")], n, seed)
            for row in r["rows"]:
                print(f"{r['corpus']} with {row['themes']} themes: {row['wall_s']:.1f} s, "
                      f"{row['peak_tree_rss_mb']:.0f} MB all processes")
        elif what == "serve":
            r = measure_serve(n, seed)
            print(json.dumps(r, indent=1))
        else:
            raise SystemExit(f"--only {what}: expected build, rebuild, themes or serve")
        results[_label(n)] = r
        if what == "themes":
            break
    path = WORK / f"only-{what}-{'-'.join(results)}.json"
    path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    log(f"wrote {path}")
    return 0


# --------------------------------------------------------------------------- the whole suite and its report

SUITE = [("rebuild", "2000"), ("build", "10000"), ("serve", "374"), ("themes", "374"), ("build", "2000"),
         ("build", "374"), ("serve", "10000")]
THEME_COUNTS = [0, 100, 400]
BEFORE = Path(__file__).resolve().parent / "results-before.json"


def run_all(seed: int = SEED) -> int:
    """Every target, one after the other (most telling first); results.json and results.md after each."""
    import datetime as dt
    import platform

    from bench.run import BENCH, machine_info

    started = time.perf_counter()
    info = machine_info()
    results: dict = {"machine": info, "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                     "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                              text=True).stdout.strip(), "python": platform.python_version()}
    for what, n in SUITE:
        log(f"--- {what} {n}")
        try:
            if what == "build":
                results[f"build-{_label(n)}"] = measure_build(n, seed)
            elif what == "rebuild":
                results[f"rebuild-{_label(n)}"] = measure_rebuild(n, seed)
            elif what == "themes":
                results["themes"] = measure_themes(THEME_COUNTS, n, seed)
            elif what == "serve":
                results[f"serve-{_label(n)}"] = measure_serve(n, seed)
        except Exception as error:  # report it and go on: one failure must not lose the run
            results[f"{what}-{_label(n)}"] = {"error": f"{type(error).__name__}: {error}"}
        results["load_average_at_end"] = os.getloadavg()
        results["minutes"] = (time.perf_counter() - started) / 60
        (BENCH / "results.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
        write_report(results)
    log("done: bench/results.md, bench/results.json")
    return 0


def _f(value, digits=1, unit="") -> str:
    return "–" if value is None else f"{value:,.{digits}f}{unit}"


def write_report(after: dict) -> None:
    """bench/results.md: each target with its figure before and after, and the floor of the same run beside it."""
    from bench.run import BENCH

    before = json.loads(BEFORE.read_text(encoding="utf-8")) if BEFORE.exists() else {}
    m = after["machine"]
    lines = [
        "# Paper Atlas: speed targets (issue 15)", "",
        f"Measured {after['started']} on {m['cpu_count']} CPUs ({m.get('machine', '')}), Python {after['python']}, "
        f"MkDocs {m.get('mkdocs')}, Material {m.get('mkdocs_material')}, Pagefind {m.get('pagefind')}; commit "
        f"{after['commit']} (work tree). Load average at start {', '.join(f'{x:.1f}' for x in m['load_average_at_start'])}"
        f", at end {', '.join(f'{x:.1f}' for x in after.get('load_average_at_end', []))}: the machine is shared, so "
        "wall times carry the other work's noise; CPU seconds (user + system, the build and the children it "
        "waited for) much less. Every ratio is taken against the floor measured in the same run.", "",
        f"Reproduce: `make bench` (= `python -m bench --only all`, {after.get('minutes', 0):.0f} minutes this run); "
        "each target alone: `python -m bench --only build|rebuild|themes|serve --papers N` (374 = the real corpus).",
        "", "BEFORE: main at ec2406c (before this work), measured with the same code of bench/ "
        f"({before.get('note', '')}).", "",
        *([("Where each figure comes from (the suite was run in parts on a shared machine; each part measured a "
             "snapshot of the work tree):"), ""] + [f"* {x}" for x in after["sources"]] + [""] if after.get("sources") else []),
        "## Targets", "",
        "| target | goal | before | after | floor, same run | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += _target_rows(after, before)
    lines += ["", "## Details", ""]
    for key, value in after.items():
        if isinstance(value, dict) and key not in ("machine",):
            lines += [f"### {key}", "", "```json", json.dumps(_short(value), indent=1, default=str)[:4000], "```", ""]
    (BENCH / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _short(value):
    """The details without long lists (file names)."""
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items() if k not in ("timers", "post_build_s", "log")}
    if isinstance(value, list) and len(value) > 8:
        return f"{len(value)} items"
    if isinstance(value, float):
        return round(value, 2)
    return value


def _target_rows(a: dict, b: dict) -> list[str]:
    rows = []

    def build_row(n: str, label: str) -> None:
        x, y = a.get(f"build-{n}", {}), b.get(f"build-{n}", {})
        if "build" not in x and "full" in a.get(f"rebuild-{n}", {}):  # the rebuild run's first, clean build
            r = a[f"rebuild-{n}"]
            x = {"build": r["full"], "floor": r["floor"], "build_over_floor": r["full"]["wall_s"] / r["floor"]["wall_s"],
                 "build_over_floor_cpu": r["full"]["cpu_s"] / r["floor"]["cpu_s"]}
        if "build" not in x:
            return
        ratio, cpu = x["build_over_floor"], x["build_over_floor_cpu"]
        rows.append(f"| whole build / floor at {label} | ≤ 2.0× | {y.get('text', '–')} | {ratio:.2f}× "
                    f"({x['build']['wall_s']:.1f} s; CPU {cpu:.2f}×, {x['build']['cpu_s']:.1f} s) | "
                    f"{x['floor']['wall_s']:.1f} s (CPU {x['floor']['cpu_s']:.1f} s) | {'yes' if ratio <= 2 else 'NO'} |")

    build_row("2000", "2,000 papers")
    build_row("10000", "10,000 papers")
    x, y = a.get("build-10000", {}), b.get("build-10000", {})
    if "generator" in x:
        pps = x["generator"]["papers_per_s"] or 0
        rows.append(f"| generator stage at 10,000 papers (empty cache) | ≥ 2,000 papers/s | {y.get('papers_per_s', '–')} "
                    f"papers/s | {pps:,.0f} papers/s ({x['generator']['total_s']:.1f} s) | | {'yes' if pps >= 2000 else 'NO'} |")
        mb = x["build"]["peak_tree_rss_mb"]
        rows.append(f"| peak memory of the whole build at 10,000, Pagefind included (all processes together) | ≤ 1 GB | "
                    f"{y.get('peak_mb', '–')} MB | {mb:,.0f} MB (largest single process {x['build']['peak_rss_mb']:,.0f} MB) "
                    f"| floor {x['floor']['peak_tree_rss_mb']:,.0f} MB | {'yes' if mb <= 1024 else 'NO'} |")
    t, tb = a.get("themes", {}).get("rows"), b.get("themes", {}).get("rows", [])
    if t:
        def fmt(rows_):
            return "; ".join(f"{r['themes'] or 'real (10)'}: {r['wall_s']:.0f} s, CPU {r['cpu_s']:.0f} s, "
                             f"{r['peak_tree_rss_mb']:,.0f} MB" for r in rows_) or "–"
        base, top = t[0], t[-1]
        linear = top["peak_tree_rss_mb"] / base["peak_tree_rss_mb"] <= max(1.0, (top["themes"] or 10) / 10)
        rows.append(f"| memory against the number of themes (real corpus, 374 papers) | no faster than linear | "
                    f"{fmt(tb)} | {fmt(t)} | | {'yes' if linear else 'NO'} |")
    for n, label in (("2000", "2,000"), ("real", "374")):
        x, y = a.get(f"rebuild-{n}", {}), b.get(f"rebuild-{n}", {})
        if "full" not in x:
            continue
        same, added, full = x["nothing_changed"], x["one_added"], x["full"]
        ys, ya = y.get("nothing_changed", {}), y.get("one_added", {})

        def pct(r, f):
            return f"{100 * r['wall_s'] / f['wall_s']:.0f}% ({r['wall_s']:.1f} of {f['wall_s']:.1f} s; CPU " \
                   f"{100 * r['cpu_s'] / f['cpu_s']:.0f}%)"
        yfull = y.get("full")
        rows.append(f"| nothing changed at {label}: files rewritten, time / full build | 0 files, ≤ 20% | "
                    + (f"{ys['rewritten']} of {ys['files']} files, {pct(ys, yfull)}" if ys else "–")
                    + f" | {same['rewritten']} of {same['files']} files, {pct(same, full)} | "
                    f"{x['floor']['wall_s']:.1f} s | {'yes' if same['rewritten'] == 0 and same['wall_s'] <= 0.2 * full['wall_s'] else 'NO'} |")
        rows.append(f"| one paper added at {label}: time / full build | ≤ 25% | "
                    + (f"{pct(ya, yfull)}" if ya else "–")
                    + f" | {pct(added, full)}; {len(added['content_changed'])} files changed, +{len(added['added'])} "
                    f"-{len(added['removed'])} | {x['floor']['wall_s']:.1f} s | "
                    f"{'yes' if added['wall_s'] <= 0.25 * full['wall_s'] else 'NO'} (wall); "
                    f"{'yes' if added['cpu_s'] <= 0.25 * full['cpu_s'] else 'NO'} (CPU) |")
    for n, label, goal in (("real", "374", 3), ("10000", "10,000", 15)):
        x, y = a.get(f"serve-{n}", {}), b.get(f"serve-{n}", {})
        if "dump_edit_s" not in x and "error" not in x:
            continue
        if "error" in x:
            rows.append(f"| `mkdocs serve` at {label} | | | error: {x['error'][:200]} | | NO |")
            continue
        for name, what in (("dump_edit_s", "a dump"), ("themes_edit_s", "themes.yml"), ("docs_edit_s", "a docs page"),
                           ("recovery_s", "the good edit after a broken one")):
            v, w = x.get(name), y.get(name)
            cpu, searched = x.get(name.replace("_s", "_cpu_s")), x.get(name.replace("_s", "_search_s"))
            index = (f"; search index served after {_f(searched, 1, ' s')}" if searched is not None
                     else "; search index: timeout" if name.replace("_s", "_search_s") in x else "")
            rows.append(f"| `mkdocs serve` at {label}: edit {what} → served page shows it | ≤ {goal} s | "
                        f"{_f(w, 1, ' s') if w is not None else ('timeout' if name in y else '–')} | "
                        f"{_f(v, 1, ' s') if v is not None else 'timeout'} (server CPU {_f(cpu, 1, ' s')}{index}) | | "
                        f"{'yes' if v is not None and v <= goal else 'NO'} |")
        v, w = x.get("broken_edit_error_in_browser_s"), y.get("broken_edit_error_in_browser_s", "–")
        rows.append(f"| `mkdocs serve` at {label}: a broken themes.yml shows its error in the browser | shown | "
                    f"{'not shown in 60 s' if w is None else w} | {'not shown in 60 s' if v is None else f'shown after {v:.1f} s'}"
                    f" | | {'yes' if v is not None else 'NO'} |")
    return rows
