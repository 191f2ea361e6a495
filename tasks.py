#!/usr/bin/env python3
"""One entry point for every project command; needs nothing but Python 3.10+.

    python3 tasks.py demo      # set up .venv, then run a real chain.abatch through the Batch API
    python3 tasks.py test      # set up .venv, then ruff, mypy and the whole test suite
    python3 tasks.py bench     # benchmarks against the emulator (README: Benchmarks)
    python3 tasks.py record    # re-record every cassette (emulator, or Google with GOOGLE_API_KEY)
    python3 tasks.py emulator  # start the local Gemini API emulator on port 8765

The first call creates `.venv` and installs the package with its test and dev extras, pinned by
`constraints.txt`; later calls skip the install unless `pyproject.toml` or the constraints change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def setup() -> None:
    """Create the virtual environment and install the project into it when needed."""
    if sys.version_info < (3, 10):  # noqa: UP036 - tasks.py may run under any python3
        sys.exit(f"Python 3.10 or newer is needed, this is {sys.version.split()[0]}")
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    fingerprint = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    print("installing langchain-gemini-batch with its test and dev extras", flush=True)
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run(
        [*pip, "install", "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[test,dev]"],
        check=True,
    )
    STAMP.write_text(fingerprint)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return env


def run(*args: str) -> int:
    """Run a command with the virtual environment's executables first on PATH."""
    return subprocess.run(list(args), cwd=ROOT, env=_env(), check=False).returncode


def become(*args: str) -> int:
    """Replace this process with the command, so signals (Ctrl-C, SIGTERM) reach it directly."""
    os.chdir(ROOT)
    if os.name == "nt":  # no exec on Windows: run it as a child instead
        return run(*args)
    os.execve(args[0], list(args), _env())  # noqa: S606 - our own venv's python
    return 0  # not reached: execve does not return


def cmd_test(extra: list[str]) -> int:
    """Lint, type-check, then run the whole suite (unit, emulator and cassette tests)."""
    for step in (
        [str(PY), "-m", "ruff", "check", "."],
        [str(PY), "-m", "ruff", "format", "--check", "."],
        [str(PY), "-m", "mypy"],
    ):
        print(
            "$",
            " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)),
            flush=True,
        )
        if code := run(*step):
            return code
    return run(str(PY), "-m", "pytest", *extra)


COMMANDS = {
    "demo": lambda extra: become(str(PY), "examples/chain_abatch.py", *extra),
    "test": cmd_test,
    "bench": lambda extra: become(str(PY), "-m", "bench", *extra),
    "record": lambda extra: become(str(PY), "-m", "tests.cassette_support.record", *extra),
    "emulator": lambda extra: become(
        str(PY), "-m", "langchain_gemini_batch.testing.emulator", *(extra or ["--port", "8765"])
    ),
}


def main() -> int:
    """Dispatch `python3 tasks.py COMMAND [ARGS...]`."""
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    setup()
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
