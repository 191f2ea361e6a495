"""Run the emulator CLI in its own process for the duration of a benchmark."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from types import TracebackType


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmulatorProcess:
    """`with EmulatorProcess() as base_url:` starts the emulator on an instant clock."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> str:
        command = [
            sys.executable,
            "-m",
            "langchain_gemini_batch.testing.emulator",
            "--port",
            str(self.port),
            "--job-seconds",
            "0",
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if "http://" in line:
                return f"http://127.0.0.1:{self.port}"
        raise RuntimeError("the emulator did not start")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
