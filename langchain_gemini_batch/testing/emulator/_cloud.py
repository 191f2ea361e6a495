"""The Vertex AI and Cloud Storage routes, mounted by the dispatcher next to the Gemini API's.

Each route is `(method, pattern, action, handler)`, the pattern's first group being the API
version, as in the dispatcher's own table. These endpoints differ from the Gemini API's in three
ways, which the dispatcher asks this module about (`ACTIONS`, `authenticate`, `parse_body`,
`restyle`):

- Auth: Vertex AI calls need `Authorization: Bearer <any token>` (or an API key), else Google's
  401 UNAUTHENTICATED; Cloud Storage calls are accepted without credentials, as storage
  emulators are (google-cloud-storage sends none under `STORAGE_EMULATOR_HOST`).
- Bodies: uploads are raw bytes or `multipart/related`, so only JSON bodies are parsed.
- Errors on Cloud Storage calls, injected faults included, take Cloud Storage's shape.

The request-log action names are listed in `ACTIONS`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable

from langchain_gemini_batch.testing.emulator import _gcs_api, _vertex_api, _vertex_online
from langchain_gemini_batch.testing.emulator._gcs_store import StorageError
from langchain_gemini_batch.testing.emulator._state import Call, HttpReply, HttpRequest, State
from langchain_gemini_batch.testing.emulator._wire import ApiError, invalid_argument

__all__ = ["ACTIONS", "ROUTES", "authenticate", "parse_body", "restyle"]

Handler = Callable[[State, Call], HttpReply]

_VERTEX = r"/(v1beta1|v1)/projects/([^/]+)/locations/([^/]+)"
_JOBS = rf"{_VERTEX}/batchPredictionJobs"
_MODEL = rf"{_VERTEX}/publishers/([^/]+)/models/([^/:]+)"
_B = r"/storage/(v1)/b"
_O = rf"{_B}/([^/]+)/o"
_RAW = [
    ("POST", _JOBS, "batchPredictionJobs.create", _vertex_api.create_job),
    ("GET", _JOBS, "batchPredictionJobs.list", _vertex_api.list_jobs),
    ("GET", rf"{_JOBS}/([^/:]+)", "batchPredictionJobs.get", _vertex_api.get_job),
    ("DELETE", rf"{_JOBS}/([^/:]+)", "batchPredictionJobs.delete", _vertex_api.delete_job),
    ("POST", rf"{_JOBS}/([^/:]+):cancel", "batchPredictionJobs.cancel", _vertex_api.cancel_job),
    ("POST", rf"{_MODEL}:generateContent", "publishers.models.generateContent",
     _vertex_online.generate_content),
    ("POST", rf"{_MODEL}:streamGenerateContent", "publishers.models.streamGenerateContent",
     _vertex_online.stream_generate_content),
    ("POST", rf"{_MODEL}:countTokens", "publishers.models.countTokens",
     _vertex_online.count_tokens),
    ("POST", _B, "storage.buckets.insert", _gcs_api.insert_bucket),
    ("GET", _B, "storage.buckets.list", _gcs_api.list_buckets),
    ("GET", rf"{_B}/([^/]+)", "storage.buckets.get", _gcs_api.get_bucket),
    ("DELETE", rf"{_B}/([^/]+)", "storage.buckets.delete", _gcs_api.delete_bucket),
    ("POST", rf"/upload{_O}", "storage.objects.insert", _gcs_api.insert_object),
    ("PUT", rf"/upload{_O}", "storage.objects.uploadChunk", _gcs_api.upload_chunk),
    ("GET", _O, "storage.objects.list", _gcs_api.list_objects),
    ("GET", rf"{_O}/(.+)", "storage.objects.get", _gcs_api.get_object),
    ("DELETE", rf"{_O}/(.+)", "storage.objects.delete", _gcs_api.delete_object),
    ("GET", rf"/download{_O}/(.+)", "storage.objects.download", _gcs_api.download_object),
]  # fmt: skip


def _locked(handler: Handler) -> Handler:
    """Runs a handler under the cloud state's own lock too (see `CloudControl`)."""

    @functools.wraps(handler)
    def run(state: State, call: Call) -> HttpReply:
        with state.cloud.lock:
            return handler(state, call)

    return run


ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    (method, re.compile(pattern), action, _locked(handler))
    for method, pattern, action, handler in _RAW
]
ACTIONS = frozenset(action for _, _, action, _ in _RAW)
"""Request-log action names of the Vertex AI (`batchPredictionJobs.*`,
`publishers.models.*`) and Cloud Storage (`storage.*`) endpoints."""

_JSON_BODIES = frozenset(a for a in ACTIONS if not a.startswith("storage.")) | {
    "storage.buckets.insert"
}


def authenticate(request: HttpRequest, action: str) -> None:
    """Checks a Vertex AI call's credentials (Cloud Storage calls need none).

    Raises:
        ApiError: Google's 401 UNAUTHENTICATED without a bearer token or API key.
    """
    if action.startswith("storage."):
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return
    if request.headers.get("x-goog-api-key") or request.query.get("key"):
        return
    raise ApiError(
        401,
        "Request is missing required authentication credential. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        status="UNAUTHENTICATED",
    )


def parse_body(request: HttpRequest, action: str) -> object:
    """Returns the JSON body of calls that carry JSON (`None` for upload data and empty bodies).

    Raises:
        ApiError: 400 for a body that is not valid JSON.
    """
    resumable_start = action == "storage.objects.insert" and (
        request.query.get("uploadType") == "resumable"
    )
    if not (action in _JSON_BODIES or resumable_start) or not request.body.strip():
        return None
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        if action.startswith("storage."):
            raise StorageError(400, f"Parse Error: {exc}", "parseError") from exc
        raise invalid_argument(f"Invalid JSON payload received. {exc}") from exc


_VERTEX_429 = (
    "Resource exhausted. Please try again later. Please refer to "
    "https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details."
)


def restyle(action: str, error: ApiError) -> ApiError:
    """Gives injected faults on Vertex AI and Cloud Storage calls the service's own shape.

    Gemini API errors are returned unchanged. Cloud Storage errors get `errors[]`; a Vertex AI
    429 gets Vertex's text without the Gemini API's quota details (other Vertex AI errors keep
    the dispatcher's bodies).
    """
    if action not in ACTIONS:  # a Gemini API call: unchanged
        return error
    if action.startswith("storage."):
        return StorageError.from_api(error)
    if error.code == 429 and error.details:
        return ApiError(429, _VERTEX_429)
    return error
