"""The client-side view of conversation items: what ``RealtimeConversation`` stores and returns.

Deltas arrive by the thousand during one answer, so both growing pieces are built to stay linear:

* text and transcripts collect their deltas in a list and join lazily, once per read;
* audio goes into :class:`AudioBuffer`, which writes every delta in place into reserved address
  space, so an append costs O(len(delta)) at any length and reading the audio is an O(1) view,
  not a concatenation; once the item's audio is done the store trims it to storage of exactly
  its size, so a long session holds its finished items' audio and no more.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openai_realtime.protocol.audio import SAMPLE_RATE
from openai_realtime.protocol.transcripts import DiarizedSegment

__all__ = [
    "AudioBuffer",
    "ConversationItem",
    "Delta",
    "FormattedItem",
    "FormattedTool",
    "TextBuilder",
]

_EMPTY_AUDIO: NDArray[np.int16] = np.zeros(0, dtype=np.int16)
_EMPTY_AUDIO.flags.writeable = False

# One hour of 24 kHz audio: a session ends at 60 minutes, so one item's audio fits. Only
# address space is reserved; memory is used page by page as samples are written.
_RESERVED_SAMPLES = 3600 * 24_000
# Unix maps anonymous memory lazily: a page is allocated when first written. `MAP_NORESERVE`
# (where Python exposes it) also keeps the unwritten part out of the commit charge. Elsewhere
# (Windows) a reservation would commit all of it at once, so buffers grow by copying there.
_RESERVE_FLAGS: int | None = (
    mmap.MAP_PRIVATE | getattr(mmap, "MAP_NORESERVE", 0) if hasattr(mmap, "MAP_PRIVATE") else None
)


# Trimming a reservation copies its samples to give back at most a page and the mapping: worth
# it for answers of seconds (the copy takes well under a millisecond), not for one of many
# minutes, whose copy of megabytes would stall the event loop for what is a rounding error.
_TRIM_RESERVED_SAMPLES = 30 * SAMPLE_RATE


def _reserve(sample_count: int) -> NDArray[np.int16] | None:
    """Address space for ``sample_count`` samples whose pages are only allocated when written.

    Returns ``None`` where the platform cannot reserve without committing memory, or when the
    system refuses the reservation (strict overcommit accounting, an address-space limit).
    """
    if _RESERVE_FLAGS is None:
        return None
    try:
        mapping = mmap.mmap(-1, sample_count * 2, flags=_RESERVE_FLAGS)
    except OSError:
        return None
    if hasattr(mmap, "MADV_NOHUGEPAGE"):
        # A huge page would be zeroed 2 MiB at a time on first write (a stall) and would hold
        # up to 2 MiB of unused memory at the end of the audio.
        mapping.madvise(mmap.MADV_NOHUGEPAGE)
    return np.frombuffer(mapping, dtype=np.int16)


class AudioBuffer:
    """A growing int16 buffer: appends that never stall, O(1) reads.

    The first append gets storage of exactly its size, so audio that arrives in one piece (a
    user's speech, an item created with its audio) holds no slack. A second append moves the
    samples into a reservation of address space large enough for an hour of audio: each later
    append writes in place, the operating system allocates memory page by page as it is first
    written, and nothing is ever copied again, so an append costs the same at any length and
    the memory used stays within a page of the audio held. Where no such reservation can be
    made, storage doubles when full (amortised O(n) appends, but each doubling copies
    everything held so far). :meth:`trim` gives back whatever the samples do not fill.

    Args:
        keep: When false the buffer only counts samples and stores none (for long-running agents
            that play audio and drop it).
    """

    __slots__ = ("_data", "_keep", "_length")

    def __init__(self, *, keep: bool = True) -> None:
        self._data: NDArray[np.int16] = _EMPTY_AUDIO
        self._length = 0
        self._keep = keep

    def __len__(self) -> int:
        return self._length

    @property
    def capacity(self) -> int:
        """How many samples fit before the storage must move (0 while nothing is stored)."""
        return len(self._data)

    def append(self, samples: NDArray[np.int16]) -> None:
        """Append samples (copied once, into the buffer's storage)."""
        count = len(samples)
        if count == 0:
            return  # empty deltas are legal; the shared empty array must never be written
        if not self._keep:
            self._length += count
            return
        end = self._length + count
        if end > len(self._data):
            self._move_to(self._room_for(end))
        self._data[self._length : end] = samples
        self._length = end

    def _room_for(self, sample_count: int) -> NDArray[np.int16]:
        if self._length == 0:
            return np.empty(sample_count, dtype=np.int16)
        reserved = _reserve(max(sample_count, 2 * len(self._data), _RESERVED_SAMPLES))
        if reserved is not None:
            return reserved
        return np.empty(max(sample_count, 2 * len(self._data)), dtype=np.int16)

    def _move_to(self, storage: NDArray[np.int16]) -> None:
        storage[: self._length] = self._data[: self._length]
        self._data = storage

    def truncate(self, sample_count: int) -> None:
        """Keep only the first ``sample_count`` samples."""
        self._length = max(0, min(self._length, sample_count))

    def trim(self) -> None:
        """Hold the samples in storage of exactly their size (call it once the audio is done).

        A session keeps every finished item, so what each holds beyond its samples adds up:
        storage that doubled may be half empty, and a reservation keeps a mapping and a partly
        filled last page. Trimming copies the samples once; a reservation is only trimmed for
        up to 30 s of audio, as beyond that its slack is negligible and the copy is not. Views
        handed out before keep the storage they look at; a later append still works.
        """
        if len(self._data) <= self._length:
            return  # already exact (or, when audio is not kept, nothing is stored)
        if self._length == 0:
            self._data = _EMPTY_AUDIO
            return
        # A reservation is an array over the mapping's exported buffer; other storage owns its data.
        if self._length > _TRIM_RESERVED_SAMPLES and isinstance(self._data.base, memoryview):
            return
        self._move_to(np.empty(self._length, dtype=np.int16))

    def view(self) -> NDArray[np.int16]:
        """The samples so far, as a read-only view (no copy); empty when audio is not kept."""
        if not self._keep or self._length == 0:
            return _EMPTY_AUDIO
        samples = self._data[: self._length]
        samples.flags.writeable = False
        return samples


class TextBuilder:
    """Collects string deltas; joins them only when read, and caches the result."""

    __slots__ = ("_parts",)

    def __init__(self, initial: str = "") -> None:
        self._parts: list[str] = [initial] if initial else []

    def append(self, delta: str) -> None:
        """Add a delta at the end."""
        self._parts.append(delta)

    def set(self, text: str) -> None:
        """Replace the whole text (a ``.done`` event carries the final value)."""
        self._parts = [text] if text else []

    def __str__(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""


@dataclass(slots=True)
class FormattedTool:
    """A function (or MCP) call as assembled from its deltas.

    Attributes:
        type: ``function_call`` or ``mcp_call``.
        name: The tool name.
        call_id: The id the output must refer to (empty for MCP calls).
        arguments: The JSON arguments text, complete once the item is done.
    """

    type: str
    name: str
    call_id: str
    arguments: str = ""


class FormattedItem:
    """The readable content of an item, kept current as deltas arrive.

    Attributes:
        tool: The call, for ``function_call`` and ``mcp_call`` items.
        output: The output text of a ``function_call_output`` (or an MCP call's result).
    """

    __slots__ = ("_segments", "_text", "_transcript", "audio_buffer", "output", "tool")

    def __init__(self, *, keep_audio: bool = True) -> None:
        self._text = TextBuilder()
        self._transcript = TextBuilder()
        self.audio_buffer = AudioBuffer(keep=keep_audio)
        self.tool: FormattedTool | None = None
        self.output: str | None = None
        # Created on the first diarized segment: most items never get one.
        self._segments: list[DiarizedSegment] | None = None

    @property
    def text(self) -> str:
        """Text content: the model's text output, or the text a user/system message carried."""
        return str(self._text)

    @property
    def transcript(self) -> str:
        """Transcript of the audio (the model's speech, or the user's once transcribed)."""
        return str(self._transcript)

    @property
    def audio(self) -> NDArray[np.int16]:
        """Audio so far, 24 kHz mono int16; an O(1) read-only view of a growing buffer."""
        return self.audio_buffer.view()

    @property
    def segments(self) -> list[DiarizedSegment]:
        """The speaker-labelled segments of the user's transcript, from a diarizing model."""
        return list(self._segments or ())

    def add_segment(self, segment: DiarizedSegment) -> None:
        """Keep one more diarized segment (for the conversation reducer)."""
        if self._segments is None:
            self._segments = []
        self._segments.append(segment)

    @property
    def text_builder(self) -> TextBuilder:
        """The builder behind :attr:`text` (for the conversation reducer)."""
        return self._text

    @property
    def transcript_builder(self) -> TextBuilder:
        """The builder behind :attr:`transcript` (for the conversation reducer)."""
        return self._transcript

    def __repr__(self) -> str:
        # What a reader wants in a log or a debugger: the content that is there, shortened, and
        # the audio's length rather than its samples.
        parts = [
            f"{name}={_shorten(value)!r}"
            for name, value in (
                ("text", self.text),
                ("transcript", self.transcript),
                ("output", self.output),
            )
            if value
        ]
        samples = len(self.audio_buffer)
        if samples:
            parts.append(f"audio={samples / SAMPLE_RATE:.2f}s")
        if self.tool is not None:
            parts.append(f"tool={self.tool!r}")
        return f"FormattedItem({', '.join(parts)})"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(eq=False)
class ConversationItem:
    """One item of the conversation as the client sees it.

    Attributes:
        id: The item id.
        type: ``message``, ``function_call``, ``function_call_output``, ``mcp_call``, ...
        role: ``user``, ``assistant`` or ``system`` for messages, else ``None``.
        status: ``in_progress``, ``completed``, ``incomplete`` or, for MCP calls, ``failed``
            (``None`` if never given).
        item: The latest typed item the server sent (a ``RealtimeConversationItem`` member).
        formatted: Text, transcript, audio, tool call and output, assembled from deltas.
        response_id: The response that produced the item, if any.
    """

    id: str
    type: str
    role: str | None
    status: str | None
    item: Any
    formatted: FormattedItem
    response_id: str | None = None
    # Byte offsets are never used: input audio positions are kept in samples.
    audio_start_ms: int | None = field(default=None)
    audio_end_ms: int | None = field(default=None)


@dataclass(frozen=True, slots=True)
class Delta:
    """What one event added to an item; only the fields it changed are set.

    Attributes:
        text: Appended text.
        transcript: Appended transcript.
        audio: Appended audio samples (int16, 24 kHz mono).
        arguments: Appended tool-call arguments text.
    """

    text: str | None = None
    transcript: str | None = None
    audio: NDArray[np.int16] | None = None
    arguments: str | None = None
