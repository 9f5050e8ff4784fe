"""tieout's interfaces: the Textual review app and the `tieout` CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tieout")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
