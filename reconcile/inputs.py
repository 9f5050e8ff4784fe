"""What a match run fingerprints and leaves out, whatever the domain.

Each domain loads its own normalised frame (:meth:`Domain.load`); records in
an active manual match are settled and leave automatic matching; the run's
fingerprint covers every value the engine then sees.
"""

from __future__ import annotations

import hashlib
import json

import polars as pl


def fingerprint(frame: pl.DataFrame, manual: pl.DataFrame) -> str:
    """SHA-256 over every input value the engine sees (records and active manual matches).

    Row hashes come from polars' fixed-seed ``hash_rows`` (stable for a polars
    version, whose number is part of the digest), sorted so row order does not count.
    """
    digest = hashlib.sha256(f"polars {pl.__version__}|{frame.height}|".encode())
    digest.update(frame.drop("rid").hash_rows(seed=0).sort().to_arrow().buffers()[1])
    digest.update(manual.write_csv().encode("utf-8"))
    return digest.hexdigest()


def manual_ids(manual: pl.DataFrame) -> dict[str, list[str]]:
    """Per side, the external ids held by these manual matches (id lists stored as JSON text)."""
    return {side: [i for ids in manual[f"{side}_ids"] for i in json.loads(ids)] for side in ("billing", "erp")}


def without_manual(frame: pl.DataFrame, manual: pl.DataFrame) -> pl.DataFrame:
    """Records in an active manual match are settled; automatic matching leaves them alone."""
    if manual.height == 0:
        return frame
    ids = manual_ids(manual)
    taken = ((pl.col("side") == "billing") & pl.col("key").is_in(ids["billing"])) | (
        (pl.col("side") == "erp") & pl.col("key").is_in(ids["erp"]))
    return frame.filter(~taken)
