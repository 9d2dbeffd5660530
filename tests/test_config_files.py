"""corpus/themes.yml and corpus/sources.yml: every mistake is rejected with file:line and what to do.

Each case is a small file written out line by line; the expected line is the line of the
mistake as a person reads the file (the key that is wrong, the entry that is incomplete).
"""

from __future__ import annotations

import pytest

from generator.errors import ConfigFileError, CorpusError, SourcesFileError, ThemeFileError
from generator.sources import load_settings
from generator.themes import load_themes
from helpers import BROKEN, SPACED_HEADER, error_lines, make_corpus, run_cli

GOOD_THEME = "  - name: Memory\n    description: Memory papers.\n    terms: [memory]\n"
DUMPS = {"latin1.txt": (BROKEN / "latin1.txt").read_bytes(), "utf16.txt": (BROKEN / "utf16.txt").read_bytes(),
         "clean.txt": "\n".join(SPACED_HEADER + ["Clean Paper", "", "Clean abstract.", "",
                                                 "  • 2 authors", "·", "Jul 19, 2023 5", ""])}

# (id, themes.yml text, line, words the message must hold)
THEME_CASES = [
    ("bad-yaml", "themes:\n  - name: A\n    description: d: e\n    terms: [x]\n", 3, ["invalid YAML"]),
    ("tab", "themes:\n\t- name: A\n", 2, ["invalid YAML"]),
    ("unclosed-list", "themes:\n  - name: A\n    description: d\n    terms: [x, y\n\n\nother: 1\n", None,
     ["invalid YAML"]),
    ("no-name", "themes:\n" + GOOD_THEME + "  - description: No name here.\n    terms: [x]\n", 5,
     ["without 'name'"]),
    ("empty-name", "themes:\n  - name: ''\n    description: d\n    terms: [x]\n", 2, ["without 'name'"]),
    ("no-terms", "themes:\n" + GOOD_THEME + "  - name: B\n    description: d\n", 5, ["without 'terms'"]),
    ("duplicate", "themes:\n" + GOOD_THEME + GOOD_THEME, 5, ["duplicate theme", "Memory"]),
    ("duplicate-by-address", "themes:\n" + GOOD_THEME + GOOD_THEME.replace("Memory", "memory!", 1), 5,
     ["duplicate theme", "Memory"]),
    ("unknown-theme-key", "themes:\n" + GOOD_THEME + "  - name: B\n    descripton: d\n    terms: [x]\n", 6,
     ["unknown key", "descripton"]),
    ("unknown-top-key-inline", "themes:\n" + GOOD_THEME + "colours: blue\n", 5, ["unknown key", "colours"]),
    ("unknown-top-key-block", "theme:\n" + GOOD_THEME, 1, ["unknown key", "'theme'"]),
    ("duplicate-yaml-key", "themes:\n  - name: A\n    name: B\n    description: d\n    terms: [x]\n", 3,
     ["duplicate key", "name"]),
    ("themes-empty", "themes: []\n", 1, ["empty"]),
    ("themes-not-a-list", "themes:\n  name: A\n", 2, ["must be a list"]),
    ("terms-not-a-list", "themes:\n  - name: A\n    description: d\n    terms: memory\n", 4, ["must be a list"]),
    ("bad-term", "themes:\n  - name: A\n    description: d\n    terms:\n      - memory\n      - [x]\n", 6,
     ["term"]),
    ("star-term", "themes:\n  - name: A\n    description: d\n    terms: ['*']\n", 4, ["term"]),
    ("other", "themes:\n" + GOOD_THEME + "  - name: Other\n    description: d\n    terms: [x]\n", 5, ["Other"]),
    ("date-name", "themes:\n  - name: 2024-02-30\n    description: d\n    terms: [x]\n", 2, []),
    ("top-level-list", "- name: A\n", 1, ["mapping"]),
]


@pytest.mark.parametrize("text, line, words", [c[1:] for c in THEME_CASES], ids=[c[0] for c in THEME_CASES])
def test_invalid_themes_yml_names_file_and_line(tmp_path, text, line, words):
    corpus = make_corpus(tmp_path / "c", {}, themes=text)
    with pytest.raises(ThemeFileError) as caught:
        load_themes(corpus)
    message = str(caught.value)
    path = corpus / "themes.yml"
    if line is None:
        assert message.startswith(f"{path}:"), message
    else:
        assert message.startswith(f"{path}:{line}: "), message
    for word in words:
        assert word in message, message
    assert ";" in message or "must be" in message  # says what to do, not only what is wrong


def test_missing_and_empty_themes_yml(tmp_path):
    corpus = make_corpus(tmp_path / "c", {}, themes="")
    with pytest.raises(ThemeFileError, match=r"themes\.yml: empty"):
        load_themes(corpus)
    (corpus / "themes.yml").unlink()
    with pytest.raises(ThemeFileError, match=r"themes\.yml: missing; create it"):
        load_themes(corpus)


