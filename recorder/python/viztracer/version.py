"""The package version: vizviewer's version (the recorder writes it into viztracer_metadata)."""
__version__ = "0.1.0"
