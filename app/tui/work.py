"""Run service calls in thread workers and post their result as a message."""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker, get_current_worker

from app.tui.messages import WorkFailed
from storage.errors import TieoutError


def in_worker(node: DOMNode, job: Callable[[], Message], *, group: str = "default",
              exclusive: bool = False) -> Worker:
    """Run ``job`` off the UI thread; post what it returns (or :class:`WorkFailed`) to ``node``.

    An exclusive worker's superseded runs post nothing, so a fast typist
    only sees the last filter's result.  Unexpected exceptions are not
    swallowed: Textual reports them and stops the app.
    """

    def run() -> None:
        try:
            message = job()
        except TieoutError as exc:
            message = WorkFailed(str(exc))
        if not get_current_worker().is_cancelled:
            node.post_message(message)

    return node.run_worker(run, thread=True, group=group, exclusive=exclusive)
