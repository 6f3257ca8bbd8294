"""What the live service refuses in ``conversation.item.create`` beyond the schema.

The schema gives every message content part the same optional fields; the service requires
the ones each part ``type`` needs, and it cannot populate assistant audio: an assistant
``output_audio`` part is refused for lacking ``text`` (seen live, openai-agents-js issue 963),
which is also what the spec's description of ``conversation.item.create`` announces.
"""

from __future__ import annotations

from typing import Final

from openai_realtime.protocol.rejections import missing_parameter
from openai_realtime.types import (
    RealtimeConversationItem,
    RealtimeConversationItemMessageAssistant,
)

__all__ = ["check_item"]

_NEEDS_TEXT: Final = frozenset({"input_text", "output_text"})


def check_item(item: RealtimeConversationItem, path: str) -> None:
    """Refuse an item the live service would refuse.

    Args:
        item: The item of a ``conversation.item.create``.
        path: Where the item sits in the event (``"item"``), for ``param``.

    Raises:
        InvalidRequest: A content part lacks its ``type`` or the field its type needs, or an
            assistant message carries audio.
    """
    assistant = isinstance(item, RealtimeConversationItemMessageAssistant)
    for index, part in enumerate(getattr(item, "content", None) or ()):
        where = f"{path}.content[{index}]"
        kind = getattr(part, "type", None)
        if kind is None:
            raise missing_parameter(f"{where}.type")
        text = getattr(part, "text", None)
        if text is None and (kind in _NEEDS_TEXT or (assistant and kind == "output_audio")):
            raise missing_parameter(f"{where}.text")
