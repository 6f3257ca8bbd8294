"""What a long session holds beyond its audio: the store's own structures, measured.

A session of push-to-talk turns (the shape of the benchmark's memory row, shorter) is fed to
the store frame by frame while ``tracemalloc`` counts every Python and numpy allocation still
held. Subtracting the audio the items hold leaves what the store keeps per turn for itself:
items, transcripts, typed server objects, response records and the input window.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator

import numpy as np
import pytest
from conversation_support import (
    assistant,
    delta_fields,
    feed,
    frame,
    response,
    start_answer,
    user_audio,
)

from openai_realtime.protocol import items
from openai_realtime.protocol.audio import SAMPLE_RATE, encode_base64
from openai_realtime.protocol.conversation import RealtimeConversation

_CHUNK = SAMPLE_RATE // 10  # 100 ms, as a microphone sends and as answers stream
_TURN_CHUNKS = 20  # two seconds each way
_USAGE = {
    "total_tokens": 150,
    "input_tokens": 30,
    "output_tokens": 120,
    "input_token_details": {"cached_tokens": 0, "text_tokens": 10, "audio_tokens": 20},
    "output_token_details": {"text_tokens": 20, "audio_tokens": 100},
}
# One turn's non-audio state is about 12 KB, most of it the typed server objects the store
# documents (the user item, the answer item, the response with its usage). Keeping committed
# input for the 30 s retention and finished answers in doubled storage held 119 KB per turn.
_PER_TURN_BOUND = 16 * 1024


def _turn_frames(turn: int) -> tuple[list[str], list[str]]:
    """The frames after the user's commit, and those of the spoken answer."""
    user = user_audio(f"user_{turn}")
    committed = [
        frame("input_audio_buffer.committed", item_id=f"user_{turn}"),
        frame("conversation.item.added", item=user),
        frame("conversation.item.done", item=user),
    ]
    response_id, item_id = f"resp_{turn}", f"item_{turn}"
    where = delta_fields(response_id, item_id)
    words = "word " * (_TURN_CHUNKS // 2)
    done = assistant(item_id, "completed", [{"type": "output_audio", "transcript": words}])
    speech = np.random.default_rng(turn).integers(-3000, 3000, _CHUNK, dtype=np.int16)
    answer = [
        *start_answer(response_id, assistant(item_id)),
        frame("response.content_part.added", part={"type": "audio", "transcript": ""}, **where),
    ]
    for index in range(_TURN_CHUNKS):
        if index % 2 == 0:
            answer.append(frame("response.output_audio_transcript.delta", delta="word ", **where))
        answer.append(frame("response.output_audio.delta", delta=encode_base64(speech), **where))
    answer += [
        frame("response.output_audio.done", **where),
        frame("response.output_audio_transcript.done", transcript=words, **where),
        frame("response.content_part.done", part={"type": "audio", "transcript": words}, **where),
        frame("response.output_item.done", response_id=response_id, output_index=0, item=done),
        frame("conversation.item.done", item=done),
        frame(
            "response.done",
            response=response(response_id, "completed", output=[done], usage=_USAGE),
        ),
    ]
    return committed, answer


def _session(turns: int) -> Iterator[RealtimeConversation]:
    """Runs one turn per step; yields the store after each."""
    conversation = RealtimeConversation()
    microphone = np.random.default_rng(7).integers(-3000, 3000, _CHUNK, dtype=np.int16)
    frames = [_turn_frames(turn) for turn in range(turns)]
    for committed, answer in frames:
        for _ in range(_TURN_CHUNKS):
            conversation.append_input_audio(microphone)
        feed(conversation, committed)
        feed(conversation, answer)
        yield conversation


def _audio_bytes(conversation: RealtimeConversation) -> int:
    return sum(item.formatted.audio.nbytes for item in conversation.get_items())


def test_a_long_session_holds_little_per_turn_beyond_its_audio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Audio storage as where no address space can be reserved (Windows): ordinary numpy
    # arrays, which tracemalloc sees (a reservation's pages it does not), doubling when full.
    monkeypatch.setattr(items, "_reserve", lambda sample_count: None)
    turns = 60  # two minutes of speech each way: well past the input window's 30 s
    session = _session(turns + 2)
    conversation = next(session)
    conversation = next(session)  # first-use costs (validators, the input window) come first
    audio_before = _audio_bytes(conversation)
    gc.collect()
    tracemalloc.start()  # counts what is allocated from here on and still held at the end
    try:
        for conversation in session:  # noqa: B007 (the last one is measured)
            pass
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    audio = _audio_bytes(conversation) - audio_before
    assert audio == turns * 2 * 2 * _TURN_CHUNKS * _CHUNK  # input and answer, 2 bytes a sample
    per_turn = (held - audio) / turns
    assert per_turn < _PER_TURN_BOUND, f"{per_turn:.0f} bytes held per turn beyond the audio"
