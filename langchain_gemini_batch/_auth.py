"""Credentials for Vertex AI: what the package sends when the caller's cannot be used as is.

google-genai in Vertex AI mode sends `Authorization: Bearer <credentials.token>` and refreshes
the credentials first whenever `credentials.expired or not credentials.token`
(`_api_client.get_token_from_credentials`). `google.auth.credentials.AnonymousCredentials()`
has no token, so the first request tries to refresh them and fails with
`InvalidOperation: Anonymous credentials cannot be refreshed.` Against a custom base URL (a
local emulator, a test double) the package therefore sends `StaticTokenCredentials` in their
place: a fixed token that never expires nor refreshes. Against Google's own endpoints anonymous
credentials are refused before anything is sent.
"""

from __future__ import annotations

from typing import Any

import google.auth.credentials

__all__ = ["StaticTokenCredentials", "is_anonymous", "vertex_credentials"]

ANONYMOUS_TOKEN = "anonymous"  # noqa: S105 - a placeholder, not a secret


class StaticTokenCredentials(google.auth.credentials.Credentials):
    """Google credentials with one fixed bearer token that never expires nor refreshes.

    Works with google-genai (`genai.Client(vertexai=True, credentials=...)`, sync and async)
    and with google-cloud-storage (`storage.Client(credentials=...)`).

    Args:
        token: The bearer token to send.
    """

    def __init__(self, token: str = ANONYMOUS_TOKEN) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.token = token

    def __repr__(self) -> str:
        return "StaticTokenCredentials(token='**********')"

    def refresh(self, request: Any) -> None:
        """Keeps the token: there is nothing to refresh it against.

        Args:
            request: The transport request callable (unused).
        """
        del request


def is_anonymous(credentials: object) -> bool:
    """Whether `credentials` are google-auth's `AnonymousCredentials`."""
    return isinstance(credentials, google.auth.credentials.AnonymousCredentials)


def vertex_credentials(credentials: Any, *, custom_base_url: str | None) -> Any:
    """The credentials to hand google-genai for Vertex AI calls.

    Args:
        credentials: The caller's credentials (`None`: application default credentials).
        custom_base_url: The base URL when it is not Google's (`None` for Google's).

    Raises:
        ValueError: Anonymous credentials against Google's own endpoint.
    """
    if not is_anonymous(credentials):
        return credentials
    if custom_base_url is None:
        raise ValueError(
            "AnonymousCredentials only work against a custom base_url (e.g. the local "
            "emulator); Vertex AI needs real credentials (omit credentials for application "
            "default credentials)"
        )
    return StaticTokenCredentials()
