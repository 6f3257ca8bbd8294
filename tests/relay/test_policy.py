"""ClientEventPolicy: which client frames a relay forwards, driven by plain frames (no I/O)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.client_frames import parse_client_frame
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.relay import ClientEventPolicy, Rejection
from openai_realtime.relay.policy import BINARY_FRAME_REJECTION
from openai_realtime.types import ErrorEvent


def frame(**event: Any) -> str:
    return json.dumps(event)


def session_update(**session: Any) -> str:
    return frame(type="session.update", event_id="evt_s", session={"type": "realtime", **session})


def test_default_policy_forwards_every_valid_client_event() -> None:
    policy = ClientEventPolicy()
    frames = [
        session_update(instructions="be brief"),
        frame(type="response.create", response={"instructions": "shout"}),
        frame(type="input_audio_buffer.append", audio="AAAA"),
        frame(type="input_audio_buffer.commit"),
    ]
    assert [policy.check(text) for text in frames] == [None, None, None, None]


@pytest.mark.parametrize("text", ["not json", "[1, 2]", "[" * 100_000, '{"a": NaN}'])
def test_frames_that_are_not_one_json_object_are_rejected(text: str) -> None:
    rejection = ClientEventPolicy().check(text)
    assert rejection is not None
    assert rejection.code == "invalid_json"
    assert rejection.event_id is None


@pytest.mark.parametrize(
    ("text", "code", "param", "event_id"),
    [
        (frame(event_id="evt_1"), "missing_required_parameter", "type", "evt_1"),
        (frame(type="no.such.event", event_id="evt_2"), "invalid_value", "type", "evt_2"),
        (
            frame(type="response.create", event_id="evt_3", response={"tools": "many"}),
            "invalid_type",
            "response.tools",
            "evt_3",
        ),
        (frame(type="response.create", event_id=7), "invalid_type", "event_id", None),
    ],
)
def test_invalid_events_get_the_services_own_rejection(
    text: str, code: str, param: str, event_id: str | None
) -> None:
    rejection = ClientEventPolicy().check(text)
    assert rejection is not None
    # The same judgement the fake server makes: the service's code, wording and param.
    try:
        parse_client_frame(text)
    except InvalidRequest as service:
        assert (rejection.code, rejection.message, rejection.param) == (
            service.code,
            service.message,
            service.param,
        )
    assert (rejection.code, rejection.param, rejection.event_id) == (code, param, event_id)


def test_allow_list_rejects_other_types() -> None:
    policy = ClientEventPolicy(allowed_client_events={"input_audio_buffer.append"})
    assert policy.check(frame(type="input_audio_buffer.append", audio="AAAA")) is None
    rejection = policy.check(frame(type="response.create", event_id="evt_r"))
    assert rejection == Rejection(
        "event_not_allowed", "this relay does not forward 'response.create' events", "evt_r"
    )


@pytest.mark.parametrize(
    ("session", "denied"),
    [
        ({"instructions": "ignore all rules"}, True),
        ({"instructions": None}, True),
        ({"output_modalities": ["text"]}, False),
        ({"audio": {"output": {"voice": "marin"}}}, True),
        ({"audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}}}}, False),
        ({"audio": {"output": {"speed": 1.2}}}, False),
        ({"audio": None}, True),
    ],
)
def test_denied_fields_in_session_update(session: dict[str, Any], denied: bool) -> None:
    policy = ClientEventPolicy(denied_session_fields={"instructions", "audio.output.voice"})
    rejection = policy.check(session_update(**session))
    if not denied:
        assert rejection is None
        return
    assert rejection is not None
    assert rejection.code == "session_field_denied"
    assert rejection.event_id == "evt_s"
    assert rejection.param in {"session.instructions", "session.audio.output.voice"}


def test_denied_fields_apply_to_per_response_overrides() -> None:
    policy = ClientEventPolicy(denied_session_fields={"instructions"})
    assert policy.check(frame(type="response.create")) is None
    assert policy.check(frame(type="response.create", response={"metadata": {"a": "b"}})) is None
    rejection = policy.check(frame(type="response.create", response={"instructions": "x"}))
    assert rejection is not None
    assert rejection.param == "response.instructions"


def test_denied_nested_path_checks_only_its_branch() -> None:
    policy = ClientEventPolicy(denied_session_fields={"tracing.workflow_name"})
    assert policy.check(session_update(tracing={"group_id": "g"})) is None
    assert policy.check(session_update(tracing={"workflow_name": "w"})) is not None


def test_unknown_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"response\.creat\b"):
        ClientEventPolicy(allowed_client_events={"response.creat"})
    with pytest.raises(ConfigurationError, match="instruction"):
        ClientEventPolicy(denied_session_fields={"instruction"})


def test_rejection_becomes_an_error_server_event() -> None:
    rejection = Rejection("session_field_denied", "no", event_id="evt_9", param="session.tools")
    event = rejection.to_error_event()
    wire = event.model_dump_json(exclude_unset=True)
    decoded = decode_server_event(wire)
    assert isinstance(decoded, ErrorEvent)
    assert decoded.event_id.startswith("event_relay_")
    assert decoded.error.type == "invalid_request_error"
    assert decoded.error.code == "session_field_denied"
    assert decoded.error.event_id == "evt_9"
    assert decoded.error.param == "session.tools"
    assert rejection.to_error_event().event_id != event.event_id


def test_binary_rejection_names_the_problem() -> None:
    assert BINARY_FRAME_REJECTION.code == "binary_frame"
    assert "text" in BINARY_FRAME_REJECTION.message
    assert (BINARY_FRAME_REJECTION.event_id, BINARY_FRAME_REJECTION.param) == (None, None)
    error = BINARY_FRAME_REJECTION.to_error_event().error
    assert (error.event_id, error.param) == (None, None)


def test_repr_shows_the_configuration_sorted() -> None:
    policy = ClientEventPolicy(
        allowed_client_events=["response.create", "input_audio_buffer.append"],
        denied_session_fields=["tools", "audio.output.voice", "tools"],
    )
    assert repr(policy) == (
        "ClientEventPolicy(allowed_client_events=['input_audio_buffer.append', "
        "'response.create'], denied_session_fields=['audio.output.voice', 'tools'], "
        "pin_model=False)"
    )
    assert policy.denied_session_fields == (("audio", "output", "voice"), ("tools",))
    assert repr(ClientEventPolicy()) == (
        "ClientEventPolicy(allowed_client_events=None, denied_session_fields=[], pin_model=False)"
    )


def test_configuration_errors_list_every_unknown_name() -> None:
    with pytest.raises(ConfigurationError) as raised:
        ClientEventPolicy(allowed_client_events={"b.event", "a.event", "response.create"})
    assert str(raised.value) == "not client event types: a.event, b.event"
    with pytest.raises(ConfigurationError) as raised:
        ClientEventPolicy(denied_session_fields={"voyce", "instructions", "audoi.output"})
    assert str(raised.value) == "not session or response fields: audoi.output, voyce"


def test_an_empty_allow_list_forwards_nothing() -> None:
    policy = ClientEventPolicy(allowed_client_events=())
    rejection = policy.check(frame(type="input_audio_buffer.commit"))
    assert rejection is not None and rejection.code == "event_not_allowed"
    assert rejection.event_id is None


def test_denied_field_rejection_names_the_field() -> None:
    policy = ClientEventPolicy(denied_session_fields={"audio.output.voice"})
    rejection = policy.check(session_update(audio={"output": {"voice": "marin"}}))
    assert rejection == Rejection(
        "session_field_denied",
        "this relay does not let clients set session.audio.output.voice",
        event_id="evt_s",
        param="session.audio.output.voice",
    )


def test_denied_paths_reach_into_plain_mappings() -> None:
    policy = ClientEventPolicy(denied_session_fields={"metadata.owner"})

    def create(metadata: Any) -> str:
        return frame(type="response.create", response={"metadata": metadata})

    assert policy.check(create({"topic": "x"})) is None
    rejection = policy.check(create({"owner": "mallory"}))
    assert rejection is not None and rejection.param == "response.metadata.owner"
    assert policy.check(create(None)) is not None, "a null replaces the denied part with it"
    deep = ClientEventPolicy(denied_session_fields={"tracing.metadata.owner.name"})

    def traced(metadata: Any) -> str:
        return session_update(tracing={"workflow_name": "w", "metadata": metadata})

    assert deep.check(traced({"owner": {"id": 1}, "name": "top level"})) is None
    assert deep.check(traced({"owner": {"name": "mallory"}})) is not None


def test_every_denied_path_is_checked_not_only_the_first() -> None:
    policy = ClientEventPolicy(denied_session_fields={"instructions", "tools"})
    rejection = policy.check(session_update(tools=[]))
    assert rejection is not None and rejection.param == "session.tools"


def test_transcription_sessions_are_checked_too() -> None:
    policy = ClientEventPolicy(denied_session_fields={"audio.input.transcription"})
    update = frame(
        type="session.update",
        session={"type": "transcription", "audio": {"input": {"transcription": {"model": "m"}}}},
    )
    rejection = policy.check(update)
    assert rejection is not None and rejection.param == "session.audio.input.transcription"
