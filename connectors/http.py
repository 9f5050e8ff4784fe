"""One HTTP client per sync: timeouts, a client-side rate limit, and retries.

Retries cover what is worth retrying — 429 and 5xx (honouring
``Retry-After``), connection errors, timeouts, bodies cut mid-way and pages
that are not valid JSON — with exponential backoff and full jitter.  401/403
fail at once as :class:`AuthFailed`; other 4xx as :class:`BadResponse` with
the vendor's own message (each connector passes its error-shape reader).
Request headers (credentials) never appear in an error message.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from tieout.connectors.errors import (AuthFailed, BadResponse, OutcomeUnknown, RateLimited, SourceUnavailable,
                                     WriteRefused)

ErrorReader = Callable[[httpx.Response], str]
Signer = Callable[[httpx.Request], None]


@dataclass
class RetryPolicy:
    tries: int = 5
    backoff_base: float = 0.25  # seconds; doubled each try
    backoff_cap: float = 20.0
    max_retry_after: float = 60.0


class RateLimiter:
    """At most ``rate`` requests per second, spaced evenly (thread-safe)."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


def _plain_error(response: httpx.Response) -> str:
    return response.text[:200]


class HttpClient:
    """JSON over HTTP for one source, with the retry and rate-limit policy above."""

    def __init__(
        self,
        base_url: str,
        *,
        source: str,
        headers: dict[str, str] | None = None,
        signer: Signer | None = None,
        error_reader: ErrorReader = _plain_error,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        rate: float | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source = source
        self.signer = signer
        self.error_reader = error_reader
        self.retry = retry or RetryPolicy()
        self.limiter = RateLimiter(rate)
        self.sleep = sleep
        self.retries = 0  # how many retries this client made (for reports and tests)
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers or {},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        )

    def close(self) -> None:
        self._client.close()

    def set_header(self, name: str, value: str) -> None:
        """A header sent with every later request (e.g. a bearer token once obtained)."""
        self._client.headers[name] = value

    def has_header(self, name: str) -> bool:
        return name in self._client.headers

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        form: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        what: str | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """Send one request (retrying as above) and return its decoded JSON body (None for 204).

        ``what`` names the object for messages, e.g. ``"invoice in_123"``; with ``missing_ok`` a 404
        returns None (reading back a record that may not exist).
        """
        where = f"{self.source}: {method} {path}" + (f" ({what})" if what else "")
        last_problem = ""
        for attempt in range(1, self.retry.tries + 1):
            self.limiter.wait()
            request = self._client.build_request(
                method, path, params=params, json=json_body, data=form, headers=headers
            )
            if self.signer:
                self.signer(request)
            wait: float | None = None
            try:
                response = self._client.send(request)
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}"
                error_cls: type = SourceUnavailable
            else:
                status = response.status_code
                if status in (401, 403):
                    raise AuthFailed(f"{where}: credentials refused ({status}: {self.error_reader(response)})")
                if status == 429 or status >= 500:
                    last_problem = f"HTTP {status}: {self.error_reader(response)}"
                    error_cls = RateLimited if status == 429 else SourceUnavailable
                    wait = _retry_after(response, self.retry.max_retry_after)
                elif status == 404 and missing_ok:
                    return None
                elif status >= 400:
                    raise BadResponse(f"{where}: HTTP {status}: {self.error_reader(response)}")
                elif status == 204:
                    return None  # e.g. a NetSuite upsert: the Location header names the record
                else:
                    try:
                        return orjson.loads(response.content)
                    except orjson.JSONDecodeError:
                        last_problem = "response is not valid JSON"
                        error_cls = BadResponse
            if attempt == self.retry.tries:
                break
            self.retries += 1
            self.sleep(wait if wait is not None else self._backoff(attempt))
        raise error_cls(f"{where}: {last_problem} (gave up after {self.retry.tries} tries)")

    def write_once(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        what: str | None = None,
        error_code: Callable[[httpx.Response], str | None] = lambda response: None,
    ) -> httpx.Response:
        """Send a write exactly once: never retried here, because a write whose answer was lost may have
        been applied (a retried keyless-sublist PATCH appends its lines twice).  The caller decides what to
        do next: a 2xx is returned; a 4xx raises :class:`WriteRefused` (nothing written); a timeout, a
        dropped connection or a 5xx raises :class:`OutcomeUnknown` (look it up before re-sending)."""
        where = f"{self.source}: {method} {path}" + (f" ({what})" if what else "")
        self.limiter.wait()
        request = self._client.build_request(method, path, json=json_body, data=form, headers=headers)
        if self.signer:
            self.signer(request)
        try:
            response = self._client.send(request)
        except httpx.TransportError as exc:
            raise OutcomeUnknown(f"{where}: {type(exc).__name__}; the write may have been applied") from None
        status = response.status_code
        if status in (401, 403):
            raise AuthFailed(f"{where}: credentials refused ({status}: {self.error_reader(response)})")
        if status >= 500:
            raise OutcomeUnknown(f"{where}: HTTP {status}: {self.error_reader(response)}")
        if status >= 400:
            raise WriteRefused(f"{where}: HTTP {status}: {self.error_reader(response)}", status=status,
                               code=error_code(response))
        return response

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.retry.backoff_cap, self.retry.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


def _retry_after(response: httpx.Response, cap: float) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return min(cap, max(0.0, float(value)))
    except ValueError:
        return None
