"""Exceptions raised by openai-realtime.

Every exception the SDK raises on purpose derives from :class:`RealtimeError`::

    RealtimeError
    ├── ConfigurationError        bad arguments, caught before anything is sent
    │   └── InsecureTransportError  an API key would travel over plain ws:// to a remote host
    ├── ProtocolError             a frame that is not a valid event (either direction)
    ├── ConversationError         a server event refers to an item or response never seen
    ├── ClientSecretError         minting an ephemeral client secret failed (HTTP status)
    ├── CallError                 a call-control request was refused (HTTP status, error body)
    ├── WebhookVerificationError  a webhook request is not signed by OpenAI with your secret
    ├── ResponseInProgressError   a response.create now would be refused: one is running
    ├── ResponseRefusedError      the server refused a response.create this client sent
    ├── SessionRefusedError       the server refused a session configuration this client sent
    ├── RealtimeConnectionError   the WebSocket is not usable
    │   ├── CredentialRedirectError a server redirected elsewhere: credentials were not sent
    │   ├── NotConnectedError       used before connect()
    │   └── ConnectionClosedError   the connection ended (pending waits are released with it)
    └── RealtimeTimeoutError      a wait ran out of time (also a built-in TimeoutError)

Messages never contain the API key: frames are truncated and headers are never included.
"""

from __future__ import annotations

__all__ = [
    "CallError",
    "ClientSecretError",
    "ConfigurationError",
    "ConnectionClosedError",
    "ConversationError",
    "CredentialRedirectError",
    "InsecureTransportError",
    "NotConnectedError",
    "ProtocolError",
    "RealtimeConnectionError",
    "RealtimeError",
    "RealtimeTimeoutError",
    "ResponseInProgressError",
    "ResponseRefusedError",
    "SessionRefusedError",
    "WebhookVerificationError",
]

# Long frames (audio) would make messages unreadable; the full frame stays on the exception.
_MAX_FRAME_IN_MESSAGE = 200


def _preview(raw: str | bytes) -> str:
    text = raw if isinstance(raw, str) else repr(raw[:_MAX_FRAME_IN_MESSAGE])
    if len(text) > _MAX_FRAME_IN_MESSAGE:
        return text[:_MAX_FRAME_IN_MESSAGE] + f"... ({len(raw)} chars)"
    return text


class RealtimeError(Exception):
    """Base class of every error raised by openai-realtime."""


class ConfigurationError(RealtimeError):
    """The SDK was configured or called in a way that cannot work."""


class InsecureTransportError(ConfigurationError):
    """An API key would be sent over unencrypted ``ws://`` to a host that is not loopback."""


class ProtocolError(RealtimeError):
    """A frame is not a valid Realtime event.

    Attributes:
        raw: The whole frame as received or as it would have been sent.
        detail: What is wrong with it (JSON error or validation errors).
    """

    def __init__(self, message: str, *, raw: str | bytes, detail: str = "") -> None:
        self.raw = raw
        self.detail = detail
        text = f"{message}: {_preview(raw)}"
        if detail:
            text += f"\n{detail}"
        super().__init__(text)


class ConversationError(RealtimeError):
    """A server event refers to an item, content part or response the store has not seen.

    Attributes:
        event_type: The ``type`` of the event that could not be applied.
        reference: The unknown id (item, response or call id).
    """

    def __init__(self, event_type: str, reference: str, message: str = "") -> None:
        self.event_type = event_type
        self.reference = reference
        super().__init__(message or f"{event_type}: unknown reference {reference!r}")


class ClientSecretError(RealtimeError):
    """The endpoint refused to mint a client secret, or answered with something unreadable.

    Attributes:
        status: The HTTP status.
    """

    def __init__(self, message: str, *, status: int) -> None:
        self.status = status
        super().__init__(message)


class CallError(RealtimeError):
    """A call-control request (``/v1/realtime/calls...``) was refused or answered unreadably.

    Attributes:
        status: The HTTP status.
        code: The ``code`` of OpenAI's error body (e.g. ``call_id_not_found``), if any.
        error: OpenAI's ``error`` object as received (empty when the body had none).
    """

    def __init__(
        self, message: str, *, status: int, error: dict[str, object] | None = None
    ) -> None:
        self.status = status
        self.error: dict[str, object] = dict(error or {})
        code = self.error.get("code")
        self.code = code if isinstance(code, str) else None
        super().__init__(message)


class ResponseInProgressError(RealtimeError):
    """A response is running (or requested), so the service would refuse another now.

    Raised by ``create_response(if_active="raise")``, or when waiting for the running response
    to finish took longer than the client's ``active_response_timeout``.
    """


class ResponseRefusedError(RealtimeError):
    """The server answered a ``response.create`` this client sent with an ``error``.

    Attributes:
        code: The server's error code (e.g. ``conversation_already_has_active_response``).
    """

    def __init__(self, message: str, *, code: str | None) -> None:
        self.code = code
        super().__init__(message)


class SessionRefusedError(RealtimeError):
    """The server answered a ``session.update`` (or a session's setup) with an ``error``.

    Attributes:
        code: The server's error code (e.g. ``invalid_value``).
        param: The parameter it blamed, if any.
    """

    def __init__(self, message: str, *, code: str | None, param: str | None = None) -> None:
        self.code = code
        self.param = param
        super().__init__(message)


class RealtimeConnectionError(RealtimeError):
    """The WebSocket connection is not usable."""


class CredentialRedirectError(RealtimeConnectionError):
    """A server answered with a redirect to another origin; nothing was sent there.

    Credentials (an API key, an Azure ``api-key``, a client secret) only ever go to the origin
    they were configured for.
    """


class NotConnectedError(RealtimeConnectionError):
    """An operation needs a connection, and ``connect()`` has not been called."""


class ConnectionClosedError(RealtimeConnectionError):
    """The connection ended.

    Attributes:
        code: The WebSocket close code, if one was received.
        reason: The close reason, possibly empty.
    """

    def __init__(self, code: int | None = None, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        detail = f" (code {code}{': ' + reason if reason else ''})" if code is not None else ""
        super().__init__(f"connection closed{detail}")


class RealtimeTimeoutError(RealtimeError, TimeoutError):
    """A wait ran out of time. Also an ``asyncio.TimeoutError`` (the built-in ``TimeoutError``)."""


class WebhookVerificationError(RealtimeError):
    """A webhook request failed verification: answer it with 400 and do not act on it.

    The message says which check failed (a missing header, a timestamp outside the tolerance,
    no matching signature); it never contains the secret or the body.
    """
