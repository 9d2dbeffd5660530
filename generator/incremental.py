"""Incremental builds: a content-keyed cache of what a build makes.

* Pages: the HTML MkDocs made of each generated page. A page's HTML is a
  function of its Markdown, its address and everything else that goes into
  every page: the generator's own code, mkdocs.yml (with the environment
  variables it reads), docs/ (templates, styles, the addresses of hand-written
  pages, and their text when the nav takes a title from it: `_docs_tree`) and the
  versions of Python, MkDocs, Material and Python-Markdown. `page_key` hashes
  all of it, so a cached page is used only when MkDocs would make the same
  bytes again.
* Results of pure functions (`memo`): the charts and the related papers,
  keyed by the generator's code and their arguments (`code_key`: not
  mkdocs.yml or docs/, which these results do not read, so editing a page of
  docs/ computes none of them again). `memo_each` keeps the results of many
  calls of one function, the paper pages, from the last build in one file.
* Pagefind's output (`pagefind`), keyed by the pages it reads and its command.

Every entry carries the digest of its own bytes (a page's in its file name) and
is checked when read: a damaged entry is a miss, never a page. Nothing here
writes a file in place, so a page written in place through the site is the one
way an entry changes, and the check catches it.

`python -m generator build` and `mkdocs serve` turn it on (`enable`) and build
with MkDocs' `dirty` mode into an empty folder: pages found in the cache are
hard-linked into it (from the served folder or the last build's site when it
holds them under the same key, `served`, else from their checked cache entry)
and marked unmodified, so MkDocs renders neither their Markdown nor their
template. A page's cache entry is the site's file of the build that rendered
it, hard-linked (`PageCache`): a build writes each page once. Pages that some page links to with an #anchor are always
rendered, so MkDocs' anchor validation stays whole; the links of the pages taken
from the cache are checked here (`check_links`) as MkDocs checks rendered ones (finished HTML pages,
cached or not, by finished.check_links):
a broken one is a warning, and strict mode fails the build. Pages are kept only
from a build that warned of nothing (`store_pages`).

With nothing changed (the same inputs, `inputs_key`, and the site folder as the
last build left it), `generator build` does nothing at all (`up_to_date`).

Kept in `.cache/paper-atlas/` beside mkdocs.yml (git-ignored), or in
$PAPER_ATLAS_CACHE. Deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import logging
import os
import posixpath
import re
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from generator import finished, write

CACHE_ENV = "PAPER_ATLAS_CACHE"
CACHE_DIR = Path(".cache") / "paper-atlas"
FORMAT = b"paper-atlas-page-cache 2\n"  # bump when the entry layout changes
PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "paper-atlas")
log = logging.getLogger("mkdocs.plugins.paper_atlas")


def cache_dir(config_file: str | Path) -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path(config_file).parent / CACHE_DIR)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _tree(folder: Path) -> list[bytes]:
    """Every file of a folder as name and bytes, in a fixed order (caches and bytecode left out): the order of
    sorted(folder.rglob("*")), walked with os.scandir (Path objects cost 1.5 s over the 10,000 files of
    Pagefind's index at 10,000 papers, at the end of each build). Names need not be UTF-8."""
    out: list[bytes] = []

    def walk(path: bytes, name: bytes) -> None:
        try:
            with os.scandir(path) as found:
                entries = sorted(found, key=lambda entry: os.fsdecode(entry.name))  # (as Path sorts: by str)
        except PermissionError:  # (rglob passes over a folder it may not read)
            return
        for entry in entries:
            if entry.name == b"__pycache__":
                continue
            if entry.is_dir() and not entry.is_symlink():  # (rglob does not enter linked folders)
                walk(entry.path, name + entry.name + b"/")
            elif entry.is_file() and os.path.splitext(entry.name)[1] != b".pyc":  # (".pyc" alone: no suffix)
                with open(entry.path, "rb") as handle:
                    out.extend((name + entry.name, handle.read()))

    if folder.is_dir():
        walk(os.fsencode(folder), b"")
    return out


_ENV_TAG = re.compile(r"!ENV\s*(\[[^\]]*\]|\S+)")
_DOCS_DIR = re.compile(r"^docs_dir:\s*['\"]?([^'\"#\s]+)", re.M)


def code_key() -> str:
    """The generator's own code and the versions of what runs it: what a pure function of the generator's
    data (`memo`) depends on besides its arguments."""
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=none".encode())
    return _digest(FORMAT, sys.version.encode(), *versions, *_tree(Path(__file__).resolve().parent))


def site_key(config_file: str | Path, code: str | None = None) -> str:
    """What every page depends on besides its own Markdown (see the module's docstring): taken from the
    files themselves, so it costs no MkDocs start-up. mkdocs.yml is hashed with the values of the
    environment variables it reads (`!ENV`). `code`: code_key(), when the caller has it already."""
    text, env, docs_dir = _config(config_file)
    return _digest((code or code_key()).encode(), text, *env, *_docs_tree(docs_dir, text.decode("utf-8", "replace")))


def _config(config_file: str | Path) -> tuple[bytes, list[bytes], Path]:
    """mkdocs.yml's bytes, the values of the environment variables it reads, and its docs folder."""
    config_file = Path(config_file)
    text = config_file.read_bytes()
    names = sorted({name for tag in _ENV_TAG.findall(text.decode("utf-8", "replace"))
                    for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", tag)})
    env = [f"{name}={os.environ.get(name)}".encode() for name in names]
    docs = _DOCS_DIR.search(text.decode("utf-8", "replace"))
    return text, env, config_file.parent / (docs[1] if docs else "docs")


_MARKDOWN = {".md", ".markdown", ".mdown", ".mkdn", ".mkd"}  # mkdocs.utils.markdown_extensions


def _docs_tree(docs_dir: Path, config_text: str) -> list[bytes]:
    """docs/ as every other page sees it: templates, styles and scripts whole; of a hand-written page, its
    address, and its text only when the nav may take the page's title from it (MkDocs renders the nav,
    titles included, into every page). A page the nav lists as `- Title: path` gives other pages nothing
    but its address, so editing it renders no generated page again; MkDocs renders the page itself on
    every build, and the links to it are checked on every build (check_links)."""
    out = _tree(docs_dir)
    for i in range(0, len(out), 2):
        name = os.fsdecode(out[i])
        if Path(name).suffix.lower() in _MARKDOWN and re.search(
                rf"^\s*-\s*[^\s:#'\"][^:#\n]*:\s*['\"]?{re.escape(Path(name).as_posix())}['\"]?\s*(#.*)?$",
                config_text, re.M):
            out[i + 1] = b"titled in the nav"
    return out


def page_key(site: str, src_uri: str, markdown: str) -> str:
    return _digest(site.encode(), src_uri.encode(), markdown.encode("utf-8", "surrogatepass"))


class EntryCache:
    """key -> bytes, one file per key holding its digest; every entry checked against its digest when read."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, key: str) -> Path:
        raise NotImplementedError

    def get(self, key: str) -> bytes | None:
        return self.get_file(self._path(key))

    @staticmethod
    def get_file(path: Path) -> bytes | None:
        """An entry's bytes, or None when the file is missing, damaged or of another layout."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not data.startswith(FORMAT):
            return None
        digest, _, body = data[len(FORMAT):].partition(b"\n")
        return body if digest.decode("ascii", "replace") == _digest(body) else None

    def put(self, key: str, data: bytes) -> None:
        write.write_bytes(self._path(key), FORMAT + _digest(data).encode() + b"\n" + data)

    def has(self, key: str) -> bool:
        """Whether `key` has an entry file (not checked: `get` checks it)."""
        return self._path(key).is_file()


class PageCache:
    """key -> a rendered page's HTML: the site's page file itself, hard-linked into the cache as
    pages/<key[:2]>/<key>-<digest of its bytes>.html (a copy where the cache lies on another file system), so
    a build writes each page once, not a second time for the cache (270 MB at 10,000 papers). A page is
    checked against the digest in its name when read, and so is found damaged even when it was written in
    place through the site (the touched-site test): it is then a miss, removed, and rendered again."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _folder(self, key: str) -> Path:
        return self.folder / "pages" / key[:2]

    def entries(self, keys: list[str]) -> dict[str, Path]:
        """Those of `keys` that have an entry, and its file (not checked: `read` checks it), found by listing
        each folder of entries once, not by opening a file per key (a first build at 10,000 papers spent
        0.8 s trying to open 10,000 missing files)."""
        wanted = set(keys)
        found: dict[str, Path] = {}
        for folder in {self._folder(key) for key in wanted}:
            try:
                with os.scandir(folder) as listed:
                    names = sorted(entry.name for entry in listed)
            except OSError:  # no such folder: none of its keys
                continue
            for name in names:
                key, dash, rest = name.partition("-")
                if dash and key in wanted and rest.endswith(".html"):
                    found.setdefault(key, folder / name)
        return found

    @staticmethod
    def read(path: Path) -> tuple[bytes, os.stat_result] | None:
        """An entry's bytes and the state of its file when read, or None when it is missing or its bytes are
        not those its name holds the digest of (a damaged entry is removed)."""
        try:
            with open(path, "rb") as handle:
                state = os.fstat(handle.fileno())
                data = handle.read()
        except OSError:
            return None
        if path.name.partition("-")[2] == f"{_digest(data)}.html":
            return data, state
        with contextlib.suppress(OSError):
            path.unlink()
        return None

    def get(self, key: str) -> bytes | None:
        path = self.entries([key]).get(key)
        found = None if path is None else self.read(path)
        return None if found is None else found[0]

    def keep(self, key: str, digest: str, page: str) -> None:
        """The site's page file `page`, whose bytes have `digest`, becomes the entry of `key` (replacing one
        of that name, which may have been damaged)."""
        entry = self._folder(key) / f"{key}-{digest}.html"
        entry.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(page, entry)
        except FileExistsError:
            if not os.path.samefile(page, entry):
                _relink(page, entry)
        except FileNotFoundError:  # no page written (MkDocs skips a page whose output is empty): no entry
            return
        except OSError as error:
            if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.ENOSYS):
                raise
            write.write_bytes(entry, Path(page).read_bytes())  # another file system, or no hard links there

    def forget_others(self, kept: dict[str, str]) -> None:
        """Remove the entries of these keys other than the one kept (key -> its digest): an entry made from
        other bytes, and an entry of the layout before this one (`<key>.html`). Each folder is listed once."""
        by_folder: dict[Path, dict[str, str]] = {}
        for key, digest in kept.items():
            by_folder.setdefault(self._folder(key), {})[key] = f"{key}-{digest}.html"
        for folder, names in by_folder.items():
            try:
                with os.scandir(folder) as listed:
                    found = [entry.name for entry in listed]
            except OSError:
                continue
            for name in found:
                key = name.partition("-")[0].removesuffix(".html")
                if key in names and name != names[key]:
                    with contextlib.suppress(OSError):
                        os.unlink(folder / name)


def _relink(page: str, entry: Path) -> None:
    """`page` hard-linked as `entry` in place of the file there (atomically: linked beside it, renamed)."""
    near = entry.with_name(f".{entry.name}.{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        near.unlink()
    os.link(page, near)
    try:
        os.replace(near, entry)
    finally:
        with contextlib.suppress(FileNotFoundError):
            near.unlink()


class MemoCache(EntryCache):
    """Results of pure functions (charts, related papers), pickled; keyed by the function and its arguments."""

    def _path(self, key: str) -> Path:
        return self.folder / "memo" / key[:2] / f"{key}.pickle"


def _stable(value, seen: dict[int, bytes]) -> bytes:
    """Bytes that identify a value of the generator's own types, the same in every process (sets sorted).
    `seen` keeps the bytes of each (immutable) dataclass already met in this key."""
    if isinstance(value, (set, frozenset)):
        return b"set(" + b",".join(sorted(_stable(v, seen) for v in value)) + b")"
    if isinstance(value, dict):
        return b"dict(" + b",".join(_stable(k, seen) + b":" + _stable(v, seen) for k, v in value.items()) + b")"
    if isinstance(value, (list, tuple)):
        return type(value).__name__.encode() + b"(" + b",".join(_stable(v, seen) for v in value) + b")"
    if hasattr(value, "__dataclass_fields__"):
        known = seen.get(id(value))
        if known is None:
            known = seen[id(value)] = (type(value).__qualname__.encode() + b"(" + b",".join(
                _stable(getattr(value, f), seen) for f in value.__dataclass_fields__) + b")")
        return known
    if value is None or isinstance(value, (str, int, float, bool, bytes)) or hasattr(value, "isoformat"):
        return repr(value).encode("utf-8", "surrogatepass")
    raise TypeError(f"no stable key for {type(value).__name__}")


def _memo_key(build: Build, function, args: tuple) -> str:
    name = _qualified(function)
    parts = None
    if serving:
        try:
            # Under `mkdocs serve`, the bytes of each argument (a paper's part of the key) that the last build
            # keyed are found by equality: an edited dump keys its own papers only (0.8 s at 10,000 papers).
            parts = _STABLE.setdefault(name, ServeMemory(_stable_alone)).each(list(args))
        except TypeError:  # an argument that cannot be hashed
            pass
    if parts is None:
        parts = [_stable(a, seen) for seen in [dict[int, bytes]()] for a in args]
    return _digest(build.code.encode(), name.encode(), *parts)


def _stable_alone(value) -> bytes:
    return _stable(value, {})


def template_cache():
    """Compiled Jinja templates (Material's, for the hook's on_env, and the generator's, for its on_files)
    kept in the cache folder and in this process's memory, or None outside a build with a cache. Jinja keys
    each by its name and file and checks a checksum of its source before it uses one."""
    build = _build
    if build is None:
        return None
    import jinja2

    class TemplateCache(jinja2.FileSystemBytecodeCache):
        """Jinja's cache in a folder, and what this process compiled or read kept in memory too: a process
        that builds many sites, each with its own cache folder (the tests), compiles Material's templates
        once."""

        def load_bytecode(self, bucket) -> None:
            kept = _compiled.get(bucket.key)
            if kept is not None:
                bucket.bytecode_from_string(kept)  # (Jinja drops it if the source's checksum differs)
            if bucket.code is None:
                super().load_bytecode(bucket)
                if bucket.code is not None:
                    _compiled[bucket.key] = bucket.bytecode_to_string()

        def dump_bytecode(self, bucket) -> None:
            super().dump_bytecode(bucket)
            _compiled[bucket.key] = bucket.bytecode_to_string()

    folder = build.cache.folder / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    return TemplateCache(str(folder))


_compiled: dict[str, bytes] = {}  # Jinja's cache key -> compiled template, as template_cache stores it


def memo(function, *args, key: tuple | None = None):
    """function(*args), taken from the cache when this build has one and the same call was made before.
    Only for pure functions of the generator's own data: the key is the generator's code and the arguments,
    or `key`: the part of the arguments the result depends on (as in memo_later), cheaper to key. Under
    `mkdocs serve` equal arguments stand for the same call (as in ServeMemory): they must be values whose
    equality means the same input (text, tuples of text; not 1 and 1.0)."""
    import pickle

    build = _build
    if build is None:
        return function(*args)
    name, given = _qualified(function), args if key is None else key
    # Under `mkdocs serve`, the last call of this build's code, found by equal arguments: no key to make
    # (1 s at 10,000 papers for the related papers, their shared terms and the search vocabulary).
    if not serving:
        _memo_by_args.pop(name, None)  # (what a served build of this process left)
    last = _memo_by_args.get(name)
    if last is not None and last[0] == build.code and last[1] == given:
        return last[2]
    cache, entry = MemoCache(build.cache.folder), _memo_key(build, function, given)
    data = cache.get(entry)
    if data is not None:
        result = pickle.loads(data)
    else:
        result = function(*args)
        cache.put(entry, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    if serving:
        _memo_by_args[name] = (build.code, given, result)
    return result


# memo's key parts by function (each function's arguments are remembered apart from the others').
_STABLE: dict[str, ServeMemory] = {}


# Under `mkdocs serve`: memo's last call of each function (the code's key, the arguments or their given key,
# the result, which callers only read).
_memo_by_args: dict[str, tuple[str, tuple, Any]] = {}


# memo_each's files as this process last wrote or read them: path -> (its stat, its entries)
_each: dict[Path, tuple[tuple[int, int, int], dict[str, Any]]] = {}


def memo_each(function, calls: list[tuple], context: object = None) -> list:
    """[function(*args) for args in calls], each result taken from the last build when it made the same call
    (a rebuild after a small edit renders only the pages whose inputs changed). The results of one build
    are kept in one file per function, replaced by the next build's: the cache does not grow with edits.
    Under `mkdocs serve` the entries also stay in memory between rebuilds. Only for pure functions of the
    generator's own data, as `memo`; `context`: for a bound method, everything it reads of its object, as a
    value of the generator's own types (keyed once, with every call)."""
    return _memo_each(function, calls, context, helped=False)()


def memo_each_helped(function, calls: list[tuple]) -> Callable[[], list]:
    """memo_each(function, calls) as a function returning the results: when this build has a helper (a
    one-off build of many pages: start_helper) and at least HELPED_AT_LEAST calls are not in the cache, the
    helper makes half of them, on the second core, while this process makes the other half and goes on
    with its work until it asks for the results. `function` must be a module-level function, and its
    arguments picklable (they are: memo_each keys them by their pickles)."""
    return _memo_each(function, calls, None, helped=True)


HELPED_AT_LEAST = 500  # fewer calls than that cost less than the helper's start (at most 0.2 s at 374 papers)
HELPED_SHARE = 0.5  # the helper's share of the calls to make
# Child processes started early in a one-off build (the hook's on_files), which import what they need
# meanwhile, by what they are for: "pages" (memo_each_helped, when the corpus is big), "charts" (memo_later).
# Each is taken by the call it is for, and stopped at the build's end (disable) if unused, or still at work
# for a build that failed.
_helpers: dict[str, Any] = {}
_taken: list[Any] = []


def start_helper(name: str, preload: tuple[str, ...], unless_made: Callable | None = None) -> None:
    """Start this build's helper `name`, importing `preload` (in a one-off build with a cache only: under
    `mkdocs serve` a rebuild makes few pages, and the process's worker keeps matplotlib between rebuilds).
    `unless_made`: a function whose memo_each results the cache holds already says that this is a rebuild,
    which makes little: no helper is started to compete with the build's other child processes for nothing
    (a rebuild after a change of the generator's code makes everything again, without helpers)."""
    if _build is None or serving or name in _helpers:
        return
    if unless_made is not None and made_before(unless_made):
        return
    from generator.children import Worker

    _helpers[name] = Worker(preload)


def made_before(function) -> bool:
    """Whether this build's cache holds memo_each's results of `function` from an earlier build (a rebuild)."""
    return _build is not None and _each_path(_build, function).exists()


def take_helper(name: str) -> Any:
    """This build's helper `name`, for the caller to use (or stop), or None."""
    helper = _helpers.pop(name, None)
    if helper is not None:
        _taken.append(helper)
    return helper


def stop_helper() -> None:
    """The build's helpers stop: unused ones, and any still at work for a build that failed (a finished
    one is ending by itself); calls begun by begin_later and not taken are forgotten."""
    _begun.clear()
    while _helpers:
        _helpers.popitem()[1].stop()
    while _taken:
        helper = _taken.pop()
        if helper.alive():
            helper.stop()


def _each_of_pickled(function, pickled: list[bytes]) -> list:
    """In the helper: function(*args) for each of the pickled arguments."""
    import pickle

    return [function(*pickle.loads(data)) for data in pickled]  # noqa: S301 (our parent's)


def _memo_each(function, calls: list[tuple], context: object, helped: bool) -> Callable[[], list]:
    import pickle

    build = _build
    if build is None:
        results = [function(*args) for args in calls]
        return lambda: results
    name = _qualified(function)
    # Pickled arguments as the key (faster than _stable, which matters per page): equal bytes unpickle to
    # equal arguments, so a key never stands for other inputs; equal arguments pickled differently (objects
    # shared differently) would only be a miss.
    shared = _digest(build.code.encode(), name.encode(), _stable(context, {})).encode()
    # Under `mkdocs serve`, the calls of the last build by their (equal) arguments: found without pickling
    # them (2 s at 10,000 paper pages). Arguments that cannot be hashed are keyed as below.
    if not serving:
        _each_by_args.pop(name, None)  # (what a served build of this process left)
    last = _each_by_args.get(name)
    remembered = last[1] if last is not None and last[0] == shared else {}

    pickled: dict[int, bytes] = {}  # the arguments of the calls keyed here, by their place in `calls`

    def key_of(i: int, args: tuple) -> str:
        pickled[i] = data = pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)
        return _digest(shared, data)

    found, hashable = [], []
    for args in calls:
        try:
            found.append(remembered.get(args))
            hashable.append(True)
        except TypeError:  # arguments that cannot be hashed
            found.append(None)
            hashable.append(False)
    keys = [hit[0] if hit is not None else key_of(i, args)
            for i, (hit, args) in enumerate(zip(found, calls, strict=True))]
    path = _each_path(build, function)
    known = _each_entries(path)
    missing = [i for i, (hit, key) in enumerate(zip(found, keys, strict=True)) if hit is None and key not in known]
    helper, call, shared_out = take_helper("pages") if helped else None, None, []
    if helper is not None:
        if len(missing) < HELPED_AT_LEAST:
            helper.stop()
        else:
            from generator.children import Call

            shared_out = missing[:int(len(missing) * HELPED_SHARE)]
            call = Call(_each_of_pickled, function, [pickled[i] for i in shared_out], worker=helper)
    pickled.clear()  # (40 MB of paper pages' inputs at 10,000 papers, kept no longer than needed)
    theirs = set(shared_out)
    results = [hit[1] if hit is not None else known[key] if key in known else None if i in theirs
               else function(*args) for i, (hit, key, args) in enumerate(zip(found, keys, calls, strict=True))]

    def finish() -> list:
        if call is not None:
            try:
                theirs_made = call.result()
            except RuntimeError:  # (a call that failed there fails here too, with its own error for the user)
                theirs_made = [function(*calls[i]) for i in shared_out]
            for i, result in zip(shared_out, theirs_made, strict=True):
                results[i] = result
        made = dict(zip(keys, results, strict=True))
        if serving:
            _each_by_args[name] = (shared, {args: (key, result) for args, key, result, ok
                                            in zip(calls, keys, results, hashable, strict=True) if ok})
        if made.keys() != known.keys():
            # By the cache's writer thread, while MkDocs renders the pages; store_pages waits for it. Until it
            # is written, this process reads the entries from memory.
            _each_writing[path] = made
            build.writes.append(_writer().submit(_write_each, path, made))
        return results

    return finish


def _each_path(build: Build, function) -> Path:
    """memo_each's file of `function`'s results."""
    return build.cache.folder / "memo" / f"each-{_qualified(function)}.pickle"


def _qualified(function) -> str:
    """A function's name in the cache: its module and qualified name."""
    return f"{function.__module__}.{function.__qualname__}"


# Under `mkdocs serve`: memo_each's calls of the last build, by function: (the key's shared part,
# {arguments: (key, result)}).
_each_by_args: dict[str, tuple[bytes, dict[tuple, tuple[str, Any]]]] = {}


# memo_each's files being written, with the entries they will hold.
_each_writing: dict[Path, dict[str, Any]] = {}


def _write_each(path: Path, made: dict[str, Any]) -> None:
    import pickle

    try:
        data = pickle.dumps(_stored(made), protocol=pickle.HIGHEST_PROTOCOL)
        write.write_bytes(path, FORMAT + _digest(data).encode() + b"\n" + data)
        _each[path] = (_stat(path), made)
    finally:
        if _each_writing.get(path) is made:
            del _each_writing[path]


def _stored(made: dict[str, Any]) -> dict[str, tuple[bool, Any]]:
    """memo_each's results as its file holds them: a text result as its UTF-8 bytes (True), anything else as it is
    (False). Pickling a text that is not ASCII makes Python keep a UTF-8 copy of it inside the text for as long as
    the text lives (pickle asks for it with PyUnicode_AsUTF8AndSize, which keeps what it makes): the paper pages,
    each holding a character beyond ASCII, were held twice over to the end of the build (about 100 MB at
    10,000 papers). Bytes made by `encode` are let go once written."""
    return {key: (True, value.encode("utf-8", "surrogatepass")) if type(value) is str else (False, value)
            for key, value in made.items()}


def _results(stored: dict[str, tuple[bool, Any]]) -> dict[str, Any]:
    """memo_each's results from what its file holds (`_stored`)."""
    return {key: value.decode("utf-8", "surrogatepass") if text else value for key, (text, value) in stored.items()}


def _stat(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _each_entries(path: Path) -> dict[str, Any]:
    """memo_each's file: from memory when this process wrote or read it as it is, else read and checked
    against its digest (a damaged or foreign file is no entries)."""
    import pickle

    writing = _each_writing.get(path)
    if writing is not None:
        return writing
    try:
        stat = _stat(path)
    except OSError:
        return {}
    kept = _each.get(path)
    if kept is not None and kept[0] == stat:
        return kept[1]
    data = EntryCache.get_file(path)
    entries = _results(pickle.loads(data)) if data is not None else {}
    _each[path] = (stat, entries)
    return entries


# Calls begun by begin_later, by function: (their cache key, their helper, the function returning the result).
_begun: dict[str, tuple[str, Any, Callable]] = {}


def begin_later(function, *args, key: tuple, start: Callable[[], Any]) -> None:
    """memo_later(function, *args, key=key) begun now, before the caller has all the arguments a later
    memo_later call of the function will have: that call takes it when its key is the same (the result
    depends on the key's parts only), else stops it and computes its own. Nothing is begun when the cache
    holds the result (an entry found damaged later is computed then) or the same call is begun already;
    else `start()` gives the helper to make it in (take_helper), or None: not now. A call of the function
    begun before is replaced; one not taken by the build's end is forgotten, its helper stopped
    (stop_helper)."""
    build = _build
    if build is None:
        return
    name, entry = _qualified(function), _memo_key(build, function, key)
    begun = _begun.get(name)
    if (begun is not None and begun[0] == entry) or MemoCache(build.cache.folder).has(entry):
        return
    worker = start()
    if worker is None:
        return
    if begun is not None:
        begun[1].stop()
    _begun[name] = (entry, worker, _later(build, function, args, entry, worker, here=False))


def memo_later(function, *args, key: tuple | None = None, worker=None, here: bool = False):
    """A function that returns function(*args): from the cache when it holds the call, else computed in a
    child process (generator.children.Call) that runs while this one goes on. Outside a build with a cache,
    or when `here` (this process has what the function imports, which a child would import again), it is
    computed here, when asked for (no process to start for a test or a one-off render).

    `key`, if given, stands for the arguments in the cache key: the part of them the result depends on
    (the charts read the papers' dates and first themes, not their text), so that an edit of anything
    else finds the result cached. `worker`: a child process of the call's own, started earlier
    (children.Worker), stopped when the cache holds the result, it is computed `here`, or there is no
    build."""
    build = _build
    if build is None:
        if worker is not None:
            worker.stop()
        return lambda: function(*args)
    key_ = _memo_key(build, function, args if key is None else key)
    begun = _begun.pop(_qualified(function), None)
    if begun is not None:
        if begun[0] == key_:  # (begin_later's, for the same key)
            if worker is not None:
                worker.stop()
            return begun[2]
        begun[1].stop()
    return _later(build, function, args, key_, worker, here)


def _later(build: Build, function, args: tuple, key_: str, worker, here: bool) -> Callable:
    """memo_later's work once its cache key is made."""
    import pickle

    cache = MemoCache(build.cache.folder)
    data = cache.get(key_)
    if worker is not None and (data is not None or here):
        worker.stop()
    if data is not None:
        result = pickle.loads(data)
        return lambda: result
    from generator.children import Call

    call = None if here else Call(function, *args, worker=worker)

    def finish():
        result = function(*args) if call is None else call.result()
        cache.put(key_, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        return result

    return finish


@dataclass
class Build:
    """What one build took from the cache and what it adds to it."""

    cache: PageCache
    site: str
    code: str  # code_key(): what memo results depend on besides their arguments
    reused: dict[str, str] = field(default_factory=dict)  # src_uri -> Markdown of pages taken from the cache
    pending: dict[str, str] = field(default_factory=dict)  # src_uri -> key of pages MkDocs renders
    rendered: dict[str, tuple[str, Future]] = field(default_factory=dict)  # key -> (site file, digest) of the
    # pages MkDocs rendered, kept by store_pages
    placed: dict[str, str] = field(default_factory=dict)  # dest_uri -> key of the pages taken from the cache
    made: dict[str, str] = field(default_factory=dict)  # dest_uri -> key of the pages MkDocs rendered
    generated: int = 0
    files: Any = None  # MkDocs' Files of this build
    warnings: _Counter = field(default_factory=lambda: _Counter(logging.WARNING))
    writes: list[Future] = field(default_factory=list)  # the pages MkDocs rendered, being hashed (`keep`)


class _Counter(logging.Handler):
    """Counts the warnings of a build: a page rendered in a build that warned is not kept."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


_build: Build | None = None  # set by enable(): one `python -m generator build`, or one `mkdocs serve` rebuild
serving = False  # set by the hook's on_startup under `mkdocs serve`
renders_all = False  # the next build renders every page whatever the cache holds (`mkdocs serve`'s first)
# The folder of the last good build and the key of each of its pages whose bytes are those of a cache entry
# (dest_uri -> key): under `mkdocs serve`, the served folder, set by `served` once a build is in place there;
# for `generator build`, the site as the last build left it (`from_last_build`). A build links those pages
# into its new folder instead of reading, checking and writing them again (3 s at 10,000 papers).
_served: tuple[Path, dict[str, str]] | None = None


class ServeMemory:
    """A pure function's results by argument from the last build of this process, kept only under
    `mkdocs serve` (outside it no later build would use them): a rebuild after an edit computes only the
    arguments that changed, and forgets those no longer asked for."""

    def __init__(self, function) -> None:
        self.function = function
        self.last: dict = {}
        self.code: str | None = None  # code_key() of the build that made `last` (an edited template: none)

    def each(self, arguments: list) -> list:
        """function(argument) for each argument; under `mkdocs serve` taken from the last build for an equal
        argument (equality and hash must cover everything the function reads)."""
        code = _build.code if _build is not None else None
        known, made = (self.last if serving and code == self.code else {}), {}
        for argument in arguments:
            if argument not in made:
                made[argument] = known[argument] if argument in known else self.function(argument)
        self.last, self.code = (made if serving else {}), code
        return [made[argument] for argument in arguments]


def enable(config_file: str | Path) -> None:
    """Let what follows in this process (reading the corpus, rendering, the next MkDocs build) use the cache."""
    global _build
    disable()
    code = code_key()
    _build = Build(PageCache(cache_dir(config_file)), site_key(config_file, code), code)
    logging.getLogger("mkdocs.commands.build").addFilter(_quiet_dirty)
    logging.getLogger("mkdocs").addHandler(_build.warnings)


def disable() -> None:
    global _build
    stop_helper()
    if _build is not None:
        logging.getLogger("mkdocs").removeHandler(_build.warnings)
        wait(_build.writes)  # (the build failed, or its pages are kept)
    _build = None
    logging.getLogger("mkdocs.commands.build").removeFilter(_quiet_dirty)


def active() -> bool:
    return _build is not None


def _quiet_dirty(record: logging.LogRecord) -> bool:
    """MkDocs warns that a dirty build may leave stale navigation; ours builds into an empty folder and
    skips only pages whose output is known, so the warning (fatal in strict mode) does not apply."""
    return not record.getMessage().startswith("A 'dirty' build is being performed")


def reuse(files, generated: dict[str, str | bytes], html_links: dict[str, list[str]], config) -> None:
    """Called by the hook's on_files: write cached pages into the site and mark them unmodified."""
    build = _build
    if build is None:
        return
    build.generated = sum(1 for p in generated if p.endswith(".md"))
    build.files = files
    targets = anchor_targets(generated) | finished.anchor_targets(files, html_links)
    # The site's address goes into every page (Material's canonical link), and `mkdocs serve` sets its own:
    # the pages it renders are not those of `generator build`.
    site = _digest(build.site.encode(), (config.site_url or "").encode())
    pages = [(src_uri, markdown, page_key(site, src_uri, markdown)) for src_uri, markdown in generated.items()
             # pages only (Markdown is text; charts and feeds are not pages)
             if src_uri.endswith(".md") and src_uri not in targets and isinstance(markdown, str)]

    page_files = [files.get_file_from_path(src_uri) for src_uri, _, _ in pages]
    keys = [key for _, _, key in pages]
    if renders_all:  # MkDocs renders every page of this build: none is placed
        for (src_uri, _, key) in pages:
            build.pending[src_uri] = key
        return
    found = _link_served(keys, page_files)

    def place(entry: Path, dest: str) -> bool:
        """The entry, once checked, hard-linked into the build's own new folder (see the docstring); written
        from the bytes checked when the link is not the file that was read (changed meanwhile, or another
        file system)."""
        found = build.cache.read(entry)
        if found is None:
            return False
        data, state = found
        if write.new_links([(str(entry), dest)])[0]:
            linked = os.stat(dest)
            if os.path.samestat(linked, state) and (linked.st_mtime_ns, linked.st_size) == (state.st_mtime_ns,
                                                                                           state.st_size):
                return True
            os.unlink(dest)
        write.new_file(Path(dest), data)
        return True

    # Reading, checking and linking a page is mostly system calls and hashing, which let other threads run.
    rest = [i for i, linked in enumerate(found) if not linked]
    present = build.cache.entries([keys[i] for i in rest])
    rest = [i for i in rest if keys[i] in present]
    with ThreadPoolExecutor(4) as pool:
        copied = pool.map(place, [present[keys[i]] for i in rest], [page_files[i].abs_dest_path for i in rest])
        for i, cached in zip(rest, copied, strict=True):
            found[i] = cached
    for (src_uri, markdown, key), file, cached in zip(pages, page_files, found, strict=True):
        if cached:
            file.is_modified = _unmodified  # MkDocs' dirty mode skips the page
            build.reused[src_uri] = markdown
            build.placed[file.dest_uri] = key
        else:
            build.pending[src_uri] = key


def _link_served(keys: list[str], files: list) -> list[bool]:
    """Which of these pages were hard-linked from the last build's folder, where a page of the same key is
    (`served`, `from_last_build`); all False when there is none."""
    if _served is None:
        return [False] * len(keys)
    root, known = _served
    wanted = [i for i, (key, file) in enumerate(zip(keys, files, strict=True)) if known.get(file.dest_uri) == key]
    linked = write.new_links([(os.path.join(root, files[i].dest_uri), files[i].abs_dest_path) for i in wanted])
    found = [False] * len(keys)
    for i, done in zip(wanted, linked, strict=True):
        found[i] = done
    return found


def _unmodified() -> bool:
    return False


def keep(page, data: bytes) -> None:
    """Called by the hook's on_post_page: a rendered page's HTML (the bytes written into the site) is hashed
    by a thread while MkDocs renders the next page (hashlib releases the GIL); store_pages() then links the
    site's page into the cache under that digest."""
    build = _build
    if build is not None and page.file.src_uri in build.pending:
        key = build.pending[page.file.src_uri]
        _WAITING.acquire()  # at most WAITING pages wait for the thread in memory
        hashed = _writer().submit(_digest, data)
        hashed.add_done_callback(lambda _: _WAITING.release())
        build.writes.append(hashed)
        build.rendered[key] = (page.file.abs_dest_path, hashed)
        build.made[page.file.dest_uri] = key


_WAITING = threading.BoundedSemaphore(64)


@functools.cache
def _writer() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="paper-atlas-cache")


_LINK = re.compile(r"\]\(([^()\s]+)\)")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


# A raw HTML block: from a line opening a tag (not one asking for Markdown inside) to the next blank line.
_RAW_HTML_BLOCK = re.compile(r"^<(?![^>\n]*\bmarkdown\b)[a-zA-Z][^\n]*(?:\n[^\n]+)*", re.M)


def _links(markdown: str) -> list[str]:
    """The Markdown link targets of a generated page's body, as Python-Markdown finds them. Front matter
    is plain YAML text and a raw HTML block copied text (a description or an abstract's first sentence
    may quote anything, `[x](javascript:...)` included): neither holds a Markdown link."""
    return _LINK.findall(_RAW_HTML_BLOCK.sub("", _FRONT_MATTER.sub("", markdown, count=1)))


def anchor_targets(generated: dict[str, str | bytes]) -> set[str]:
    """Generated pages that some generated page links to with an #anchor. They are always rendered: MkDocs
    checks anchors against the pages it renders in the same build."""
    out = set()
    for src_uri, markdown in generated.items():
        if src_uri.endswith(".md") and isinstance(markdown, str) and not finished.is_finished(src_uri):
            folder = posixpath.dirname(src_uri)
            for target in _links(markdown):
                path, hash_, _ = target.partition("#")
                if hash_ and "://" not in path:
                    out.add(posixpath.normpath(posixpath.join(folder, path)) if path else src_uri)
    return out


def check_links() -> None:
    """Called by the hook's on_post_build: the links of pages taken from the cache, checked as MkDocs checks
    rendered ones (validation.links.unrecognized_links and not_found): each relative link must lead to a
    page of this build. A broken one is a warning, which fails a strict build."""
    build = _build
    if build is None or build.files is None:
        return
    files = build.files
    known = {f.src_uri for f in files}
    for src_uri, markdown in build.reused.items():
        if finished.is_finished(src_uri):
            continue  # HTML, checked by finished.check_links with the pages MkDocs rendered
        folder = posixpath.dirname(src_uri)
        for target in _links(markdown):
            if "://" in target or target.startswith(("mailto:", "#")):
                continue
            path, _, anchor = target.partition("#")
            resolved = posixpath.normpath(posixpath.join(folder, path))
            if resolved not in known:
                log.warning("Doc file '%s' contains a link '%s', but the target '%s' is not found among "
                            "documentation files.", src_uri, target, resolved)
                continue
            page = files.get_file_from_path(resolved).page
            anchors = page.present_anchor_ids if page is not None else None
            if anchor and (anchors is None or anchor not in anchors):
                log.warning("Doc file '%s' contains a link '%s', but the doc '%s' does not contain an anchor "
                            "'#%s'.", src_uri, target, resolved, anchor)
    log.info("Paper Atlas: rendered %d of %d generated pages (%d pages from the cache)",
             build.generated - len(build.reused), build.generated, len(build.reused))


def store_pages() -> None:
    """At the end of a build that warned of nothing (the hook's on_post_build, once the site's pages are
    written): keep the pages MkDocs rendered, each linked into the cache. A page from a build that warned
    is never kept, so its warning comes back next time."""
    build = _build
    if build is None:
        return
    wait(build.writes)
    build.writes = []
    rendered, build.rendered = build.rendered, {}
    if not build.warnings.count:
        digests = {key: hashed.result() for key, (_, hashed) in rendered.items()}
        for key, (path, _) in rendered.items():
            build.cache.keep(key, digests[key], path)
        build.cache.forget_others(digests)


def served(root: Path | None) -> None:
    """Under `mkdocs serve`: the build that just ended is now served from `root` (None: the served folder
    holds no build's pages). Each page there holds its key's bytes, except one rendered by a build that
    warned: that one is not kept (store_pages), so that its warning comes back, and so it is not linked
    either. Nothing writes into the served folder (mkdocs serve's own temporary folder): each rebuild
    writes a new folder and swaps it in."""
    global _served
    build = _build
    if root is None or build is None:
        _served = None
        return
    _served = (root, _pages_in_place(build))


def _pages_in_place(build: Build) -> dict[str, str]:
    """dest_uri -> key of the pages of `build` whose bytes are those of their cache entry: every page taken
    from the cache, and those MkDocs rendered unless the build warned (such a page is not kept: see
    store_pages)."""
    return {**build.placed, **(build.made if not build.warnings.count else {})}


def from_last_build(site: Path) -> None:
    """For `generator build`: when `site` is exactly as the last successful build left it (up_to_date's test
    of its files), this build hard-links the pages it takes from the cache from there, as a rebuild under
    `mkdocs serve` does from the served folder. A site touched since (a file edited, added or removed) gives
    none: every page then comes from the cache, checked against its digest. `served(None)` ends it."""
    global _served
    _served = None
    build = _build
    record = None if build is None else _record_of(build.cache.folder, site)
    pages = None if record is None else record.get("pages")
    if isinstance(pages, dict) and record is not None and _as_left(record, site):
        _served = (site.resolve(), pages)


def served_moved(root: Path) -> None:
    """Under `mkdocs serve`: the last good build's pages now lie in `root` (kept there while the error of a
    failed build is served), for the next build to link from."""
    global _served
    if _served is not None:
        _served = (root, _served[1])


def current() -> Build | None:
    """This process's build with the cache, if one is on."""
    return _build


def served_folder() -> Path | None:
    """Under `mkdocs serve`: the folder that holds the last good build's site (see `served`): the served
    folder, or after a failed build the one kept inside it (`served_moved`)."""
    return _served[0] if _served is not None else None


def record(inputs: str, site: Path) -> None:
    """After `site` was replaced by a successful build: what it was built from (see up_to_date)."""
    build = _build
    if build is None:
        return
    data = json.dumps({"site": str(site.resolve()), "inputs": inputs, "files": _manifest(site),
                       "pages": _pages_in_place(build)})
    write.write_bytes(_last_build(build.cache.folder, site), data.encode())


# --------------------------------------------------------------------------- nothing changed

def _last_build(cache: Path, site: Path) -> Path:
    """Where the record of the last build of `site` is kept (one per site folder)."""
    return cache / "builds" / f"{_digest(os.fsencode(site.resolve()))[:16]}.json"


def inputs_key(config_file: str | Path, corpus: Path, *options: object) -> str:
    """Everything a site is built from: site_key, all of docs/ (site_key leaves out the text of pages the
    nav titles), the corpus folder, the build date (MkDocs puts it in sitemap.xml) and the command's
    options."""
    from mkdocs.utils import get_build_date

    return _digest(site_key(config_file).encode(), *_tree(_config(config_file)[2]), os.fsencode(corpus.resolve()),
                   *_tree(corpus), get_build_date().encode(), repr(options).encode())


def _manifest(site: Path) -> str:
    """The state of a built site's files: names, sizes, times and inodes (any change to a file changes it)."""
    parts: list[bytes] = []

    def walk(folder: str, prefix: str) -> None:  # (os.scandir: a third of the time of Path.rglob and lstat)
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda entry: entry.name)
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            parts.append(os.fsencode(f"{prefix}{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}"))
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{prefix}{entry.name}/")

    walk(str(site), "")
    return _digest(*parts)


def _record_of(cache: Path, site: Path) -> dict | None:
    """The record of the last successful build of `site` (`record`), if there is one."""
    try:
        record = json.loads(_last_build(cache, site).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("site") == str(site.resolve()) else None


def _as_left(record: dict, site: Path) -> bool:
    """Whether `site`'s files are exactly as the build of `record` left them."""
    return site.is_dir() and record.get("files") == _manifest(site)


def up_to_date(config_file: str | Path, inputs: str, site: Path) -> bool:
    """True when `site` is exactly what the last successful build made from these same inputs."""
    record = _record_of(cache_dir(config_file), site)
    return record is not None and record.get("inputs") == inputs and _as_left(record, site)


# --------------------------------------------------------------------------- Pagefind


def body_key(src_uri: str, source: str, paths: Iterable[str]) -> str:
    """The key of a hand-written page's HTML body (what MkDocs' Markdown makes of it, before the template):
    its source, its address, the source paths of this build that its text names (a link resolves against
    them: a link to another page holds that page's file name) and site_key. Adding a paper leaves the about
    page's key as it was, so that a rebuild starts Pagefind on the body the last build rendered. The body is
    only ever assumed (`known_body`): a key that missed a link would be a wrong guess, found out."""
    build = _build
    if build is None:
        return ""
    named = sorted(path.encode("utf-8", "surrogatepass") for path in paths if path.rpartition("/")[2] in source)
    return _digest(build.site.encode(), src_uri.encode(), source.encode("utf-8", "surrogatepass"), *named)


def known_body(key: str) -> str | None:
    """The body an earlier build rendered for `key` (body_key), if the cache holds it. Only ever assumed:
    Pagefind's run checks it against the body MkDocs renders (pagefind.Indexing)."""
    build = _build
    if build is None or not key:
        return None
    data = BodyCache(build.cache.folder).get(key)
    return None if data is None else data.decode("utf-8", "surrogatepass")


def keep_body(key: str, body: str) -> None:
    build = _build
    if build is not None and key:
        BodyCache(build.cache.folder).put(key, body.encode("utf-8", "surrogatepass"))


class BodyCache(EntryCache):
    """The HTML bodies of hand-written indexed pages (the about page), as MkDocs rendered them."""

    def _path(self, key: str) -> Path:
        return self.folder / "bodies" / key[:2] / f"{key}.html"


def expand_glob(pattern: str) -> list[str]:
    """Pagefind's --glob with one level of {a,b} alternatives, as Path.glob patterns."""
    m = re.search(r"\{([^{}]*)\}", pattern)
    if not m:
        return [pattern]
    return [p for alt in m[1].split(",") for p in expand_glob(pattern[:m.start()] + alt + pattern[m.end():])]


def stored_pagefind(arguments: list[str], pages: list[tuple[str, bytes | tuple[str, str]]], lang: str
                    ) -> tuple[str, Path | None]:
    """(the key of running Pagefind with `arguments` over `pages` (site path, the stand-in's bytes or the
    paper's title and abstract it is made of in the language `lang`: pagefind_child.stand_ins), the index an
    earlier build made of the same pages with the same arguments, if the cache holds it whole). Pagefind's
    output depends only on those pages, the generator's code that makes the paper pages' stand-ins,
    Pagefind's version and the arguments (`arguments` name no folder of this build)."""
    import pickle

    build = _build
    if build is None:
        return "", None
    try:
        version = metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        version = "none"
    key = _digest(FORMAT, build.code.encode(), version.encode(), lang.encode(), *(a.encode() for a in arguments),
                  *(part for path, page in sorted(pages, key=lambda pair: pair[0])
                    for part in (os.fsencode(path), page if isinstance(page, bytes) else
                                 pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL))))
    stored = build.cache.folder / "pagefind" / key
    known = _read(stored / "digest")
    return key, (stored / "index" if known is not None and _tree_digest(stored / "index") == known else None)


def store_pagefind(key: str, index: Path, build: Build | None = None) -> None:
    """Keep the index Pagefind made (from a build that warned of nothing) under its key. `build`: the build
    it was made for, when it ended before Pagefind did (`mkdocs serve`: pagefind.finish_late)."""
    build = build or _build
    if build is None or not key or build.warnings.count or not index.is_dir():
        return
    stored = build.cache.folder / "pagefind" / key
    write.link_tree(index, stored / "index")
    write.write_bytes(stored / "digest", (_tree_digest(stored / "index") or "").encode())


def _tree_digest(folder: Path) -> str | None:
    return _digest(*_tree(folder)) if folder.is_dir() else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, ValueError):
        return None
