"""Tools: declare a function the model may call; the client runs it and answers the call.

Run:  python docs/examples/tools.py [--live]

The first response is the model's call to get_weather. The client runs the handler, sends its
result back as the call's output and asks for a new response, which uses that result.
"""

from __future__ import annotations

import asyncio
from typing import Any

from example_support import argument_parser, realtime_url

from openai_realtime import RealtimeClient
from openai_realtime.types.params import RealtimeFunctionToolParam

WEATHER_TOOL: RealtimeFunctionToolParam = {
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city's name"}},
        "required": ["city"],
    },
}


async def get_weather(arguments: dict[str, Any]) -> dict[str, Any]:
    """The handler: gets the parsed arguments, returns anything JSON can encode."""
    print(f"get_weather called with {arguments}")
    return {"city": arguments["city"], "sky": "sunny", "temperature_c": 21}


async def main(live: bool) -> None:
    async with realtime_url(live) as url, RealtimeClient(url=url) as client:
        await client.update_session(output_modalities=["text"])
        await client.add_tool(WEATHER_TOOL, get_weather)
        question = "Use get_weather: what is the weather in Paris?"
        called = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=60))
        await client.send_user_message_content([{"type": "input_text", "text": question}])
        await called  # the response that called the tool; its handler now runs by itself
        answered = await client.wait_for_next("server.response.done", timeout=60)
    print(f"assistant: {client.conversation.get_items()[-1].formatted.text}")
    print(f"final response: {answered.response.status}")


if __name__ == "__main__":
    asyncio.run(main(argument_parser(__doc__).parse_args().live))
