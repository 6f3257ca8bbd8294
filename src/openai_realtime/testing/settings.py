"""The effective settings of one response: ``response.create`` parameters over the session's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from openai_realtime.testing.audio_format import AudioFormat
from openai_realtime.testing.responder import ToolChoice
from openai_realtime.types import (
    MCPTool,
    RealtimeConversationItem,
    RealtimeFunctionTool,
    RealtimeResponseCreateParams,
    RealtimeSessionCreateResponse,
)

__all__ = ["ResponseSettings"]

Modality = Literal["text", "audio"]


@dataclass(frozen=True)
class ResponseSettings:
    """What one response uses, each value from ``response.create`` when given there.

    Attributes:
        output_modalities: ``("audio",)`` (speech with a transcript) or ``("text",)``.
        instructions: Response-level instructions, else the session's.
        tools: The function tools on offer.
        mcp_servers: The MCP servers (tools of type ``mcp``) on offer.
        tool_choice: Whether and which tools may be called.
        parallel_tool_calls: Whether several calls may be made at once.
        audio_format: Output audio format.
        voice: Output voice name.
        max_output_tokens: Output token limit, or ``"inf"``.
        metadata: Echoed in the response.
        out_of_band: ``conversation: "none"``: output is not added to the conversation.
        input_items: The ``input`` items of an out-of-band response, or ``None``.
    """

    output_modalities: tuple[Modality, ...]
    instructions: str
    tools: tuple[RealtimeFunctionTool, ...]
    mcp_servers: tuple[MCPTool, ...]
    tool_choice: ToolChoice
    parallel_tool_calls: bool
    audio_format: AudioFormat
    voice: str
    max_output_tokens: int | Literal["inf"]
    metadata: dict[str, str] | None
    out_of_band: bool
    input_items: tuple[RealtimeConversationItem, ...] | None

    @classmethod
    def resolve(
        cls, session: RealtimeSessionCreateResponse, params: RealtimeResponseCreateParams
    ) -> ResponseSettings:
        """Combine the session configuration with a response's parameters.

        Args:
            session: The current session.
            params: The ``response`` of ``response.create`` (empty for VAD responses).

        Returns:
            The effective settings.
        """
        session_output = session.audio.output if session.audio else None
        params_output = params.audio.output if params.audio else None
        wire_format = _first(
            params_output.format if params_output else None,
            session_output.format if session_output else None,
        )
        voice: Any = _first(
            params_output.voice if params_output else None,
            session_output.voice if session_output else None,
            "alloy",
        )
        tools = params.tools if params.tools is not None else session.tools or []
        parallel = _first(params.parallel_tool_calls, _extra(session, "parallel_tool_calls"), True)
        return cls(
            output_modalities=tuple(
                _first(params.output_modalities, session.output_modalities, ["audio"])
            ),
            instructions=_first(params.instructions, session.instructions, ""),
            tools=tuple(tool for tool in tools if isinstance(tool, RealtimeFunctionTool)),
            mcp_servers=tuple(tool for tool in tools if isinstance(tool, MCPTool)),
            tool_choice=_first(params.tool_choice, session.tool_choice, "auto"),
            parallel_tool_calls=bool(parallel),
            audio_format=AudioFormat.from_wire(
                wire_format.model_dump(mode="json") if wire_format else None
            ),
            voice=voice if isinstance(voice, str) else voice.id,
            max_output_tokens=_first(params.max_output_tokens, session.max_output_tokens, "inf"),
            metadata=params.metadata,
            out_of_band=params.conversation == "none",
            input_items=tuple(params.input) if params.input is not None else None,
        )

    @property
    def spoken(self) -> bool:
        """True when plain answers are spoken rather than written."""
        return "audio" in self.output_modalities


def _first(*values: Any) -> Any:
    """The first value that is not ``None``."""
    return next((value for value in values if value is not None), None)


def _extra(model: RealtimeSessionCreateResponse, name: str) -> Any:
    return (model.model_extra or {}).get(name)
