"""Expected export failures (defined in :mod:`tieout.storage.errors`, the one error tree)."""

from tieout.storage.errors import ExportError

__all__ = ["ExportError"]
