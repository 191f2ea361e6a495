"""The error model: one table from Google's codes to langchain-core classes, both catches work."""

from __future__ import annotations

import pickle

import pytest
from google.genai import errors as genai_errors
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelRefusalError,
    ModelTimeoutError,
)
from pydantic import SecretStr

from langchain_gemini_batch._error_table import model_error_class
from langchain_gemini_batch._sdk_errors import REDACTED, translate_error
from langchain_gemini_batch.errors import (
    BatchJobError,
    BatchNotFinishedError,
    BatchTimeoutError,
    GeminiAPIError,
    GeminiBatchError,
    InvalidRequestError,
    RequestFailedError,
    ResultMismatchError,
    UnknownParameterError,
)

# Google's answers, as the HTTP status and google.rpc status it sends together.
HTTP_CASES = [
    (400, "INVALID_ARGUMENT", ModelInvalidRequestError, genai_errors.ClientError),
    (401, "UNAUTHENTICATED", ModelAuthenticationError, genai_errors.ClientError),
    (403, "PERMISSION_DENIED", ModelPermissionDeniedError, genai_errors.ClientError),
    (404, "NOT_FOUND", ModelNotFoundError, genai_errors.ClientError),
    (429, "RESOURCE_EXHAUSTED", ModelRateLimitError, genai_errors.ClientError),
    (500, "INTERNAL", ModelAPIError, genai_errors.ServerError),
    (503, "UNAVAILABLE", ModelAPIError, genai_errors.ServerError),
    (504, "DEADLINE_EXCEEDED", ModelTimeoutError, genai_errors.ServerError),
]

# Per-request failures inside a batch carry a google.rpc.Code number.
RPC_CASES = [
    (3, ModelInvalidRequestError),
    (4, ModelTimeoutError),
    (5, ModelNotFoundError),
    (7, ModelPermissionDeniedError),
    (8, ModelRateLimitError),
    (13, ModelAPIError),
    (14, ModelAPIError),
    (16, ModelAuthenticationError),
]


@pytest.mark.parametrize(("code", "status", "model_error", "sdk_error"), HTTP_CASES)
def test_http_errors_are_the_langchain_class_and_the_sdk_class(
    code: int, status: str, model_error: type, sdk_error: type
) -> None:
    sdk = sdk_error(code, {"error": {"code": code, "status": status, "message": "m"}})
    error = translate_error(sdk, operation="models/x:generateContent", secret=None)
    assert error is not None
    assert isinstance(error, model_error)
    assert isinstance(error, sdk_error)
    assert isinstance(error, GeminiBatchError)
    assert (error.code, error.status, error.message) == (code, status, "m")
    assert error.details == {"error": {"code": code, "status": status, "message": "m"}}
    assert error.response is None
    assert "models/x:generateContent failed" in str(error)


@pytest.mark.parametrize(("code", "model_error"), RPC_CASES)
def test_a_failed_request_is_caught_by_both_names(code: int, model_error: type) -> None:
    failure = RequestFailedError(request_id="7", code=code, status=None, error_message="no")
    assert isinstance(failure, RequestFailedError)
    assert isinstance(failure, model_error)
    with pytest.raises(model_error):
        raise failure
    with pytest.raises(RequestFailedError):
        raise failure


def test_status_names_win_over_a_missing_code() -> None:
    failure = RequestFailedError(
        request_id="a", code=None, status="RESOURCE_EXHAUSTED", error_message="quota"
    )
    assert isinstance(failure, ModelRateLimitError)
    assert failure.status == "RESOURCE_EXHAUSTED"
    blocked = RequestFailedError(request_id="a", code=None, status="SAFETY", error_message="b")
    assert isinstance(blocked, ModelRefusalError)
    assert blocked.raw_message is None
    expired = RequestFailedError(
        request_id="a", code=None, status="JOB_STATE_EXPIRED", error_message="late"
    )
    assert isinstance(expired, ModelTimeoutError)


