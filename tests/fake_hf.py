"""A local fake of the Hugging Face papers API, for tests: started by the test on 127.0.0.1, reached
through HF_ENDPOINT. Nothing reaches the internet.

    GET /api/daily_papers?date=|week=|month=&limit=&p=   pages of `daily[value]`, p=0.. then an empty page
    GET /api/papers/search?q=                            `searches[q]`

`script` queues canned answers per (path, query-without-p) before the real
one: (status, headers, body bytes) -> e.g. a 503 that succeeds on retry, a
429 with Retry-After, malformed JSON. Every request is recorded.
"""

from __future__ import annotations

import http.server
import json
from urllib.parse import parse_qsl, urlsplit

from helpers import start


class FakeHF:
    def __init__(self):
        self.daily: dict[str, list] = {}
        self.searches: dict[str, object] = {}
        self.script: dict[str, list[tuple[int, dict, bytes]]] = {}
        self.requests: list[str] = []
        self.server = start(http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler()))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, key: str, *answers: tuple[int, dict, bytes]) -> None:
        """Queue answers for requests whose path and query (without p) read `key`."""
        self.script.setdefault(key, []).extend(answers)

    def _answer(self, raw_path: str) -> tuple[int, dict, bytes]:
        self.requests.append(raw_path)
        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query))
        page = int(query.pop("p", 0))
        key = parts.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()) if k != "limit")
        queued = self.script.get(key)
        if queued:
            return queued.pop(0)
        if parts.path == "/api/daily_papers":
            period = query.get("date") or query.get("week") or query.get("month")
            limit = int(query.get("limit", 50))
            items = self.daily.get(period, [])
            return 200, {}, json.dumps(items[page * limit:(page + 1) * limit]).encode()
        if parts.path == "/api/papers/search":
            return 200, {}, json.dumps(self.searches.get(query.get("q"), [])).encode()
        return 404, {}, b'{"error": "Not Found"}'

    def _handler(self):
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, headers, body = fake._answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


def daily_item(arxiv_id: str | None, title: str, summary: str = "An abstract.", **paper_fields) -> dict:
    """A Daily Papers item: the paper nested under "paper", some fields repeated at the top."""
    paper = {"id": arxiv_id, "title": title, "summary": summary, "authors": [{"name": "Ada Lovelace", "hidden": False},
             {"name": "Alan Turing", "hidden": False}], "publishedAt": "2025-10-27T17:59:59.000Z",
             "submittedOnDailyAt": "2025-10-28T04:01:02.000Z", "upvotes": 12, "githubRepo": None,
             "ai_summary": "A summary written by a model.", "ai_keywords": ["spiking", "neuromorphic"]}
    paper.update(paper_fields)
    return {"paper": paper, "publishedAt": "2025-10-28T04:01:02.000Z", "title": title, "summary": summary,
            "thumbnail": "https://cdn-thumbnails.huggingface.co/x.png", "numComments": 2,
            "submittedBy": {"name": "someone"}, "isAuthorParticipating": False}


def flat_item(arxiv_id: str | None, title: str, summary: str = "An abstract.", **fields) -> dict:
    """The same fields flat at the top level (GET /api/papers/{id}, some search answers)."""
    item = dict(daily_item(arxiv_id, title, summary, **fields)["paper"])
    return item
