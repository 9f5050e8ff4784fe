"""The root of tieout's own errors: the CLI prints these as one clear line, no traceback."""


class TieoutError(Exception):
    """An expected failure whose message names what and where (file, record, field, source)."""
