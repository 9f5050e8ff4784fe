"""Expected export failures, reported as one line naming what and where."""

from tieout.storage.errors import TieoutError


class ExportError(TieoutError):
    """An export request that cannot be written (bad period, entity, path or format)."""
