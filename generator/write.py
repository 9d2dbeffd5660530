"""The only module that writes files.

* write_tree: a folder of generated files, kept in step with `files`:
  unchanged files are not touched, changed ones are replaced atomically
  (temp file + rename), files no longer generated are removed.
* replace_dir: put a freshly built folder where the old one was.
Both refuse to work anywhere but a folder the generator owns.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from generator.errors import OutputError

MARKER = ".paper-atlas-output"


def _check_owned(folder: Path, protected: Iterable[Path]) -> None:
    folder = folder.resolve()
    for other in protected:
        other = other.resolve()
        if folder == other or other.is_relative_to(folder) or folder.is_relative_to(other):
            raise OutputError(f"{folder}: refusing to write here, it overlaps {other}; choose another folder")
    # 404.html: a site MkDocs built on its own (plain `mkdocs build`) may be replaced too.
    ours = (folder / MARKER).exists() or (folder / "404.html").exists()
    if folder.exists() and any(folder.iterdir()) and not ours:
        raise OutputError(f"{folder}: exists, is not empty and was not written by Paper Atlas; "
                          "choose a new folder or empty it first")


def write_tree(folder: Path, files: dict[str, str | bytes], protected: Iterable[Path] = ()) -> list[str]:
    """Make `folder` hold exactly `files`; return the paths that changed."""
    _check_owned(folder, protected)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).touch()
    changed = []
    for rel, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = (folder / rel).resolve()
        if not target.is_relative_to(folder.resolve()):
            raise OutputError(f"{rel}: outside {folder}; refusing to write it")
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, data)
        changed.append(rel)
    keep = {(folder / rel).resolve() for rel in files} | {(folder / MARKER).resolve()}
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path.resolve() not in keep:
            path.unlink()
            changed.append(str(path.relative_to(folder)))
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_build_dir(final: Path) -> Path:
    """An empty folder beside `final` to build into (same file system: renames are atomic)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.new-"))


def replace_dir(built: Path, final: Path, protected: Iterable[Path] = ()) -> None:
    """Swap `built` in for `final`. The old folder survives until the new one is in place."""
    _check_owned(final, protected)
    (built / MARKER).touch()
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old-"))
        os.replace(final, old / final.name)
    os.replace(built, final)
    if old is not None:
        shutil.rmtree(old)


def discard(built: Path) -> None:
    shutil.rmtree(built, ignore_errors=True)
