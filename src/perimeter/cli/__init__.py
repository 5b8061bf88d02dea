"""The ``perimeter`` command line: one module per command, the lazy group in :mod:`.main`."""

from perimeter.cli.main import cli, main

__all__ = ["cli", "main"]
