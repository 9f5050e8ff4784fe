"""Every error tieout expects, in one tree.  The CLI prints any of them as one line and exits 1.

A message names what failed and where (file, row, column; source, object, id,
field; workspace path), never a secret.  Anything that is not a
:class:`TieoutError` is a bug and may show a traceback.

    TieoutError
    ├── WorkspaceError        a workspace that cannot be created, opened or written
    │   ├── WorkspaceBusy     open elsewhere while compacting, or being compacted while opening
    │   └── CompactError      a compaction that could not finish (the workspace is left as it was)
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


class TieoutError(Exception):
    """An expected failure whose message names what and where (file, record, field, source)."""


class WorkspaceError(TieoutError):
    """A workspace that cannot be created or opened; the message says where and why."""


class WorkspaceBusy(WorkspaceError):
    """Another process holds the workspace in a way that rules out what was asked."""


class CompactError(WorkspaceError):
    """Compaction could not finish; the workspace is left as it was."""


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
