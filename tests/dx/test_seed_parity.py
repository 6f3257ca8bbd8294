"""The seed's last gaps: ``client.tools``, the local session view, clearing every handler,
``is_connected`` as a property, a readable ``FormattedItem``, literal blocks in the reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from docs.griffe_sphinx_roles import fence_literal_blocks
from openai_realtime import RealtimeClient
from openai_realtime.protocol.items import FormattedItem, FormattedTool
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types.params import RealtimeFunctionToolParam
from tests.support import WAIT

WEATHER: RealtimeFunctionToolParam = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


async def test_tools_and_session_config_are_current_before_the_server_answers() -> None:
    async with FakeRealtimeServer() as server:
        client = RealtimeClient(url=server.url)
        await client.update_session(instructions="Be brief.", turn_detection=None)
        await client.add_tool(WEATHER, lambda arguments: {"sky": "sunny"})

        assert list(client.tools) == ["get_weather"]
        assert client.tools["get_weather"]["description"] == "The weather in a city."
        assert client.session is None  # nothing from the server yet
        config = client.session_config
        assert config["instructions"] == "Be brief."
        assert config["audio"]["input"]["turn_detection"] is None
        assert [tool["name"] for tool in config["tools"]] == ["get_weather"]

        config["instructions"] = "changed by the caller"
        client.tools["get_weather"]["description"] = "changed by the caller"
        with pytest.raises(TypeError):
            client.tools["other"] = {}  # type: ignore[index]
        assert client.session_config["instructions"] == "Be brief."
        assert client.tools["get_weather"]["description"] == "The weather in a city."

        async with client:
            await client.wait_for_session_created(timeout=WAIT)
            await client.remove_tool("get_weather")
            assert client.tools == {}
            assert "tools" not in client.session_config or client.session_config["tools"] == []


async def test_off_without_arguments_clears_every_handler_but_keeps_the_client_working() -> None:
    heard: list[str] = []
    async with FakeRealtimeServer() as server, RealtimeClient(url=server.url) as client:
        await client.wait_for_session_created(timeout=WAIT)
        client.on("server.response.done", lambda event: heard.append("wire"))
        client.on("conversation.updated", lambda event: heard.append("utility"))
        client.realtime.on("server.*", lambda event: heard.append("wildcard"))
        assert client.metrics.turns == ()  # starts collecting: internal hooks on server.*

        client.off()

        response = await client.send_user_message_content([{"type": "input_text", "text": "2+2"}])
        await response.done(timeout=WAIT)
        assert heard == []
        assert len(client.metrics.turns) == 1  # the library's own hooks still run
        assert "4" in (response.transcript or response.text)
    with pytest.raises(TypeError, match="needs the event name"):
        client.off(handler=print)


async def test_is_connected_is_a_property() -> None:
    async with FakeRealtimeServer() as server:
        client = RealtimeClient(url=server.url)
        assert client.is_connected is False
        async with client:
            assert client.is_connected is True
            with pytest.raises(TypeError, match="not callable"):
                client.is_connected()
        assert client.is_connected is False


def test_formatted_item_repr_shows_content_not_samples() -> None:
    item = FormattedItem()
    item.text_builder.append("x" * 100)
    item.transcript_builder.append("Hello there")
    item.audio_buffer.append(np.zeros(36_000, dtype=np.int16))
    item.tool = FormattedTool("function_call", "get_weather", "call_1", '{"city": "Paris"}')

    shown = repr(item)

    assert shown.startswith("FormattedItem(text='" + "x" * 57 + "...'")
    assert "transcript='Hello there'" in shown
    assert "audio=1.50s" in shown
    assert "name='get_weather'" in shown
    assert repr(FormattedItem()) == "FormattedItem()"


def test_literal_blocks_become_fenced_code() -> None:
    docstring = (
        "Intro.\n\nExample::\n\n    async with x:\n        pass\n\n"
        "Args:\n    a: After, you can script::\n\n        a = 1\n\n    b: End."
    )

    fenced = fence_literal_blocks(docstring)

    assert "::" not in fenced
    assert "Example:\n\n```python\nasync with x:\n    pass\n```\n\nArgs:" in fenced
    assert "script:\n\n    ```python\n    a = 1\n    ```\n\n    b: End." in fenced


@pytest.mark.parametrize(
    "module",
    ["client", "api", "recording", "testing.server", "testing.clock", "testing.responder"],
)
def test_the_reference_shows_examples_as_fenced_code(module: str) -> None:
    import griffe

    from docs.griffe_sphinx_roles import SphinxRoles

    package = griffe.load(
        f"openai_realtime.{module}",
        search_paths=["src"],
        extensions=griffe.load_extensions(SphinxRoles),
    )
    shown = "\n".join(_texts(package))
    assert "Example:\n\n```python\n" in shown
    assert "::\n" not in shown


def _texts(obj: Any) -> list[str]:
    """The text sections of ``obj``'s docstring and its members', as the reference shows them."""
    found = [
        str(section.value)
        for section in (obj.docstring.parse("google") if obj.docstring else [])
        if section.kind.value == "text"
    ]
    for member in obj.members.values():
        if not member.is_alias:
            found.extend(_texts(member))
    return found
