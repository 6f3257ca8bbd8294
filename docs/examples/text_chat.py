"""Text chat: send one typed question and print the answer as it streams in.

Run:  python docs/examples/text_chat.py ["your question"] [--live]

Without --live a local fake server answers (it does simple arithmetic and echoes the rest).
"""

from __future__ import annotations

import asyncio

from example_support import argument_parser, realtime_url

from openai_realtime import RealtimeClient
from openai_realtime.local_events import ConversationUpdatedEvent


def print_assistant_text(event: ConversationUpdatedEvent) -> None:
    """Print each piece of the assistant's text as it arrives."""
    if event.item.role == "assistant" and event.delta is not None and event.delta.text:
        print(event.delta.text, end="", flush=True)


async def main(question: str, live: bool) -> None:
    async with realtime_url(live) as url, RealtimeClient(url=url) as client:
        await client.update_session(
            instructions="Answer in one short sentence.", output_modalities=["text"]
        )
        client.on("conversation.updated", print_assistant_text)
        print(f"user: {question}\nassistant: ", end="")
        # The handle records its response from the request on: nothing can be missed.
        handle = await client.send_user_message_content([{"type": "input_text", "text": question}])
        response = await handle.done(timeout=60)
    items = client.conversation.get_items()
    print(f"\n({response.status}; the conversation holds {len(items)} items)")


if __name__ == "__main__":
    parser = argument_parser(__doc__)
    parser.add_argument("question", nargs="?", default="What is 2 + 3?")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.question, arguments.live))
