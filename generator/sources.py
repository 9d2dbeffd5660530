"""Find the dumps in corpus/, read their bytes and decode them by a stated rule.

Decoding rule (said in the README and in every error):
1. A UTF-16 byte-order mark: UTF-16.
2. A UTF-8 byte-order mark, or bytes that are valid UTF-8: UTF-8 (a file
   re-saved as UTF-8 reads right even while sources.yml still names its old
   encoding).
3. An encoding stated for the dump in corpus/sources.yml: that encoding.
4. Anything else is rejected with a message naming the file, the first bad
   line and what to do; a file with NUL bytes and no UTF-16 mark is binary.
Line ends (CRLF, CR, LF) are folded to LF, which keeps line numbers.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from generator import dates, yamlfile
from generator.errors import DumpError, SourcesFileError

DUMP_GLOB = "*.txt"
SOURCES_FILE = "sources.yml"
SOURCE_KEYS = {"listing_date", "encoding"}


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """What corpus/sources.yml says about one dump."""

    listing_date: dt.date | None = None
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class DumpText:
    name: str
    text: str
    encoding: str


def find_dumps(corpus: Path) -> list[Path]:
    """Every dump in `corpus`, in name order (the order they were saved in)."""
    return scan(corpus)[0]


def scan(corpus: Path) -> tuple[list[Path], list[DumpError]]:
    """(the dumps to read, in name order; the entries that look like dumps but are not read).

    A dump is a regular file named `*.txt` directly in the corpus folder, not
    hidden. Everything else that looks like one is refused with a reason, never
    skipped in silence: a symbolic link (it could publish any file on the
    machine, so it is refused even when it points inside the folder, as
    Jekyll's safe mode does), a folder, FIFO or device named `*.txt`, a
    `.TXT` name, a hidden `.x.txt` (editors and tools leave these; they are not
    read), and a name that is not valid UTF-8 or holds control characters.
    """
    if not corpus.is_dir():
        raise DumpError(str(corpus), "no such folder; point --corpus at the folder holding the dumps")
    dumps, refused = [], []
    for path in sorted(corpus.iterdir()):
        if not path.name.lower().endswith(".txt"):
            continue
        reason = _refusal(path)
        if reason:
            refused.append(DumpError(shown_name(path.name), reason))
        else:
            dumps.append(path)
    return dumps, refused


def _refusal(path: Path) -> str | None:
    name = path.name
    if shown_name(name) != name:
        return "file name is not valid UTF-8 or holds control characters; not read (rename it)"
    if path.is_symlink():
        return (f"a symbolic link (to {shown_name(os.readlink(path))}); not read: a dump must be a "
                "real file inside the corpus folder (copy the file in instead)")
    if not name.endswith(".txt"):
        return f'not read: dump names end in lower-case ".txt" (rename it to {name[:-4]}.txt)'
    if name.startswith("."):
        return f"hidden file, not read (rename it to {name.lstrip('.')} to read it)"
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        return f"{kind}, not a dump; not read (remove it or rename it)"
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown_name(name: str) -> str:
    """A file name safe to print: undecodable bytes and control characters escaped,
    so a name cannot spoof lines of the report or drive the terminal."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.fsdecode kept undecodable bytes as lone surrogates
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _UNSAFE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), name)


def decode(name: str, data: bytes, settings: SourceSettings | None = None) -> DumpText:
    """Apply the decoding rule above to one dump's bytes."""
    stated = settings.encoding if settings else None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DumpText(name, _lines(name, data.decode("utf-16")), "utf-16")
        except UnicodeDecodeError as exc:
            line = data[:exc.start - exc.start % 2].decode("utf-16", errors="replace").count("\n") + 1
            raise DumpError(name, "has a UTF-16 byte-order mark but is not valid UTF-16 "
                            f"({exc.reason}); re-save it as UTF-8", line) from exc
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[3:] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        if stated and not bom:
            return _decode_stated(name, data, stated)
        if b"\x00" in body:
            raise DumpError(name, "binary data, not a text dump; remove it from corpus/", line) from exc
        raise DumpError(
            name, f"not UTF-8 (byte 0x{body[exc.start]:02x}); re-save the file as UTF-8, "
            f"or state its encoding in corpus/sources.yml ({name}: {{encoding: latin-1}})", line
        ) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DumpError(name, "binary data (NUL bytes), not a text dump; remove it from corpus/", line)
    return DumpText(name, _lines(name, text), "utf-8-sig" if bom else "utf-8")


