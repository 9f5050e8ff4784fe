"""Widgets of the review app; each keeps its styles in a .tcss file beside it."""
