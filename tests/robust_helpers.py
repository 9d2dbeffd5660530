"""Helpers shared by the robustness tests (accounting, decoding, hostile input, atomic writes, config files)."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from conftest import CORPUS, ROOT, real_themes_text
from site_tools import Element, parse_html

DUMPS = ROOT / "tests" / "dumps"
HOSTILE = DUMPS / "hostile"
BROKEN = DUMPS / "broken"
MORE = DUMPS / "more"
ACCOUNTING = re.compile(r"^records read (\d+) = papers (\d+) \+ duplicates merged (\d+) \+ rejected (\d+)$")

# The spaced layout's page chrome: 12 lines, so the first title is on line 13.
SPACED_HEADER = ["new", "", "Get trending papers in your email inbox!", "", "Subscribe", "", "Daily Papers", "",
                 "byAK and the research community", "", "Oct 28", ""]
COMPACT_HEADER = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!"]


def copy_dumps(folder: Path, *sources: Path, themes: bool = True) -> Path:
    """A corpus folder holding copies of the given dump files (and the real themes.yml, without include/exclude)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copyfile(source, folder / source.name)
    if themes:
        (folder / "themes.yml").write_text(real_themes_text(), encoding="utf-8")
    return folder


def tree_hash(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` -> sha256 of its bytes ('<dir>' for folders)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "<link>" + str(path.readlink())
        elif path.is_dir():
            out[rel] = "<dir>"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def temp_config(folder: Path) -> Path:
    """A copy of mkdocs.yml + docs/ in `folder`, its hooks pointing at the real generator/hooks.py."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "docs", folder / "docs")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pattern = re.compile(r"^(\s*-\s*)generator/hooks\.py\s*$", re.MULTILINE)
    assert pattern.search(text), "mkdocs.yml no longer lists generator/hooks.py under hooks:"
    text = pattern.sub(lambda m: f"{m[1]}{ROOT / 'generator' / 'hooks.py'}", text)
    (folder / "mkdocs.yml").write_text(text, encoding="utf-8")
    return folder / "mkdocs.yml"


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


# HTML trees: the one parser in site_tools.

Node = Element


def page_tree(path: Path) -> Node:
    return parse_html(path.read_text(encoding="utf-8"))


def article(tree: Node) -> Node:
    found = tree.find("article")
    assert found is not None, "page has no <article>"
    return found


def h1_text(tree: Node) -> str:
    """The page's h1 as read, without the permalink anchor MkDocs appends."""
    h1 = article(tree).find("h1")
    assert h1 is not None, "page has no <h1>"
    return h1.text(skip_cls="headerlink")


def paper_pages(site: Path) -> list[Path]:
    return sorted(site.glob("papers/*/index.html"))
