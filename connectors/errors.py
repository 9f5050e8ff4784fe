"""Connector failures.  Messages name the source, path and object id, never a secret."""

from __future__ import annotations

from tieout.storage.errors import TieoutError


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


class MappingError(ConnectorError):
    """A payload that cannot be mapped to canonical rows; names the object and field."""


class CredentialError(ConnectorError):
    """No usable secret (missing, or no keyring on this machine)."""
