"""Run sync jobs side by side, one worker process per source.

Why processes: fetching, JSON parsing and mapping are Python-bound, and so
is most of a page's ingest; threads would share one core.  SQLite still
takes one writer at a time (``BEGIN IMMEDIATE`` waits up to busy_timeout),
but each worker keeps fetching and mapping while the other commits.

A worker is ``python -m tieout.connectors.sync_workers``: a plain subprocess, so it
shares nothing with the caller (no threads, open connections or ``__main__``
re-import, as forking or multiprocessing would bring).  The job, with its
secret, goes in over stdin, never argv or the environment; progress and the
result come back over stdout as length-prefixed pickles.  The job comes with the canonical tables'
columns as plain data (:mod:`storage.columns`), so the worker never imports the models.  The worker keeps
reading stdin: end-of-file means the caller has gone, and the worker stops
before its next page, leaving its run ``failed`` and resumable, like a crash.
"""

from __future__ import annotations

import pickle
import queue
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from tieout.storage.columns import adopt, canonical_columns
from tieout.storage.errors import CallerGone

if TYPE_CHECKING:
    from tieout.connectors.sync import ProgressFn, SyncJob, SyncResult

_HEADER = struct.Struct("!Q")


def send_message(stream: IO[bytes], message: Any) -> None:
    """Write one length-prefixed pickle: how a job goes to a worker, and progress and results come back."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def receive_message(stream: IO[bytes]) -> Any:
    """The next message, or None at end of stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))


def send_job(stream: IO[bytes], job: "SyncJob") -> None:
    """Hand a worker its job, with the canonical columns so it need not import the models."""
    send_message(stream, (job, canonical_columns()))


def run_in_workers(jobs: Sequence["SyncJob"], progress: "ProgressFn | None") -> list["SyncResult"]:
    """``connectors.sync.run_job`` for every job, each in its own process; results in the order of ``jobs``."""
    messages: queue.Queue = queue.Queue()
    workers = []
    try:
        for index, job in enumerate(jobs):
            errors = tempfile.TemporaryFile()
            proc = subprocess.Popen([sys.executable, "-m", "tieout.connectors.sync_workers"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=errors)
            try:
                send_job(proc.stdin, job)  # type: ignore[arg-type]
            except BrokenPipeError:  # it died before reading its job: reported below with its exit code
                pass
            threading.Thread(target=_relay, args=(index, proc.stdout, messages), daemon=True).start()
            workers.append((proc, errors))
        results: dict[int, SyncResult] = {}
        ended = 0
        while ended < len(jobs):
            index, message = messages.get()
            if message is None:
                ended += 1
                if index not in results:
                    results[index] = _lost(jobs[index], *workers[index])
            elif message[0] == "result":
                results[index] = message[1]
            elif progress:
                progress(message[1])
        return [results[i] for i in range(len(jobs))]
    finally:
        for proc, errors in workers:
            try:
                proc.stdin.close()  # type: ignore[union-attr]
            except BrokenPipeError:  # unflushed job bytes of a worker that already died
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            errors.close()


def _relay(index: int, stream: IO[bytes], messages: queue.Queue) -> None:
    while (message := receive_message(stream)) is not None:
        messages.put((index, message))
    messages.put((index, None))


def _lost(job: "SyncJob", proc: subprocess.Popen, errors: IO[bytes]) -> "SyncResult":
    """A failure for a worker that ended without a result, naming its exit code and last stderr line."""
    from tieout.connectors.sync import SyncResult

    code = proc.wait()
    errors.seek(0)
    lines = errors.read().decode("utf-8", "replace").strip().splitlines()
    last = f": {lines[-1]}" if lines else ""
    name = job.settings.name
    return SyncResult(source=name, ok=False, error=f"sync worker for {name!r} exited with code {code}{last} "
                                                   f"(the next sync resumes after its last committed page)")


def main() -> None:
    """Worker body: read the job, run it, send progress and then the result; stop if the caller has gone."""
    from tieout.connectors.sync import run_job

    job, columns = receive_message(sys.stdin.buffer)
    adopt(columns)  # so ingest never imports the models (SQLModel: two thirds of a worker's start)
    out = sys.stdout.buffer
    gone = threading.Event()

    def watch() -> None:
        sys.stdin.buffer.read()  # returns at end of file: the caller closed its end, or ended
        gone.set()

    threading.Thread(target=watch, daemon=True).start()

    def report(p: Any) -> None:
        if gone.is_set():
            raise CallerGone(f"sync of {job.settings.name!r} stopped: the process that started it has ended")
        send_message(out, ("progress", p))

    send_message(out, ("result", run_job(job, report)))


if __name__ == "__main__":
    main()
