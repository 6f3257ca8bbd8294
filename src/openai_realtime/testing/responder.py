"""Who decides what the assistant answers: the responder protocol and a scripted responder.

A responder sees the conversation (a read-only :class:`ResponseContext`) whenever a response
starts and returns a :class:`~openai_realtime.testing.Reply`; the server turns that into the
exact event stream the service would send. It also "transcribes" committed input audio when
the session asks for input transcription.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from openai_realtime.testing.mcp_tools import McpToolInfo
from openai_realtime.testing.replies import Reply
from openai_realtime.types import (
    RealtimeConversationItem,
    RealtimeFunctionTool,
    RealtimeResponseCreateParams,
    RealtimeSessionCreateResponse,
    ToolChoiceFunction,
    ToolChoiceMCP,
)

__all__ = [
    "Responder",
    "ResponderFunction",
    "ResponseContext",
    "ScriptedResponder",
    "as_responder",
    "describe_audio",
    "resolve_reply",
]

ToolChoice: TypeAlias = str | ToolChoiceFunction | ToolChoiceMCP


@dataclass(frozen=True)
class ResponseContext:
    """Everything a responder may look at (copies: changing them changes nothing).

    Attributes:
        items: The conversation so far, oldest first (for an out-of-band response with
            ``input``, those items instead).
        audio: Input audio per user item id, as PCM16 samples at ``sample_rate``.
        sample_rate: Rate of the samples in ``audio``.
        session: The session configuration.
        params: The ``response`` object of ``response.create`` (empty for VAD responses).
        instructions: The effective instructions (response-level, else the session's).
        output_modalities: The effective modalities, e.g. ``("audio",)``.
        tools: The function tools the model may call.
        tool_choice: ``"auto"``, ``"none"``, ``"required"`` or a specific function.
        parallel_tool_calls: Whether several calls may be made at once.
        out_of_band: True when the response is not added to the conversation.
        mcp_tools: The tools of the MCP servers on offer, as those servers listed them.
    """

    items: tuple[RealtimeConversationItem, ...]
    audio: Mapping[str, NDArray[np.int16]]
    sample_rate: int
    session: RealtimeSessionCreateResponse
    params: RealtimeResponseCreateParams
    instructions: str
    output_modalities: tuple[str, ...]
    tools: tuple[RealtimeFunctionTool, ...]
    tool_choice: ToolChoice
    parallel_tool_calls: bool
    out_of_band: bool
    mcp_tools: tuple[McpToolInfo, ...] = ()


@runtime_checkable
class Responder(Protocol):
    """The interface the server asks for answers and transcripts."""

    def respond(self, context: ResponseContext) -> Reply | Awaitable[Reply]:
        """Decide the content of a response.

        Args:
            context: The conversation and settings.

        Returns:
            The reply, directly or as an awaitable (a responder may be async).
        """
        ...

    def transcribe(self, audio: NDArray[np.int16], sample_rate: int) -> str:
        """Return the "transcript" of committed input audio.

        Args:
            audio: The committed PCM16 samples.
            sample_rate: Their rate.

        Returns:
            The transcript.
        """
        ...


ResponderFunction: TypeAlias = Callable[[ResponseContext], Reply | Awaitable[Reply]]
"""A plain function can be a responder too; transcripts then describe the audio."""


def describe_audio(audio: NDArray[np.int16], sample_rate: int) -> str:
    """The default "transcript": a description of the audio, e.g. ``"(1.5 seconds of audio)"``.

    Args:
        audio: PCM16 samples.
        sample_rate: Their rate.

    Returns:
        A deterministic description of the duration.
    """
    return f"({len(audio) / sample_rate:.1f} seconds of audio)"


class _FunctionResponder:
    """Adapts a :data:`ResponderFunction` to the :class:`Responder` protocol."""

    def __init__(self, function: ResponderFunction) -> None:
        self._function = function

    def respond(self, context: ResponseContext) -> Reply | Awaitable[Reply]:
        return self._function(context)

    def transcribe(self, audio: NDArray[np.int16], sample_rate: int) -> str:
        return describe_audio(audio, sample_rate)


def as_responder(responder: Responder | ResponderFunction) -> Responder:
    """Accept either form of responder.

    Args:
        responder: An object following :class:`Responder`, or a function of the context.

    Returns:
        A :class:`Responder`.

    Raises:
        TypeError: ``responder`` is neither.
    """
    if isinstance(responder, Responder):
        return responder
    if callable(responder):
        return _FunctionResponder(responder)
    raise TypeError(
        f"a responder needs respond() and transcribe(), or must be callable: {responder!r}"
    )


async def resolve_reply(responder: Responder, context: ResponseContext) -> Reply:
    """Ask ``responder`` for a reply, awaiting it when it is asynchronous.

    Raises:
        TypeError: The responder returned something that is not a :class:`Reply`, or tool
            call arguments that cannot be encoded as JSON.
    """
    reply = responder.respond(context)
    if inspect.isawaitable(reply):
        reply = await reply
    if not isinstance(reply, Reply):
        raise TypeError(f"a responder must return a Reply, got {type(reply).__name__}")
    for call in reply.tool_calls:
        _ = call.arguments_json  # arguments that cannot be JSON fail here, before streaming
    return reply


class ScriptedResponder:
    """Answers with exactly the replies it was given, in order.

    Args:
        replies: One :class:`~openai_realtime.testing.Reply` per response, in order.
        transcripts: Input-audio transcripts, one per committed audio turn, in order; once
            they run out, transcripts describe the audio.
        then: Who answers once the replies run out; by default an exhausted script fails
            the response with an error that says so.

    Attributes:
        contexts: The context of every response asked for, for assertions.

    Example::

        responder = ScriptedResponder([Reply(text="Hi!"), Reply(tool_calls=[ToolCall("f")])])
        async with FakeRealtimeServer(responder=responder) as server:
            ...
    """

    def __init__(
        self,
        replies: Iterable[Reply],
        *,
        transcripts: Iterable[str] = (),
        then: Responder | None = None,
    ) -> None:
        self._replies = deque(replies)
        self._transcripts = deque(transcripts)
        self._then = then
        self.contexts: list[ResponseContext] = []

    @property
    def remaining(self) -> int:
        """Replies not used yet."""
        return len(self._replies)

    def respond(self, context: ResponseContext) -> Reply | Awaitable[Reply]:
        """Return the next scripted reply (see the class description when none are left)."""
        self.contexts.append(context)
        if self._replies:
            return self._replies.popleft()
        if self._then is not None:
            return self._then.respond(context)
        return Reply(error="ScriptedResponder has no replies left")

    def transcribe(self, audio: NDArray[np.int16], sample_rate: int) -> str:
        """Return the next scripted transcript; then ask ``then``, or describe the audio."""
        if self._transcripts:
            return self._transcripts.popleft()
        if self._then is not None:
            return self._then.transcribe(audio, sample_rate)
        return describe_audio(audio, sample_rate)
