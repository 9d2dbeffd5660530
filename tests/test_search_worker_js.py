"""The search worker's pure parts (docs/javascripts/search-worker.js), run in Node.

The worker is loaded into a Node `vm` context with the few globals it touches
at load time (self.location, addEventListener); its query parsing and edit
distance are then called directly. The browser tests (test_search_browser.py)
cover the worker end to end in Chromium.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

WORKER = Path(__file__).resolve().parent.parent / "docs" / "javascripts" / "search-worker.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

RUNNER = r"""
const vm = require("vm"), fs = require("fs");
const context = { self: { location: { href: "http://x/site/javascripts/search-worker.js", hash: "" } },
                  addEventListener() {}, postMessage() {}, console, URL, Set, Map, Promise, setTimeout };
vm.createContext(context);
vm.runInContext(fs.readFileSync(process.argv[1], "utf8"), context);
const calls = JSON.parse(fs.readFileSync(0, "utf8"));
const out = calls.map(([name, args]) => vm.runInContext(name, context)(...args));
process.stdout.write(JSON.stringify(out));
"""


def call(*calls: tuple[str, list]) -> list:
    result = subprocess.run([NODE, "-e", RUNNER, str(WORKER)], input=json.dumps(calls), capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout)


def test_query_words_hyphens_stop_words_and_phrases():
    got = call(("parseQuery", ["needle-in-haystack"]),
               ("parseQuery", ["How do Transformers memorize long context?"]),
               ("parseQuery", ['"theory of mind" multi-agent']),
               ("parseQuery", ["the of"]),
               ("parseQuery", ['"unclosed phrase here']))
    assert got == [
        {"words": ["needle", "haystack"], "phrases": []},
        {"words": ["transformers", "memorize", "long", "context"], "phrases": []},
        {"words": ["theory", "mind", "multi", "agent"], "phrases": ["theory of mind"]},
        {"words": ["the", "of"], "phrases": []},  # nothing but stop words: keep them
        {"words": ["unclosed", "phrase"], "phrases": ["unclosed phrase here"]},
    ]


def osa(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook dynamic programme."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_edit_distance_known_typos():
    got = call(("editDistance", ["hopfeild", "hopfield", 2]), ("editDistance", ["kuramato", "kuramoto", 2]),
               ("editDistance", ["hipocampus", "hippocampus", 2]), ("editDistance", ["xyzzyqwv", "hopfield", 2]))
    assert got == [1, 1, 1, 3]  # beyond the limit: limit + 1


def test_edit_distance_matches_the_textbook_within_the_limit():
    """500 random pairs over a small alphabet (many near misses), in one Node run."""
    rng = random.Random(12)
    pairs = [("".join(rng.choices("abcd", k=rng.randint(0, 8))), "".join(rng.choices("abcd", k=rng.randint(0, 8))))
             for _ in range(500)]
    got = call(*[("editDistance", [a, b, 2]) for a, b in pairs])
    assert got == [min(osa(a, b), 3) for a, b in pairs]
