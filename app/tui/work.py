"""Run service calls in thread workers and post their result as a message."""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker, get_current_worker

from tieout.app.tui.messages import WorkFailed
from tieout.storage.errors import TieoutError

SERVICE_LOCK = threading.Lock()
"""One service call at a time: the service's connections (ADBC, SQLite) are not shared across threads safely."""


def in_worker(node: DOMNode, job: Callable[[], Message], *, group: str = "default",
              exclusive: bool = False, io: bool = True) -> Worker:
    """Run ``job`` off the UI thread; post what it returns (or :class:`WorkFailed`) to ``node``.

    An exclusive worker's superseded runs post nothing, so a fast typist
    only sees the last filter's result.  Jobs that call the service (``io``)
    run one at a time; pure polars work (``io=False``) does not wait for them.
    Unexpected exceptions are not swallowed: Textual reports them and stops the app.
    """

    def run() -> None:
        try:
            if io:
                with SERVICE_LOCK:
                    message = job()
            else:
                message = job()
        except TieoutError as exc:
            message = WorkFailed(str(exc))
        if not get_current_worker().is_cancelled:
            node.post_message(message)

    return node.run_worker(run, thread=True, group=group, exclusive=exclusive)
