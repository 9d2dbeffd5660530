"""The only module that writes files.

* write_tree: a folder of generated files, swapped in whole: the new tree is
  staged beside the old one (unchanged files hard-linked, so their times do
  not change) and exchanged with it in one rename. A rebuild with nothing
  changed touches nothing.
* replace_dir: put a freshly built folder where the old one was.
Both refuse folders they do not own (see _check_owned). A run killed midway
leaves the old folder in place, or, at worst, a `.NAME.old-*` folder that the
next run puts back (recover).

Runs that write one folder exclude each other: each holds `.NAME.lock` beside
the folder (an flock, released by the kernel when the process dies) from
before recover() until the swap, and a second run stops with a message.
Staging folders carry their owner's process id; recover() removes only those
whose owner is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

from generator.errors import OutputError

MARKER = ".paper-atlas-output"
_RENAME_EXCHANGE = 2  # linux/fs.h


def check_owned(folder: Path, protected: Iterable[Path] = ()) -> None:
    """Raise OutputError unless the generator may replace `folder` (call before long work)."""
    _check_owned(folder, protected)


def _check_owned(folder: Path, protected: Iterable[Path]) -> None:
    if folder.is_symlink():  # the swap would replace the link, not the folder it points to
        raise OutputError(f"{folder}: is a symbolic link; give the real folder it points to "
                          f"({os.path.realpath(folder)})")
    folder = folder.resolve()
    for other in protected:
        other = other.resolve()
        if folder == other or other.is_relative_to(folder) or folder.is_relative_to(other):
            raise OutputError(f"{folder}: refusing to write here, it overlaps {other}; choose another folder")
    # Only our own marker counts (`mkdocs build` with the hook leaves it too):
    # file names such as 404.html prove nothing about who owns a folder.
    ours = (folder / MARKER).is_file()
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder; choose a folder")
    if folder.exists() and any(folder.iterdir()) and not ours:
        raise OutputError(f"{folder}: exists, is not empty and was not written by Paper Atlas; "
                          "choose a new folder or empty it first")


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold `.NAME.lock` beside `folder` for the block; OutputError if another run holds it."""
    _check_writable_target(folder)
    folder = Path(os.path.abspath(folder))  # "." has no name to put a lock beside
    lock_path = folder.parent / f".{folder.name}.lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create {lock_path.name} beside it ({exc.strerror}); "
                          "choose a folder you can write in") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise OutputError(f"{folder}: another build is writing it (process {owner}); "
                              "wait for it to finish, then run again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (removing it would race a waiting run)


def _check_writable_target(folder: Path) -> None:
    """A clear one-line error for an output path that can never be a folder we swap."""
    _check_owned(folder, ())
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{parent}: cannot create it ({exc.strerror}); choose another output folder") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{parent}: not writable; the output folder's parent must be writable "
                          "(the new site is built beside the old one)")


def write_tree(folder: Path, files: dict[str, str | bytes], protected: Iterable[Path] = ()) -> list[str]:
    """Make `folder` hold exactly `files` (plus the marker); return the paths that changed."""
    _check_owned(folder, protected)  # a refused folder gets no lock file beside it either
    with exclusive(folder):
        return _write_tree(folder, files, protected)


def _write_tree(folder: Path, files: dict[str, str | bytes], protected: Iterable[Path]) -> list[str]:
    recover(folder)
    _check_owned(folder, protected)
    wanted = {rel: c.encode("utf-8") if isinstance(c, str) else c for rel, c in files.items()}
    for rel in wanted:
        if not (folder / rel).resolve().is_relative_to(folder.resolve()) or rel.startswith("/"):
            raise OutputError(f"{rel}: outside {folder}; refusing to write it")
    existing = _listing(folder)
    changed = [rel for rel, data in wanted.items() if existing.get(rel) != data]
    removed = [rel for rel in existing if rel not in wanted]
    if not changed and not removed:
        return []
    try:
        staging = new_build_dir(folder)
        for rel, data in wanted.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel in existing and rel not in changed:
                os.link(folder / rel, target)
            else:
                target.write_bytes(data)
        replace_dir(staging, folder, protected)
    except BaseException:
        discard_ours(folder)
        raise
    return sorted(changed + removed)


