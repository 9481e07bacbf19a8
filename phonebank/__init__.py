"""Phonebank: an open-source outbound calling server."""

__version__ = "0.1.0"
