"""Re-record every cassette: `python3 tasks.py record [NAME ...]`.

Without `GOOGLE_API_KEY`, each scenario runs against a fresh local emulator in deterministic
mode on 127.0.0.1:18765, so re-recording without a code change rewrites identical files. With
`GOOGLE_API_KEY` set, the scenarios that Google can reproduce (`real_api=True`) are recorded
against generativelanguage.googleapis.com instead; fault scenarios stay emulator-only.
`cassettes/manifest.json` records what each cassette was recorded against.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from importlib.metadata import version
from typing import Any

from langchain_gemini_batch import PollingPolicy
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.cassette_support.scenarios import (
    EMULATOR_PORT,
    EMULATOR_URL,
    GOOGLE_URL,
    RECORDING_KEY,
    SCENARIOS,
    Context,
    Scenario,
)
from tests.cassette_support.vcr_config import (
    CASSETTES,
    MANIFEST,
    make_vcr,
    read_manifest,
    use_cassette,
)


def _versions() -> dict[str, str]:
    return {name: version(name) for name in ("google-genai", "langchain-core", "vcrpy")}


def record_one(scenario: Scenario, real_key: str | None) -> dict[str, Any]:
    path = CASSETTES / f"{scenario.name}.yaml"
    path.unlink(missing_ok=True)
    recorder = make_vcr("all")
    if real_key:
        ctx = Context(
            GOOGLE_URL,
            real_key,
            emulated=False,
            polling=PollingPolicy(initial_interval=10, max_interval=120),
        )
        with use_cassette(recorder, path.name):
            asyncio.run(scenario.run(ctx))
        against = "Google (generativelanguage.googleapis.com, v1beta)"
    else:
        options = {"port": EMULATOR_PORT, "deterministic": True, "seed": 0, **scenario.emulator}
        with EmulatorServer(**options) as server:
            if scenario.setup:
                scenario.setup(server)
            ctx = Context(EMULATOR_URL, RECORDING_KEY, emulated=True)
            with use_cassette(recorder, path.name):
                asyncio.run(scenario.run(ctx))
        switches = dict(scenario.emulator)
        against = "local emulator (deterministic mode)" + (
            f", switches {switches}" if switches else ""
        )
    return {
        "recorded_against": against,
        "base_url": ctx.base_url,
        "emulated": ctx.emulated,
        "versions": _versions(),
    }


def main(names: list[str]) -> int:
    real_key = os.environ.get("GOOGLE_API_KEY") or None
    manifest = read_manifest()
    chosen = [s for s in SCENARIOS if not names or s.name in names]
    unknown = set(names) - {s.name for s in SCENARIOS}
    if unknown:
        print(f"unknown scenarios: {sorted(unknown)}", file=sys.stderr)
        return 2
    for scenario in chosen:
        if real_key and not scenario.real_api:
            print(f"skip {scenario.name}: needs the emulator's fault switches")
            continue
        manifest[scenario.name] = record_one(scenario, real_key)
        print(f"recorded {scenario.name}: {manifest[scenario.name]['recorded_against']}")
    MANIFEST.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
