"""Benchmarks against the local emulator (see `__main__.py`)."""
