"""What a responder decides a response contains: :class:`Reply` and :class:`ToolCall`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openai_realtime.testing.faults import Fault

__all__ = ["Reply", "ToolCall"]


@dataclass(frozen=True)
class ToolCall:
    """One tool call the assistant makes: a function call, or an MCP tool call.

    Attributes:
        name: The function's (or MCP tool's) name.
        arguments: JSON text, or a mapping that is encoded as JSON.
        call_id: The ``call_id`` of a function call; made up when ``None``.
        server_label: Set for a call to a tool of this MCP server (a session tool of type
            ``mcp``): the server runs it, asking for approval first when required.
    """

    name: str
    arguments: str | Mapping[str, Any] = "{}"
    call_id: str | None = None
    server_label: str | None = None

    @property
    def arguments_json(self) -> str:
        """The arguments as the JSON text streamed to the client."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments))


@dataclass(frozen=True)
class Reply:
    """The content of one response, in output order: a message, then tool calls.

    Attributes:
        text: What the assistant says; spoken (audio with this transcript) or written
            (``output_text``) according to the response's ``output_modalities``.
        audio_text: What the assistant says out loud, as audio whatever the modalities.
        audio: Exact PCM16 samples (24 kHz) to send instead of synthesised speech; its
            transcript is ``audio_text`` (or ``text``).
        tool_calls: Function calls and MCP tool calls, sent after the message (several make
            parallel calls).
        error: Fail the response: an ``error`` event (``server_error``) with this message,
            then ``response.done`` with status ``failed``.
        faults: Faults counted from this response's ``response.created``.

    Raises:
        ValueError: Both ``text`` and ``audio_text`` are given.
    """

    text: str | None = None
    audio_text: str | None = None
    audio: NDArray[np.int16] | None = field(default=None, compare=False, repr=False)
    tool_calls: Sequence[ToolCall] = ()
    error: str | None = None
    faults: Sequence[Fault] = ()

    def __post_init__(self) -> None:
        if self.text is not None and self.audio_text is not None:
            raise ValueError("give a Reply either text or audio_text, not both")
