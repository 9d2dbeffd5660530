"""`python -m generator build ...` with stopwatches: where the whole build's time goes.

    python -m bench.timed_build REPORT.json build --corpus DIR --site DIR

Runs generator.cli.main(["build", ...]) unchanged (the same code path as
`python -m generator build`) after wrapping, without changing what they do:

* generator.corpus.start_loading and load_corpus (both as load_corpus) and
  generator.render.site.generate, before cli and the hook import them, so
  calls from the CLI and from the hook are timed separately (a generator's
  time is the time spent in its next());
* mkdocs.commands.build.build, the whole MkDocs build;
* every MkDocs event handler (plugins and hooks), by event and owner.

The stopwatch totals, and the peak RSS of this process and of its children
(Pagefind), go to REPORT.json when the process ends.
"""

from __future__ import annotations

import atexit
import functools
import json
import sys
import time
from collections import defaultdict

timings: dict[str, float] = defaultdict(float)
counts: dict[str, int] = defaultdict(int)
_stack: list[str] = []  # which timed function we are in, to tell CLI calls from hook calls


def _where() -> str:
    return "hook" if "mkdocs_build" in _stack else "cli"


def _timed_function(name: str, function, where: bool = True):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        key = f"{name}[{_where()}]" if where else name
        _stack.append(name)
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings[key] += time.perf_counter() - started
            counts[key] += 1
            _stack.pop()
    return wrapper


def _timed_iterator(name: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        key = f"{name}[{_where()}]"
        counts[key] += 1
        started = time.perf_counter()
        iterator = iter(function(*args, **kwargs))
        timings[key] += time.perf_counter() - started
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                timings[key] += time.perf_counter() - started
                return
            timings[key] += time.perf_counter() - started
            yield item
    return wrapper


def _time_events(config) -> None:
    """Wrap each registered MkDocs event handler with a stopwatch keyed by event and owner."""
    plugins = config.plugins
    origins = getattr(plugins, "_event_origins", {})
    for event, methods in plugins.events.items():
        for i, method in enumerate(methods):
            owner = origins.get(method, "?")
            wrapped = _timed_function(f"event:{event}:{owner}", method, where=False)
            methods[i] = wrapped
            if isinstance(origins, dict):
                origins[wrapped] = owner


def install() -> None:
    import mkdocs.commands.build
    import mkdocs.config

    import generator.corpus
    import generator.render.site

    generator.corpus.load_corpus = _timed_function("load_corpus", generator.corpus.load_corpus)
    generator.corpus.start_loading = _timed_function("load_corpus", generator.corpus.start_loading)
    generator.render.site.generate = _timed_iterator("generate", generator.render.site.generate)
    mkdocs.commands.build.build = _timed_function("mkdocs_build", mkdocs.commands.build.build, where=False)
    real_load_config = mkdocs.config.load_config

    @functools.wraps(real_load_config)
    def load_config(*args, **kwargs):
        config = real_load_config(*args, **kwargs)
        _time_events(config)
        return config

    mkdocs.config.load_config = load_config


def main() -> int:
    report, argv = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()

    def dump() -> None:
        import resource

        timings["process"] = time.perf_counter() - started
        peaks = {"self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                 "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
        with open(report, "w", encoding="utf-8") as out:
            json.dump({"seconds": dict(timings), "calls": dict(counts), "peak_rss_mb": peaks}, out, indent=1,
                      sort_keys=True)

    atexit.register(dump)
    install()
    from generator.cli import main as cli_main  # imported after install(): it binds the wrapped functions

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