def test_themes_yml_not_utf8(tmp_path):
    corpus = make_corpus(tmp_path / "c", {}, themes="")
    (corpus / "themes.yml").write_bytes("themes:\n  - name: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ThemeFileError, match=r"themes\.yml: not UTF-8"):
        load_themes(corpus)


def test_the_real_themes_yml_is_valid():
    from helpers import CORPUS
    themes = load_themes(CORPUS)
    assert len(themes) >= 1 and len({t.slug for t in themes}) == len(themes)


# (id, sources.yml text, line, words the message must hold)
SOURCE_CASES = [
    ("bad-yaml", "latin1.txt: {encoding: latin-1\nutf16.txt: {}\n", None, ["invalid YAML"]),
    ("bad-yaml-indent", "latin1.txt:\n  encoding: latin-1\n listing_date: 2024-10-28\n", 3, ["invalid YAML"]),
    ("missing-dump", "latin1.txt: {encoding: latin-1}\nlatin-1.txt: {encoding: latin-1}\n", 2,
     ["'latin-1.txt'", "not a dump"]),
    ("unknown-key", "latin1.txt:\n  encoding: latin-1\n  listing-date: 2024-10-28\n", 3,
     ["unknown key", "listing-date", "listing_date"]),
    ("unknown-key-block", "latin1.txt:\n  encodings:\n    - latin-1\n", 2, ["unknown key", "encodings"]),
    ("not-a-date", "latin1.txt: {encoding: latin-1}\nutf16.txt:\n  listing_date: Oct 28\n", 3,
     ["listing_date", "YYYY-MM-DD"]),
    ("short-date", "utf16.txt:\n  listing_date: 2024-1-5\n", 2, ["YYYY-MM-DD"]),
    ("datetime", "utf16.txt:\n  listing_date: 2024-10-28 10:00:00\n", 2, ["YYYY-MM-DD"]),
    ("impossible-date", "utf16.txt:\n  listing_date: 2024-02-30\n", 2, ["YYYY-MM-DD"]),
    ("unknown-encoding", "latin1.txt: {encoding: latin-9000}\n", 1, ["unknown encoding", "latin-9000"]),
    ("settings-not-mapping", "latin1.txt: latin-1\n", 1, ["mapping"]),
    ("duplicate-dump", "latin1.txt: {encoding: latin-1}\nlatin1.txt: {encoding: cp1252}\n", 2,
     ["duplicate key", "latin1.txt"]),
    ("top-level-list", "- latin1.txt\n", 1, ["mapping"]),
]


@pytest.mark.parametrize("text, line, words", [c[1:] for c in SOURCE_CASES], ids=[c[0] for c in SOURCE_CASES])
def test_invalid_sources_yml_names_file_and_line(tmp_path, text, line, words):
    corpus = make_corpus(tmp_path / "c", DUMPS, sources=text)
    with pytest.raises(SourcesFileError) as caught:
        load_settings(corpus)
    message = str(caught.value)
    path = corpus / "sources.yml"
    if line is None:
        assert message.startswith(f"{path}:"), message
    else:
        assert message.startswith(f"{path}:{line}: "), message
    for word in words:
        assert word in message, message


def test_valid_sources_yml(tmp_path):
    corpus = make_corpus(tmp_path / "c", DUMPS, sources=(
        "# per dump settings\n"
        "latin1.txt: {encoding: latin-1}\n"
        "utf16.txt:\n  listing_date: 2024-10-28\n"))
    settings = load_settings(corpus)
    assert settings["latin1.txt"].encoding == "iso8859-1"
    assert str(settings["utf16.txt"].listing_date) == "2024-10-28"


@pytest.mark.parametrize("text", ["", "# nothing yet\n"])
def test_empty_sources_yml_is_fine(tmp_path, text):
    assert load_settings(make_corpus(tmp_path / "c", DUMPS, sources=text)) == {}


# --- through the command line: one message, exit 1, for check and build ---------------------------------

CLI_CASES = [
    ("themes", "themes:\n" + GOOD_THEME + GOOD_THEME, None, "themes.yml:5: duplicate theme"),
    ("themes", "themes:\n  - description: d\n    terms: [x]\n", None, "themes.yml:2: a theme without 'name'"),
    ("sources", None, "clean.txt: {listing_date: someday}\n", "sources.yml:1: listing_date 'someday' is not a date"),
    ("sources", None, "gone.txt: {encoding: latin-1}\n", "sources.yml:1: 'gone.txt' is not a dump"),
    ("sources", None, "clean.txt: {listing_date: 2023-02-29}\n", "sources.yml:1: "),
]


@pytest.mark.parametrize("kind, themes, sources, expected", CLI_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CLI_CASES)])
@pytest.mark.parametrize("command", ["check", "build"])
def test_cli_rejects_invalid_config_with_one_message(tmp_path, command, kind, themes, sources, expected):
    corpus = make_corpus(tmp_path / "c", {"clean.txt": DUMPS["clean.txt"]}, themes=themes, sources=sources)
    args = [command, "--corpus", str(corpus)]
    if command == "build":
        args += ["--site", str(tmp_path / "site")]
    result = run_cli(*args)
    assert "Traceback" not in result.stderr, result.stderr[-600:]
    assert result.returncode == 1
    [message] = error_lines(result.stderr)
    assert f"error: {corpus}/{expected}" in message, message
    assert not (tmp_path / "site").exists()


def test_config_errors_are_corpus_errors():
    assert issubclass(ThemeFileError, ConfigFileError) and issubclass(SourcesFileError, ConfigFileError)
    assert issubclass(ConfigFileError, CorpusError)
