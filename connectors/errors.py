"""Connector failures (defined in :mod:`tieout.storage.errors`, the one error tree).

Messages name the source, path and object id, never a secret.
"""

from tieout.storage.errors import (
    AuthFailed,
    BadResponse,
    ConnectorError,
    CredentialError,
    FileRowError,
    MappingError,
    MappingFileError,
    OutcomeUnknown,
    RateLimited,
    SampleSetError,
    SourceUnavailable,
    WriteRefused,
)

__all__ = ["AuthFailed", "BadResponse", "ConnectorError", "CredentialError", "FileRowError", "MappingError",
           "MappingFileError", "OutcomeUnknown", "RateLimited", "SampleSetError", "SourceUnavailable", "WriteRefused"]
