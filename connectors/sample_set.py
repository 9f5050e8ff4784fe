"""Read a generated sample_data folder (``python -m tieout.sample_data.generate``).

The folder holds ``manifest.json`` and one JSON-Lines file (optionally
gzipped) per Stripe object type and NetSuite table.  The sample loader and
the sandboxes both read it through :class:`SampleSet`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from tieout.storage.errors import SampleSetError



class SampleSet:
    """One generated sample folder."""

    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir)
        manifest = self.path / "manifest.json"
        if not manifest.is_file():
            raise SampleSetError(f"{self.path}: no manifest.json (not a sample_data folder)")
        self.manifest: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
        self.files: dict[str, int] = self.manifest.get("files", {})

    def _file(self, system: str, name: str) -> Path | None:
        for suffix in (".jsonl.gz", ".jsonl"):
            candidate = self.path / system / (name + suffix)
            if candidate.is_file():
                return candidate
        return None

    def count(self, system: str, name: str) -> int:
        """How many objects the manifest says ``system/name`` holds (0 if absent)."""
        return next((n for f, n in self.files.items() if f.split(".")[0] == f"{system}/{name}"), 0)

    def rows(self, system: str, name: str) -> Iterator[dict[str, Any]]:
        """The objects of ``system/name`` in file order (nothing if the file is absent)."""
        path = self._file(system, name)
        if path is None:
            return
        opener: Any = gzip.open if path.suffix == ".gz" else open
        fh: IO[bytes]
        with opener(path, "rb") as fh:
            for no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield orjson.loads(line)
                except ValueError as exc:
                    raise SampleSetError(f"{path}: line {no}: not valid JSON ({exc})") from None

    def netsuite_transactions(self) -> Iterator[dict[str, Any]]:
        """Transactions with their ``lines``, ``links`` and ``customerexternalid``.

        Lines and links are merged by streaming: the generator writes them in
        transaction id order (checked), so memory stays flat at any size.
        """
        customers = {c["id"]: c.get("externalid") for c in self.rows("netsuite", "customer")}
        lines = _GroupedStream(self.rows("netsuite", "transactionline"), "transaction", "transactionline")
        links = _GroupedStream(self.rows("netsuite", "transactionlink"), "nextdoc", "transactionlink")
        for txn in self.rows("netsuite", "transaction"):
            tid = int(txn["id"])
            yield {**txn, "customerexternalid": customers.get(txn.get("entity")),
                   "lines": lines.take(tid), "links": links.take(tid)}


class _GroupedStream:
    """Rows sorted by an integer key, handed out one key's group at a time."""

    def __init__(self, rows: Iterator[dict[str, Any]], key: str, what: str) -> None:
        self.rows, self.key, self.what = rows, key, what
        self.pending: dict[str, Any] | None = next(rows, None)
        self.last = -1

    def take(self, wanted: int) -> list[dict[str, Any]]:
        group: list[dict[str, Any]] = []
        while self.pending is not None:
            k = int(self.pending[self.key])
            if k < self.last:
                raise SampleSetError(f"{self.what}: rows are not ordered by {self.key} ({k} after {self.last})")
            if k > wanted:
                break
            self.last = k
            if k == wanted:
                group.append(self.pending)
            self.pending = next(self.rows, None)
        return group
