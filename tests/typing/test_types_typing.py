# pyright: reportUnnecessaryTypeIgnoreComment=true
"""Typing checks on the generated models, verified by mypy in `make lint` and run by pytest.

A line that must be a type error carries a precise ``# type: ignore[code]``; mypy --strict warns
about unused ignores, so if the error ever disappeared, `make lint` would fail.
"""

from __future__ import annotations

from typing import assert_type

from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.types import (
    ResponseDoneEvent,
    ResponseOutputAudioDeltaEvent,
    ServerEvent,
    SessionUpdateEvent,
    UnknownServerEvent,
)


def describe(event: ServerEvent | UnknownServerEvent) -> str:
    """Narrowing on ``event.type`` gives the precise class in each branch."""
    if isinstance(event, UnknownServerEvent):
        return f"unknown {event.type}"
    if event.type == "response.output_audio.delta":
        assert_type(event, ResponseOutputAudioDeltaEvent)
        return f"{len(event.delta)} base64 chars"
    if event.type == "response.done":
        assert_type(event, ResponseDoneEvent)
        return f"done {event.response.id}"
    return event.type


def test_narrowing_by_type() -> None:
    frame = (
        '{"type": "response.output_audio.delta", "event_id": "e", "response_id": "r",'
        ' "item_id": "i", "output_index": 0, "content_index": 0, "delta": "AAAA"}'
    )
    assert describe(decode_server_event(frame)) == "4 base64 chars"
    assert describe(decode_server_event('{"type": "brand.new"}')) == "unknown brand.new"


def test_wrong_field_type_is_a_type_error() -> None:
    # The checker rejects a str where the schema wants an object (runtime validation does too).
    try:
        SessionUpdateEvent(session="not a session")  # type: ignore[arg-type]
    except ValueError as error:
        assert "session" in str(error)
    else:
        raise AssertionError("a str session must not validate")
