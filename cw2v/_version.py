"""The single source of cw2v's version number."""

__version__ = "0.1.0"
