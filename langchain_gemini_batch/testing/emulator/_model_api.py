"""Model endpoints: `GET models`, `GET models/{id}` (and `tunedModels`), and the model lookup.

Every other model endpoint starts with `require_model`.
"""

from __future__ import annotations

from langchain_gemini_batch.testing.emulator._catalog import (
    ModelInfo,
    all_models,
    find_model,
    model_page,
    not_found_message,
)
from langchain_gemini_batch.testing.emulator._state import Call, HttpReply, State
from langchain_gemini_batch.testing.emulator._wire import invalid_argument, not_found

__all__ = ["get_model", "list_models", "list_tuned_models", "require_model"]


def require_model(state: State, call: Call, method: str) -> ModelInfo:
    """Returns the called model, or raises Google's 404 when it is unknown or lacks `method`.

    Args:
        state: The emulator state (for the `extra_models` option).
        call: The matched call (`params` starts with the model kind and id).
        method: The method, e.g. `batchGenerateContent`.
    """
    name = f"{call.params[0]}/{call.params[1]}"
    model = find_model(name, state.options.extra_models)
    if model is None or not model.supports(method):
        raise not_found(not_found_message(name, call.version, method))
    return model


def get_model(state: State, call: Call) -> HttpReply:
    """`GET models/{id}` or `GET tunedModels/{id}`: the `Model` resource."""
    name = f"{call.params[0]}/{call.params[1]}"
    model = find_model(name, state.options.extra_models)
    if model is None:
        raise not_found(not_found_message(name, call.version, "get"))
    return HttpReply.json(model.resource())


def _page(state: State, call: Call, kind: str) -> tuple[list[ModelInfo], str | None]:
    query = call.request.query
    models = [m for m in all_models(state.options.extra_models) if m.name.startswith(kind)]
    try:
        size = int(query.get("pageSize") or 0)
        return model_page(models, size, query.get("pageToken"))
    except ValueError as exc:
        raise invalid_argument("Invalid pageSize or pageToken.") from exc


def list_models(state: State, call: Call) -> HttpReply:
    """`GET models?pageSize=&pageToken=`: `{"models": [...], "nextPageToken": ...}`."""
    models, token = _page(state, call, "models/")
    body: dict[str, object] = {"models": [m.resource() for m in models]}
    if token:
        body["nextPageToken"] = token
    return HttpReply.json(body)


def list_tuned_models(state: State, call: Call) -> HttpReply:
    """`GET tunedModels` (what `models.list(config={"query_base": False})` reads)."""
    models, token = _page(state, call, "tunedModels/")
    body: dict[str, object] = {}
    if models:
        body["tunedModels"] = [m.resource() for m in models]
    if token:
        body["nextPageToken"] = token
    return HttpReply.json(body)
