"""tieout's interfaces: the Textual review app and the `tieout` CLI."""

from tieout import __version__

__all__ = ["__version__"]
