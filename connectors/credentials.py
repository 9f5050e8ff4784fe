"""Source secrets: the OS keyring (service ``tieout``), or ``TIEOUT_SECRET_<NAME>``.

The environment variable wins, so headless runs need no keyring.  A machine
with no usable keyring gets a one-line :class:`CredentialError` pointing to
the variable.  Secrets are returned to the caller and never stored elsewhere.
"""

from __future__ import annotations

import os
import re

import keyring
from keyring.errors import KeyringError

from tieout.connectors.errors import CredentialError

SERVICE = "tieout"


def env_var(source: str) -> str:
    """The environment variable holding ``source``'s secret, e.g. ``TIEOUT_SECRET_STRIPE_US``."""
    return "TIEOUT_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", source).upper()


def _no_keyring(source: str, exc: Exception) -> CredentialError:
    return CredentialError(
        f"no usable keyring on this machine ({type(exc).__name__}); set {env_var(source)} instead"
    )


def get_secret(source: str) -> str | None:
    """The secret for ``source``, or None if none is stored anywhere."""
    value = os.environ.get(env_var(source))
    if value:
        return value
    try:
        return keyring.get_password(SERVICE, source)
    except (KeyringError, RuntimeError) as exc:
        raise _no_keyring(source, exc) from None


def require_secret(source: str) -> str:
    secret = get_secret(source)
    if not secret:
        raise CredentialError(f"source {source!r} has no secret: run `tieout connect {source}` or set {env_var(source)}")
    return secret


def set_secret(source: str, secret: str) -> None:
    """Store ``secret`` in the OS keyring."""
    if not secret:
        raise CredentialError(f"source {source!r}: empty secret not stored")
    try:
        keyring.set_password(SERVICE, source, secret)
    except (KeyringError, RuntimeError) as exc:
        raise _no_keyring(source, exc) from None


def has_secret(source: str) -> bool:
    """Whether a secret is available (never raises, never returns the secret)."""
    try:
        return bool(get_secret(source))
    except CredentialError:
        return False
