"""Replay every cassette through the real SDK with record_mode="none" and sockets off."""

import re

import pytest
import yaml
from pytest_socket import disable_socket, enable_socket

from tests.cassette_support.registry import SCENARIOS
from tests.cassette_support.scenarios import RECORDING_KEY, Context, Scenario
from tests.cassette_support.vcr_config import CASSETTES, make_vcr, read_manifest, use_cassette

pytestmark = pytest.mark.cassette
MANIFEST = read_manifest()


@pytest.fixture
def no_network():
    disable_socket(allow_unix_socket=True)
    yield
    enable_socket()


def test_every_scenario_has_a_cassette_and_a_manifest_entry() -> None:
    for scenario in SCENARIOS:
        assert (CASSETTES / f"{scenario.name}.yaml").exists(), scenario.name
        assert scenario.name in MANIFEST, scenario.name


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_replay(scenario: Scenario, no_network: None) -> None:
    entry = MANIFEST[scenario.name]
    ctx = Context(entry["base_url"], "replay-key", emulated=entry["emulated"])
    with use_cassette(make_vcr("none"), f"{scenario.name}.yaml") as cassette:
        await scenario.run(ctx)
    unplayed = len(cassette.data) - cassette.play_count
    assert unplayed == 0, f"{unplayed} recorded interactions were not replayed"


KEY_SHAPES = [
    re.compile(r"AIza[0-9A-Za-z_-]{35}"),  # Google API keys
    re.compile(r"ya29\.[0-9A-Za-z_-]+"),  # OAuth access tokens
    re.compile(r"[?&]key=(?!REDACTED)[^&\s]+"),  # a key in a query string
]
SECRET_HEADERS = {"x-goog-api-key", "authorization", "x-goog-user-project"}


def test_no_cassette_holds_a_key() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text()
        assert RECORDING_KEY not in text, path.name
        for shape in KEY_SHAPES:
            assert not shape.search(text), f"{path.name}: {shape.pattern}"
        for interaction in yaml.safe_load(text)["interactions"]:
            for name, values in interaction["request"]["headers"].items():
                if name.lower() in SECRET_HEADERS:
                    assert values == ["REDACTED"], f"{path.name}: {name}"


def test_the_scan_catches_a_planted_key(tmp_path) -> None:
    planted = "uri: https://x.test/v1beta/batches?key=AIza" + "A" * 35
    assert any(shape.search(planted) for shape in KEY_SHAPES)