def write_file(path: Path, text: str, protected: Iterable[Path] = ()) -> None:
    """One file, replaced atomically; never inside docs/ or the corpus."""
    for other in protected:
        if path.resolve().is_relative_to(other.resolve()):
            raise OutputError(f"{path}: inside {other}; refusing to write there, choose another path")
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """One file of a cache or of a site being built, replaced atomically (never written in place, so a
    file hard-linked elsewhere keeps its old bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, data)


def new_files(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """Files written into a new scratch folder of this process (nothing else reads it while they are
    written, so nothing needs replacing atomically): `files` is (path in the folder, bytes)."""
    for name, data in files:
        new_file(folder / name, data)


def new_file(path: Path, data: bytes) -> None:
    """One file in a private folder of this process (see new_files), its folder made if needed."""
    try:
        _create(str(path), data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(str(path), data)


def _create(path: str, data: bytes) -> None:
    """`data` as a new file at `path`: a file already there is unlinked first, never written through, since
    it may be hard-linked elsewhere (a page of the last site, an entry of the page cache: a page placed from
    the cache and then rendered all the same, in `mkdocs serve`'s first build, which is not dirty)."""
    try:
        f = open(path, "xb")
    except FileExistsError:
        os.unlink(path)
        f = open(path, "xb")
    with f:
        f.write(data)


class PageWriter:
    """The pages MkDocs renders, written by a thread while MkDocs renders the next ones (the hook's
    on_post_page hands each page here and gives MkDocs an empty output, which it does not write).

    A page is written as MkDocs' own `utils.write_file` writes it: its folder made, the file opened and
    written in place. Making folders and files is mostly the kernel's work, done with the GIL released,
    on the second core: whole builds of 10,000 papers took 32.7-34.0 s against 34.6-37.7 s with MkDocs
    writing the pages (at 2,000 papers the difference was within the noise). A second thread only moves
    the wait to the page cache's writer (py-spy --idle at 10,000 papers: MkDocs waited 0.87 s for this one
    and 0.26 s for the cache's; with two, none and 1.22 s).
    At most `WAITING` pages wait in memory for the thread. `finish()` waits for the pages handed so far
    and raises an error naming the first page that could not be written; `abort()` (a failed build)
    drops the pages not written yet and waits for the one being written. Either way nothing is written
    into a site folder after the build gave up on it."""

    WAITING = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Future] = []
        self._fresh()

    def _fresh(self) -> None:
        """A new executor (its thread starts with the first page) and room for WAITING pages."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paper-atlas-pages")
        self._room = threading.BoundedSemaphore(self.WAITING)

    def put(self, path: str, data: bytes) -> None:
        room = self._room
        room.acquire()
        try:
            future = self._executor.submit(_page_file, path, data)
        except BaseException:
            room.release()
            raise
        future.add_done_callback(lambda _: room.release())
        with self._lock:
            self._pending.append(future)

    def finish(self) -> None:
        """Wait for every page handed so far, then raise the first error met: none is still being written
        when the build fails."""
        with self._lock:
            pending, self._pending = self._pending, []
        wait(pending)
        for future in pending:
            error = future.exception()
            if error is not None:
                raise error

    def abort(self) -> None:
        """Drop the pages not written yet and wait for the one being written. The thread's executor is shut
        down and replaced: that also stops a page whose `put` was cut short (Ctrl-C, SIGTERM) before it was
        listed as pending; the room for waiting pages starts afresh too (a cut-short `put` may have kept a
        place in the old one)."""
        with self._lock:
            self._pending = []
            executor = self._executor
            self._fresh()
        executor.shutdown(wait=True, cancel_futures=True)


pages = PageWriter()  # the site's rendered pages (the hook's on_post_page); one build at a time per process


def _page_file(path: str, data: bytes) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _create(path, data)
    except OSError as error:
        raise OutputError(f"{path}: the page could not be written ({error.strerror or error}); "
                          "check that the site folder is writable and the disk is not full") from error


def new_links(pairs: list[tuple[str, str]]) -> list[bool]:
    """Each (source, path): `source` hard-linked as `path` in a private folder of this process (see
    new_files), folders made first; False where it cannot be (the source gone, another file system)."""
    for folder in sorted({os.path.dirname(path) for _, path in pairs}):
        os.makedirs(folder, exist_ok=True)
    out = []
    for source, path in pairs:
        try:
            os.link(source, path)
        except OSError:
            out.append(False)
            continue
        out.append(True)
    return out


def move(source: Path, target: Path) -> None:
    """A finished file or folder moved into place: renamed (atomic) on the same file system; from another
    (Pagefind's scratch folder in a temp folder on tmpfs, the site on disk), copied beside the target,
    then renamed over it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        near = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.moving-"))
        try:
            copied = near / target.name
            if source.is_dir():
                shutil.copytree(source, copied)
            else:
                shutil.copy2(source, copied)
            os.replace(copied, target)
        finally:
            shutil.rmtree(near, ignore_errors=True)
        if source.is_dir():
            shutil.rmtree(source)
        else:
            source.unlink()


def link_tree(source: Path, target: Path) -> None:
    """A folder of a cache or of a site being built, hard-linked whole (copied where linking fails: another
    file system). Safe because no file of a site or of the cache is ever written in place (see write_bytes);
    the cache checks what it reads against a digest all the same."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, copy_function=_link_or_copy)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _atomic_write(target: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: readers see the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _listing(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MARKER}


def new_build_dir(final: Path) -> Path:
    """An empty folder beside `final` to build into (same file system: renames are atomic)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.new-{os.getpid()}-"))
    staging.chmod(0o755)  # mkdtemp makes it private; the result is a folder people serve
    return staging


def replace_dir(built: Path, final: Path, protected: Iterable[Path] = (), background: bool = False,
                keep_old: str | None = None) -> None:
    """Swap `built` in for `final` (swap_in), once the generator may replace `final` (see _check_owned).
    `background`: the old tree is removed by a thread while the caller goes on (`mkdocs serve`, which outlives
    it; a tree left by a process that ended first is removed by the next build, as any staging folder of a
    dead process). `keep_old`: the old tree is not removed but moved into the new one under that name (the
    last good site that `mkdocs serve` keeps while it serves a failed build's error)."""
    _check_owned(final, protected)
    (built / MARKER).touch()
    swap_in(built, final, background, keep_old)


def swap_in(built: Path, final: Path, background: bool = False, keep_old: str | None = None) -> None:
    """Swap the finished folder `built` in for `final`, atomically where the system allows: readers see the
    old folder or the new one. Called directly only for a folder inside a site this process built (the
    search index that `mkdocs serve` puts into the served site once Pagefind is done)."""
    if not final.exists():
        os.replace(built, final)
        return
    parking = None
    if _exchange(built, final):  # `built` now holds the old tree
        old = built
    else:  # no atomic exchange: park the old tree where recover() finds it, then rename
        parking = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old-{os.getpid()}-"))
        old = parking / final.name
        os.replace(final, old)
        os.replace(built, final)
    if keep_old is not None:
        os.replace(old, final / keep_old)
    leftover = parking if parking is not None else (None if keep_old is not None else old)
    if leftover is None:
        return
    if background:
        discard(leftover, background=True)
    else:
        shutil.rmtree(leftover)


def mark_owned(folder: Path) -> None:
    """Say that `folder` is a Paper Atlas output (see _check_owned)."""
    (folder / MARKER).touch()


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two paths in one step (Linux 3.15+, glibc 2.28+)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def recover(final: Path) -> None:
    """Undo what a killed run left: put a parked old tree back, drop half-built ones.

    Call it holding exclusive(final). Only leftovers whose owner process is gone
    are touched: a folder of a run still alive is never removed.
    """
    parent = final.parent
    if not parent.is_dir():
        return
    for parked in sorted(parent.glob(f".{final.name}.old-*")):
        if _owner_alive(parked, "old"):
            continue
        if not final.exists() and (parked / final.name).exists():
            os.replace(parked / final.name, final)
        discard(parked)
    for staging in parent.glob(f".{final.name}.new-*"):
        if not _owner_alive(staging, "new"):
            discard(staging)


def _owner_alive(leftover: Path, kind: str) -> bool:
    """Whether the process named in `.NAME.<kind>-<pid>-xxxx` still runs (not this one)."""
    pid_text = leftover.name.rsplit(f".{kind}-", 1)[1].split("-", 1)[0]
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False  # an older name without a pid, or our own earlier leftover
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def discard_ours(final: Path) -> None:
    """Remove this process's staging folders beside `final`. Called on failure and on Ctrl-C or
    SIGTERM, which can land anywhere, even between creating a folder and naming it in a variable. The
    pages still waiting to be written (`pages`) are dropped first: none is written into a removed folder."""
    pages.abort()
    for staging in final.parent.glob(f".{final.name}.new-{os.getpid()}-*"):
        discard(staging)


def discard(built: Path, background: bool = False) -> None:
    """Remove a folder of this process. `background`: by a thread while the caller goes on (only for a process
    that outlives it, `mkdocs serve`: 1.3 s for Pagefind's scratch folder at 10,000 papers)."""
    if built.is_symlink():  # never follow a link planted where a staging folder was
        built.unlink(missing_ok=True)
    elif background:
        threading.Thread(target=shutil.rmtree, args=(built,), kwargs={"ignore_errors": True}, daemon=True).start()
    else:
        shutil.rmtree(built, ignore_errors=True)


def write_stored(corpus: Path, files: dict[str, str]) -> list[str]:
    """Store fetched data in the corpus folder (`files`: corpus-relative path -> text); return what changed.

    All or nothing: every file is written beside its target first, and only
    when all are written are they renamed into place (each rename atomic), so
    a failure before that leaves every stored byte as it was.
    """
    root = corpus.resolve()
    staged: list[tuple[str, Path]] = []
    try:
        for rel, text in files.items():
            target = (corpus / rel).resolve()
            if not target.is_relative_to(root) or rel.startswith("/"):
                raise OutputError(f"{rel}: outside {corpus}; refusing to write it")
            data = text.encode("utf-8")
            if target.is_file() and target.read_bytes() == data:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((rel, Path(tmp)))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
        for rel, staged_file in staged:
            os.replace(staged_file, corpus / rel)
    except BaseException:
        for _, staged_file in staged:
            staged_file.unlink(missing_ok=True)
        raise
    return [rel for rel, _ in staged]