def test_a_bad_key_is_an_authentication_error_although_google_sends_400() -> None:
    body = {
        "error": {
            "code": 400,
            "status": "INVALID_ARGUMENT",
            "message": "API key not valid. Please pass a valid API key.",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
            ],
        }
    }
    error = translate_error(genai_errors.ClientError(400, body), operation="x", secret=None)
    assert isinstance(error, ModelAuthenticationError)
    assert isinstance(error, genai_errors.ClientError)


def test_context_overflow_is_recognised_as_langchain_google_genai_does() -> None:
    message = (
        "The input token count (2000000) exceeds the maximum number of tokens allowed (1048576)."
    )
    assert model_error_class(code=400, message=message) is ContextOverflowError
    assert model_error_class(code=3, message=message) is ContextOverflowError
    assert model_error_class(code=500, message=message) is ModelAPIError


def test_unknown_codes_fall_back_by_http_class() -> None:
    assert model_error_class(code=418) is ModelInvalidRequestError
    assert model_error_class(code=599) is ModelAPIError
    assert model_error_class() is ModelAPIError


def test_transport_failures_are_connection_and_timeout_errors() -> None:
    httpx = pytest.importorskip("httpx")
    timeout = translate_error(httpx.ReadTimeout("slow"), operation="op", secret=None)
    refused = translate_error(httpx.ConnectError("refused"), operation="op", secret=None)
    assert isinstance(timeout, ModelTimeoutError)
    assert isinstance(refused, ModelConnectionError)
    assert not isinstance(refused, genai_errors.APIError)
    assert translate_error(KeyError("bug"), operation="op", secret=None) is None


def test_the_key_is_removed_from_everything_kept() -> None:
    secret = "AIza-planted-key-0042"
    body = {"error": {"code": 400, "message": f"bad key {secret}", "status": "INVALID_ARGUMENT"}}
    error = translate_error(
        genai_errors.ClientError(400, body), operation="op", secret=SecretStr(secret)
    )
    assert error is not None
    assert secret not in str(error)
    assert secret not in repr(error.__dict__)
    assert REDACTED in error.message


def test_package_errors_are_langchain_errors_too() -> None:
    assert issubclass(InvalidRequestError, ModelInvalidRequestError)
    assert issubclass(InvalidRequestError, ValueError)
    assert issubclass(UnknownParameterError, ModelInvalidRequestError)
    assert issubclass(BatchTimeoutError, ModelTimeoutError)
    assert issubclass(BatchTimeoutError, TimeoutError)
    assert issubclass(BatchJobError, ModelAPIError)
    assert issubclass(ResultMismatchError, ModelAPIError)
    assert issubclass(GeminiAPIError, GeminiBatchError)
    assert not issubclass(GeminiBatchError, ModelError)


@pytest.mark.parametrize(
    "error",
    [
        RequestFailedError(request_id="r", code=8, status=None, error_message="q", batch_job="b/1"),
        RequestFailedError(
            request_id="r",
            code=None,
            status="SAFETY",
            error_message="blocked",
            prompt_feedback={"blockReason": "SAFETY"},
        ),
        GeminiAPIError(code=429, status=None, message="quota", details={"error": {}}),
        GeminiAPIError(code=None, status="CONNECTION_FAILED", message="refused"),
        BatchJobError("batches/x", "JOB_STATE_FAILED", "boom"),
        BatchNotFinishedError("batches/x", "JOB_STATE_RUNNING"),
        BatchTimeoutError("batches/x", 3.0, cancelled=True),
        InvalidRequestError("bad", request_id="r"),
        ResultMismatchError("batches/x", missing=["a"], results={"b": 1}),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_error_pickles_to_the_same_class_and_state(error: GeminiBatchError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert copy.__dict__ == error.__dict__
    assert str(copy) == str(error)
    assert copy.args == error.args
