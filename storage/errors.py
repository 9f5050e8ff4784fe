"""Every error tieout expects, in one tree.  The CLI prints any of them as one line and exits 1.

A message names what failed and where (file, row, column; source, object, id,
field; workspace path), never a secret.  Anything that is not a
:class:`TieoutError` is a bug and may show a traceback.

    TieoutError
    ├── WorkspaceError        a workspace that cannot be created, opened or written
    │   ├── WorkspaceBusy     open elsewhere while compacting, or being compacted while opening
    │   └── CompactError      a compaction that could not finish (the workspace is left as it was)
    ├── StoreError            the database cannot be read or written: damaged, read-only, busy, disk full
    ├── PeriodError           a malformed period, or a sign-off step out of order / on a locked period
    ├── MoneyError            amount text that is not exact in its currency (also a ValueError)
    │   └── UnknownCurrency   not an active ISO 4217 code
    ├── IngestError           a record that cannot be stored (object and field named)
    ├── ConnectorError        a source that could not be read or written
    │   ├── AuthFailed        the source refused the credentials (401/403)
    │   ├── RateLimited       still throttled (429) after every retry
    │   ├── SourceUnavailable 5xx, timeouts or dropped connections after every retry
    │   ├── BadResponse       a response that is not what the API documents
    │   ├── MappingError      a payload that cannot be mapped to canonical rows
    │   ├── CredentialError   no usable secret (missing, or no keyring)
    │   ├── FileRowError      a file row that cannot be imported (file, row, column)
    │   ├── MappingFileError  a mapping file that cannot be used (file, key)
    │   ├── SampleSetError    a generated sample folder that cannot be read
    │   ├── WriteRefused      a write the source refused (4xx): nothing was written
    │   └── OutcomeUnknown    a write whose answer was lost (timeout, 5xx): look it up before re-sending
    ├── SyncFailed            at least one source failed to sync (each one named)
    ├── CallerGone            a sync worker whose parent process has gone away
    ├── RulesetError          a ruleset that cannot be used (file, entry)
    ├── ServiceError          a request the service refuses (bad status, reason, domain ...)
    │   └── NotFound          no break / match / record with that id
    ├── CorrectionError       a correction that cannot be proposed, approved, planned or pushed
    ├── FilterError           a queue filter value that cannot be applied
    └── ExportError           an export that cannot be written (period, entity, path, format)

The classes are defined here so this module is the one place to read; the
layers re-export the ones they raise (``tieout.connectors.errors`` ...).
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path


class TieoutError(Exception):
    """An expected failure whose message names what and where (file, record, field, source)."""


class WorkspaceError(TieoutError):
    """A workspace that cannot be created or opened; the message says where and why."""


class WorkspaceBusy(WorkspaceError):
    """Another process holds the workspace in a way that rules out what was asked."""


class CompactError(WorkspaceError):
    """Compaction could not finish; the workspace is left as it was."""


class StoreError(TieoutError):
    """The workspace database cannot be read or written: damaged, read-only, busy or out of disk."""


class PeriodError(TieoutError):
    """A malformed period, or a sign-off step out of order, by the wrong person, or on a locked period."""


class MoneyError(TieoutError, ValueError):
    """Amount text that cannot be represented exactly in the currency."""


class UnknownCurrency(MoneyError):
    """A currency code that is not an active ISO 4217 code."""


class IngestError(TieoutError):
    """A record that cannot be stored; names the object and the field."""


class ConnectorError(TieoutError):
    """A source that could not be read or written."""


class AuthFailed(ConnectorError):
    """The source refused the credentials (401/403)."""


class RateLimited(ConnectorError):
    """Still throttled (429) after every retry."""


class SourceUnavailable(ConnectorError):
    """5xx, timeouts or dropped connections after every retry."""


class BadResponse(ConnectorError):
    """A response that is not what the API documents (bad JSON, missing fields)."""


class WriteRefused(ConnectorError):
    """The source answered a write with a definite refusal (4xx): nothing was written.

    ``code`` is the vendor's error code (NetSuite ``o:errorCode``, Stripe ``error.type``) when it sent one."""

    def __init__(self, message: str, *, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code = status, code


class OutcomeUnknown(ConnectorError):
    """A write went out and no definite answer came back (timeout, dropped connection, 5xx): it may or may
    not have been applied, so it must be looked up before it is sent again."""


class MappingError(ConnectorError):
    """A payload that cannot be mapped to canonical rows; names the object and field."""


class CredentialError(ConnectorError):
    """No usable secret (missing, or no keyring on this machine)."""


class FileRowError(ConnectorError):
    """A row that cannot be imported: file, row, column and reason."""


class MappingFileError(ConnectorError):
    """A mapping file that cannot be used; names the file and the key."""


class SampleSetError(ConnectorError):
    """A generated sample folder that cannot be read."""


class SyncFailed(TieoutError):
    """At least one source failed to sync; the message names each one and why."""


class CallerGone(TieoutError):
    """The process that started this sync worker has ended; it stops before the next page."""


class RulesetError(TieoutError):
    """A ruleset that cannot be used; the message names the file and the offending entry."""


class ServiceError(TieoutError):
    """A request the service refuses (bad status, reason code, domain ...)."""


class NotFound(ServiceError):
    """No break / match / record with that id."""


class CorrectionError(TieoutError):
    """A correction that cannot be proposed, approved, planned or pushed; the message says why."""


class FilterError(TieoutError):
    """A filter value that cannot be applied (e.g. an amount that is not a number)."""


class ExportError(TieoutError):
    """An export request that cannot be written (bad period, entity, path or format)."""


# SQLite's message (lower-cased fragment) -> what it means for the user and what to do
_CAUSES: tuple[tuple[str, str], ...] = (
    ("file is not a database", "is not a SQLite database (overwritten or damaged); restore it from a backup"),
    ("malformed", "is damaged (database disk image is malformed); restore it from a backup"),
    ("database or disk is full", "the disk is full; free some space and retry (nothing was half-written)"),
    ("disk i/o error", "disk I/O error: the disk may be full or failing; free space and retry "
                       "(nothing was half-written)"),
    ("readonly database", "the workspace is read-only: this command writes, so it is refused "
                          "(reading commands still work)"),
    ("read-only", "the workspace is read-only: this command writes, so it is refused "
                  "(reading commands still work)"),
    ("unable to open database file", "cannot be opened; check that the folder exists and is readable"),
    ("database is locked", "is busy: another tieout process is writing; retry when it is done"),
)


def describe_db_error(exc: BaseException, db_path: Path | str) -> str:
    """One line naming the database file, what went wrong and what to do, for a SQLite/driver error."""
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = message.lower()
    for fragment, meaning in _CAUSES:
        if fragment in lowered:
            return f"{db_path}: {meaning}"
    return f"{db_path}: {message}"


def is_db_error(exc: BaseException) -> bool:
    """True for a failure of the database file or its disk (through sqlite3, SQLAlchemy or the ADBC driver).

    Constraint violations and programming errors are not: callers handle those (a race on the audit
    chain's head is an IntegrityError the writer retries).
    """
    orig = getattr(exc, "orig", None)
    if isinstance(orig, BaseException):
        exc = orig
    if isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError:
        return True
    return type(exc).__module__.startswith("adbc_driver_manager") and type(exc).__name__ in (
        "OperationalError", "DatabaseError", "ProgrammingError", "InternalError")


def describe_os_error(exc: OSError) -> str:
    """An OS error's cause in words, with what to do about a full disk or a size limit."""
    cause = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        cause += " (the disk is full or a size limit was reached: free some space and retry)"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        cause += " (check that the folder can be written)"
    return cause
