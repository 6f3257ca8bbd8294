"""The codec against generated frames: valid ones round-trip, broken ones raise ProtocolError only.

Frames come from ``wire_strategies``: every server and client event type, drawn from the
generated models' own fields, then broken in the ways ``mutated_frames`` lists.
"""

from __future__ import annotations

import json
from typing import Any

from fuzz_budget import budget
from hypothesis import given
from hypothesis import strategies as st
from wire_strategies import json_values, mutated_frames, valid_client_frames, valid_server_frames

from openai_realtime.errors import ProtocolError
from openai_realtime.protocol.codec import (
    decode_client_event,
    decode_server_event,
    encode_client_event,
    encode_server_event,
    validate_client_event,
)
from openai_realtime.types import UnknownServerEvent

# An error message may quote a frame, but only a bounded preview of it (plus one line per
# validation error): a 1 MB frame must not become a 1 MB log line.
MESSAGE_LIMIT = 20_000


def check_protocol_error(error: ProtocolError, frame: str | bytes) -> None:
    assert error.raw == frame
    assert len(str(error)) < MESSAGE_LIMIT


@budget(quick=1000, fuzz=30_000)
@given(valid_server_frames())
def test_every_valid_server_event_decodes_and_round_trips(frame: str) -> None:
    event = decode_server_event(frame)
    assert not isinstance(event, UnknownServerEvent)
    assert event.type == json.loads(frame)["type"]
    encoded = encode_server_event(event)
    assert json.loads(encoded) == json.loads(frame)  # the wire is the truth: nothing added
    assert decode_server_event(encoded) == event


@budget(quick=1000, fuzz=30_000)
@given(mutated_frames(valid_server_frames()))
def test_a_broken_server_frame_raises_protocol_error_and_nothing_else(frame: str | bytes) -> None:
    try:
        decode_server_event(frame)
    except ProtocolError as error:
        check_protocol_error(error, frame)


@budget(quick=500, fuzz=15_000)
@given(valid_client_frames())
def test_every_valid_client_event_decodes_and_round_trips(frame: str) -> None:
    event = decode_client_event(frame)
    assert json.loads(encode_client_event(event)) == json.loads(frame)


@budget(quick=500, fuzz=15_000)
@given(mutated_frames(valid_client_frames()))
def test_a_broken_client_frame_raises_protocol_error_and_nothing_else(frame: str | bytes) -> None:
    try:
        decode_client_event(frame)
    except ProtocolError as error:
        check_protocol_error(error, frame)


@budget(quick=300, fuzz=10_000)
@given(
    st.dictionaries(st.sampled_from(["type", "event_id", "item", "session", "audio"]), json_values)
)
def test_validating_any_mapping_raises_protocol_error_and_nothing_else(
    fields: dict[str, Any],
) -> None:
    try:
        event = validate_client_event(fields)
    except ProtocolError as error:
        assert len(str(error)) < MESSAGE_LIMIT
    else:
        assert event.type == fields["type"]
