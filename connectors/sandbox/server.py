"""The HTTP plumbing both sandboxes share: a threaded loopback server, JSON
replies, fault injection, and a context manager that serves in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from tieout.connectors.sandbox.faults import Faults


class Reply(Exception):
    """Raised by a route to answer with ``status`` and a JSON ``body`` (errors, mostly)."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class Request:
    """What a route sees: method, path, query pairs, headers and the raw body."""

    def __init__(self, method: str, target: str, headers: Any, body: bytes) -> None:
        parts = urlsplit(target)
        self.method = method
        self.path = parts.path
        self.query_pairs = parse_qsl(parts.query, keep_blank_values=True)
        self.query = dict(self.query_pairs)
        self.headers = headers
        self.body = body
        self.url = target


class Sandbox:
    """Base class: subclasses implement :meth:`handle` (and :meth:`authorize`)."""

    name = "sandbox"

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self.requests = 0
        self._httpd: ThreadingHTTPServer | None = None

    def handle(self, request: Request) -> tuple[int, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------ serving

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        sandbox = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # one small reply per request: no 40 ms delayed-ACK stalls
            wbufsize = 1 << 16  # headers and body leave in one write (flushed per request)

            def log_message(self, *args: Any) -> None:  # quiet: tests and the demo share a terminal
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                sandbox.requests += 1
                request = Request(self.command, self.path, self.headers, body)
                fault = sandbox.faults.pick()
                write_fault = sandbox.faults.pick_write() if sandbox.is_write(request) else None
                if fault == "slow":
                    time.sleep(sandbox.faults.slow_seconds)
                try:
                    if fault in ("429", "500") or write_fault == "write_500":
                        code = 500 if write_fault == "write_500" else int(fault)  # type: ignore[arg-type]
                        raise Reply(code, sandbox.fault_body(code),
                                    {"Retry-After": f"{sandbox.faults.retry_after:g}"} if code == 429 else {})
                    status, payload = sandbox.handle(request)
                    headers: dict[str, str] = {}
                except Reply as reply:
                    status, payload, headers = reply.status, reply.body, reply.headers
                if write_fault == "write_timeout":  # applied; the answer comes after the client gave up
                    time.sleep(sandbox.faults.slow_seconds)
                data = b"" if payload is None else orjson.dumps(payload)  # the stdlib encoder is several times slower
                if fault == "malformed" and status == 200:
                    data = data[: max(1, len(data) // 2)]
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in headers.items():
                    self.send_header(key, value)
                if fault == "drop":
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (write_timeout)
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._httpd = ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name=f"{self.name}-sandbox", daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._httpd is not None, "sandbox not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def fault_body(self, status: int) -> Any:
        return {"error": {"status": status}}

    def is_write(self, request: Request) -> bool:
        """Whether ``request`` changes data (write faults hit only these)."""
        return request.method in ("PUT", "PATCH", "DELETE")

    @contextmanager
    def serving(self, port: int = 0) -> Iterator[str]:
        """Serve in a background thread for the duration of the ``with`` block; yields the base URL."""
        url = self.start(port)
        try:
            yield url
        finally:
            self.stop()
