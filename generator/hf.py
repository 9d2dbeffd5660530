"""Talking to the Hugging Face API: GET a JSON answer, with retries. The only module that uses the network.

The base URL is `HF_ENDPOINT` (huggingface_hub's convention), read when a
client is made, default https://huggingface.co. Requests go through
huggingface_hub's shared HTTP session (`huggingface_hub.utils.get_session`).
We parse the raw JSON ourselves: `HfApi.list_daily_papers` turns items into
dataclasses that drop what is nested under `paper`.

Retries: HTTP 5xx and timeouts or connection errors are retried with
exponential backoff (1, 2, 4, 8 s); HTTP 429 waits as long as its
`Retry-After` says (seconds or an HTTP date). After the last attempt, or on
any other error status, or an answer that is not JSON, `FetchError` names the
request. `sleep` is injectable so tests do not wait.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from generator.errors import FetchError

DEFAULT_ENDPOINT = "https://huggingface.co"
PAGE_SIZE = 100  # the most /api/daily_papers gives per page
MAX_PAGES = 1000  # a server that never answers an empty page still ends
LONGEST_WAIT = 600.0  # a Retry-After longer than this is a failure, not a wait


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


@dataclass
class Client:
    base: str = field(default_factory=endpoint)
    attempts: int = 5
    backoff: float = 1.0
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    progress: Callable[[str], None] = lambda message: None
    requests: int = 0  # made so far, retries included

    def describe(self, path: str, params: dict) -> str:
        return f"GET {self.base}{path}" + (f"?{urlencode(params)}" if params else "")

    def get_json(self, path: str, params: dict) -> object:
        """The decoded JSON answer of GET `path`; FetchError naming the request when there is none."""
        import httpx2  # huggingface_hub's HTTP library
        from huggingface_hub.utils import get_session

        request = self.describe(path, params)
        wait = self.backoff
        for attempt in range(1, self.attempts + 1):
            self.requests += 1
            last = attempt == self.attempts
            try:
                response = get_session().get(self.base + path, params=params, timeout=self.timeout,
                                             follow_redirects=True)
            except httpx2.TransportError as error:  # timeouts, refused or dropped connections
                reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                if last:
                    raise FetchError(f"{request}: no answer after {attempt} attempts ({reason}); "
                                     "nothing was stored, try again later") from None
                self._pause(wait, f"{reason}; retrying")
                wait *= 2
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                if last:
                    raise FetchError(f"{request}: HTTP {status} after {attempt} attempts; "
                                     "nothing was stored, try again later")
                if status == 429:
                    delay = retry_after(response.headers.get("Retry-After"), wait)
                    if delay > LONGEST_WAIT:
                        raise FetchError(f"{request}: rate limited (HTTP 429) for {delay:.0f} s; "
                                         "nothing was stored, try again later")
                    self._pause(delay, "rate limited (HTTP 429)")
                else:
                    self._pause(wait, f"HTTP {status}; retrying")
                    wait *= 2
                continue
            return self._decode(response, request)
        raise AssertionError("unreachable")

    def _decode(self, response, request: str) -> object:
        from huggingface_hub.errors import HfHubHTTPError
        from huggingface_hub.utils import hf_raise_for_status

        try:
            hf_raise_for_status(response)
        except HfHubHTTPError as error:
            message = " ".join(str(error).split())
            raise FetchError(f"{request}: {message[:300]}; nothing was stored") from None
        try:
            return json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise FetchError(f"{request}: the answer is not JSON ({error}); nothing was stored") from None

    def _pause(self, seconds: float, why: str) -> None:
        self.progress(f"  {why}: waiting {seconds:g} s")
        self.sleep(seconds)


def retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (RFC 9110 10.2.3: seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def daily_papers(client: Client, period: dict[str, str]) -> list:
    """Every item of GET /api/daily_papers for one date, week or month: pages p=0, 1, ... until an empty one."""
    items: list = []
    for page in range(MAX_PAGES):
        params = {**period, "limit": PAGE_SIZE, "p": page}
        answer = _papers(client.get_json("/api/daily_papers", params), client.describe("/api/daily_papers", params))
        client.progress(f"  page {page}: {len(answer)} papers")
        if not answer:
            return items
        items.extend(answer)
    raise FetchError(f"{client.describe('/api/daily_papers', period)}: still not an empty page after "
                     f"{MAX_PAGES} pages; nothing was stored")


def search_papers(client: Client, query: str) -> list:
    """The items of GET /api/papers/search?q=QUERY."""
    params = {"q": query}
    return _papers(client.get_json("/api/papers/search", params), client.describe("/api/papers/search", params))


def _papers(answer: object, request: str) -> list:
    """`answer` if it is a list of objects (the items' fields are checked when read)."""
    if not isinstance(answer, list):
        raise FetchError(f"{request}: expected a JSON list of papers, got {type(answer).__name__}; "
                         "nothing was stored")
    for i, item in enumerate(answer):
        if not isinstance(item, dict):
            raise FetchError(f"{request}: item {i + 1} is {type(item).__name__}, not a paper object; "
                             "nothing was stored")
    return answer
