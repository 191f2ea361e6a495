"""Every cassette scenario, in recording order."""

from __future__ import annotations

from tests.cassette_support.chat_scenarios import chain_structured, chain_text, chain_tools
from tests.cassette_support.embed_scenarios import EMBED_SCENARIOS
from tests.cassette_support.scenarios import SEED_SCENARIOS, Scenario
from tests.cassette_support.vertex_scenarios import VERTEX_SCENARIOS

SCENARIOS: list[Scenario] = [
    *SEED_SCENARIOS,
    Scenario("chain_abatch_text", chain_text, {"job_seconds": 3}, real_api=True),
    Scenario("chain_abatch_tool_calls", chain_tools, {"job_seconds": 0}, real_api=True),
    Scenario("chain_abatch_structured_output", chain_structured, {"job_seconds": 0}, real_api=True),
    *VERTEX_SCENARIOS,
    *EMBED_SCENARIOS,
]
