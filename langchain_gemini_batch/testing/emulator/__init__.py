"""A local Gemini API emulator that answers the google-genai SDK as Google does, offline.

Start it from the command line (`python -m langchain_gemini_batch.testing.emulator --port 8765`)
or in-process (`EmulatorServer`, `run_emulator`), then point a client at it with
`GOOGLE_GEMINI_BASE_URL=<base url>` or `HttpOptions(base_url=..., api_version="v1beta")`.
Answers come from a deterministic model (`generate_response`; the rules are in `_model`'s
docstring) and a deterministic embedding model (`_embeddings`). Models exist when the catalog
(`_catalog`) lists them; values Google refuses are refused (`_validation`, `_strict_json`);
faults can be planned on any chosen call (`EmulatorServer.inject`, `_faults`).
"""

from langchain_gemini_batch.testing.emulator._faults import Fault
from langchain_gemini_batch.testing.emulator._model import count_tokens, generate_response
from langchain_gemini_batch.testing.emulator._options import EmulatorOptions
from langchain_gemini_batch.testing.emulator._server import EmulatorServer, run_emulator
from langchain_gemini_batch.testing.emulator._state import EmulatorCounts, LoggedRequest

__all__ = [
    "EmulatorCounts",
    "EmulatorOptions",
    "EmulatorServer",
    "Fault",
    "LoggedRequest",
    "count_tokens",
    "generate_response",
    "run_emulator",
]
