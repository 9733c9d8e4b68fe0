"""The package version, in one place: every module reads it from here."""

__version__ = "0.1.0"