def _decode_stated(name: str, data: bytes, stated: str) -> DumpText:
    try:
        return DumpText(name, _lines(name, data.decode(stated)), stated)
    except UnicodeError as exc:  # some codecs (idna...) raise the base class, without a position
        start = getattr(exc, "start", None)
        line = data.count(b"\n", 0, start) + 1 if isinstance(start, int) else None
        raise DumpError(name, f"cannot be decoded as {stated!r} (stated in corpus/sources.yml): "
                        f"{getattr(exc, 'reason', exc)}; fix the encoding there", line) from exc


def _lines(name: str, text: str) -> str:
    """Fold line ends to LF; refuse lone surrogates, which some codecs yield (utf-7,
    raw_unicode_escape) and which no UTF-8 page can hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if bad := _SURROGATE.search(text):
        raise DumpError(name, f"decodes to a lone surrogate (U+{ord(bad[0]):04X}), which is not text; "
                        "re-save the file as UTF-8", text.count("\n", 0, bad.start()) + 1)
    return text


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def load_settings(corpus: Path) -> dict[str, SourceSettings]:
    """corpus/sources.yml: per dump, its listing date and/or its encoding."""
    path = corpus / SOURCES_FILE
    if not path.exists():
        return {}
    root = yamlfile.load(path, SourcesFileError)
    if root is None:
        return {}
    entries = yamlfile.expect(root, dict, "the top level (dump name: settings)", path, SourcesFileError)
    settings = {}
    dumps = {p.name for p in find_dumps(corpus)}
    for name, located in entries.items():
        if name not in dumps:  # a bare name of a dump: never "../x.txt" or "/etc/passwd"
            raise SourcesFileError(f"{path}:{located.key_line}: {shown_name(str(name))!r} is not a dump in "
                                   f"{corpus}; use the file name of one of its *.txt files")
        fields = yamlfile.expect(located, dict, f"the settings of {name}", path, SourcesFileError)
        for key, value in fields.items():
            if key not in SOURCE_KEYS:
                raise SourcesFileError(f"{path}:{value.key_line}: unknown key {key!r}; "
                                       f"use one of {', '.join(sorted(SOURCE_KEYS))}")
        settings[name] = SourceSettings(
            listing_date=_date(fields.get("listing_date"), path),
            encoding=_encoding(fields.get("encoding"), path),
        )
    return settings


def _date(located: yamlfile.Located | None, path: Path) -> dt.date | None:
    if located is None:
        return None
    if isinstance(located.value, dt.date) and not isinstance(located.value, dt.datetime):
        if wrong := dates.year_problem(located.value.year):
            raise SourcesFileError(f"{path}:{located.line}: listing_date {located.value}: {wrong}; "
                                   "correct the date")
        return located.value
    raise SourcesFileError(f"{path}:{located.line}: listing_date {located.value!r} is not a date; "
                           "write it as YYYY-MM-DD")


def _encoding(located: yamlfile.Located | None, path: Path) -> str | None:
    if located is None:
        return None
    try:
        info = codecs.lookup(str(located.value))
        if not getattr(info, "_is_text_encoding", True):  # base64, rot13...: bytes-to-bytes codecs
            raise LookupError
        info.decode(b"abc")  # "undefined" is a registered codec that refuses everything
        return info.name
    except (LookupError, UnicodeError):
        raise SourcesFileError(f"{path}:{located.line}: unknown encoding {located.value!r}; "
                               "use a Python codec name such as utf-8, latin-1 or cp1252") from None
