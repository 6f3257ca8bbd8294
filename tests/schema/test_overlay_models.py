"""What the overlay adds is modelled: live frames beyond the published spec decode strictly."""

from __future__ import annotations

import json

from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.types import (
    CustomVoice,
    RealtimeSessionCreateResponse,
    ResponseDoneEvent,
    SessionCreatedEvent,
)


def test_custom_voice_in_session_created_is_a_typed_object() -> None:
    frame = {
        "type": "session.created",
        "event_id": "event_1",
        "session": {
            "type": "realtime",
            "id": "sess_1",
            "object": "realtime.session",
            "audio": {
                "input": {"noise_reduction": {"type": "near_field", "strength": 0.4}},
                "output": {"voice": {"id": "voice_1234"}, "format": {"type": "audio/pcm"}},
            },
        },
    }
    event = decode_server_event(json.dumps(frame))
    assert isinstance(event, SessionCreatedEvent)
    assert isinstance(event.session, RealtimeSessionCreateResponse)
    audio = event.session.audio
    assert audio is not None and audio.output is not None and audio.input is not None
    assert audio.output.voice == CustomVoice(id="voice_1234")
    assert audio.input.noise_reduction is not None
    assert audio.input.noise_reduction.strength == 0.4
    assert event.model_dump(mode="json", exclude_unset=True) == frame


def test_custom_voice_and_error_message_in_response_done() -> None:
    frame = {
        "type": "response.done",
        "event_id": "event_2",
        "response": {
            "id": "resp_1",
            "object": "realtime.response",
            "status": "failed",
            "status_details": {
                "type": "failed",
                "error": {"type": "server_error", "code": "x", "message": "Try again."},
            },
            "audio": {"output": {"voice": {"id": "voice_1234"}}},
        },
    }
    event = decode_server_event(json.dumps(frame))
    assert isinstance(event, ResponseDoneEvent)
    details = event.response.status_details
    assert details is not None and details.error is not None
    assert details.error.message == "Try again."
    audio = event.response.audio
    assert audio is not None and audio.output is not None
    assert audio.output.voice == CustomVoice(id="voice_1234")
    assert event.model_dump(mode="json", exclude_unset=True) == frame
