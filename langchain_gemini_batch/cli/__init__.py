"""`gemini-batch`: the command line (submit, status, wait, results, list, cancel, jobs, ...).

Run `gemini-batch --help`, or `python -m langchain_gemini_batch.cli --help`.
"""

from __future__ import annotations

from langchain_gemini_batch.cli import _jobs, _work
from langchain_gemini_batch.cli._app import cli

__all__ = ["cli", "main"]

del _jobs, _work  # imported for their commands


def main() -> None:
    """The console script's entry point."""
    cli(prog_name="gemini-batch")
