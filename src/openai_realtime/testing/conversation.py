"""The server side of the conversation: ordered items, with their audio kept apart.

Item events carry no audio data (the service leaves it out too), so stored items hold none;
the audio of each content part is kept as PCM16 samples next to the item, which is what
``conversation.item.retrieve`` encodes and ``conversation.item.truncate`` cuts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.testing.audio_format import AudioFormat
from openai_realtime.types import (
    RealtimeConversationItem,
    RealtimeConversationItemMessageAssistant,
)

__all__ = ["ROOT", "Conversation", "StoredAudio", "StoredItem", "text_length"]

ROOT = "root"
"""The ``previous_item_id`` that inserts at the start of the conversation."""


@dataclass
class StoredAudio:
    """The audio of one content part.

    Attributes:
        samples: PCM16 samples at ``audio_format.rate``.
        audio_format: The wire format the audio came in or went out in.
    """

    samples: NDArray[np.int16]
    audio_format: AudioFormat

    @property
    def duration_ms(self) -> int:
        """Length in whole milliseconds."""
        return self.audio_format.ms_for_samples(len(self.samples))


@dataclass
class StoredItem:
    """One conversation item.

    Attributes:
        item: The item as events show it (no audio data).
        audio: Audio per content index.
    """

    item: RealtimeConversationItem
    audio: dict[int, StoredAudio] = field(default_factory=dict)

    @property
    def item_id(self) -> str:
        """The item's id (stored items always have one)."""
        assert self.item.id is not None, "stored items are given ids before they are stored"
        return self.item.id

    @classmethod
    def from_client(
        cls,
        item: RealtimeConversationItem,
        item_id: str,
        *,
        input_format: AudioFormat,
        output_format: AudioFormat,
    ) -> StoredItem:
        """Store an item from ``conversation.item.create``: give it an id and a final status,
        and move any base64 audio out of its content parts into samples.

        Args:
            item: The item as the client sent it.
            item_id: Its id (the client's, or a new one).
            input_format: How ``input_audio`` parts are encoded.
            output_format: How ``output_audio`` parts are encoded.

        Returns:
            The stored item.

        Raises:
            InvalidRequest: A content part's audio cannot be decoded.
        """
        fields = type(item).model_fields
        update: dict[str, Any] = {"id": item_id}
        if "object" in fields:
            update["object"] = "realtime.item"
        if "status" in fields:
            update["status"] = "completed"
        audio: dict[int, StoredAudio] = {}
        content = getattr(item, "content", None)
        if content is not None:
            parts = []
            for index, part in enumerate(content):
                encoded = getattr(part, "audio", None)
                if encoded is None:
                    parts.append(part)
                    continue
                audio_format = output_format if part.type == "output_audio" else input_format
                try:
                    audio[index] = StoredAudio(audio_format.decode(encoded), audio_format)
                except ValueError as error:
                    raise InvalidRequest(
                        f"Invalid audio in item content: {error}",
                        code="invalid_value",
                        param=f"item.content[{index}].audio",
                    ) from None
                # Events never carry audio data, so the stored part must not have the field.
                kept = part.model_dump(mode="json", exclude_unset=True, exclude={"audio"})
                parts.append(type(part).model_validate(kept))
            update["content"] = parts
        return cls(item.model_copy(update=update), audio)

    def with_audio(self) -> RealtimeConversationItem:
        """The item with each content part's audio filled in as base64, for retrieval."""
        content = getattr(self.item, "content", None)
        if not self.audio or content is None:
            return self.item.model_copy(deep=True)
        parts = [
            part.model_copy(
                update={"audio": self.audio[index].audio_format.encode(self.audio[index].samples)}
            )
            if index in self.audio
            else part.model_copy()
            for index, part in enumerate(content)
        ]
        return self.item.model_copy(update={"content": parts})


class Conversation:
    """Ordered items with lookup by id."""

    def __init__(self) -> None:
        self._items: list[StoredItem] = []
        self._by_id: dict[str, StoredItem] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[StoredItem]:
        return iter(self._items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    @property
    def last_id(self) -> str | None:
        """The id of the last item, or ``None`` when empty."""
        return self._items[-1].item_id if self._items else None

    def get(self, item_id: str) -> StoredItem:
        """Find an item.

        Raises:
            InvalidRequest: No item has this id.
        """
        try:
            return self._by_id[item_id]
        except KeyError:
            raise _not_found(item_id) from None

    def insert(self, stored: StoredItem, previous_item_id: str | None = None) -> str | None:
        """Add an item.

        Args:
            stored: The item (with its id set).
            previous_item_id: ``None`` appends, :data:`ROOT` inserts first, an id inserts after
                that item.

        Returns:
            The id of the item now before it, or ``None`` when it is first.

        Raises:
            InvalidRequest: The id is taken, or ``previous_item_id`` is unknown.
        """
        if stored.item_id in self._by_id:
            raise InvalidRequest(
                f"Item with id '{stored.item_id}' already exists.",
                code="item_already_exists",
                param="item.id",
            )
        if previous_item_id is None:
            position = len(self._items)
        elif previous_item_id == ROOT:
            position = 0
        elif previous_item_id in self._by_id:
            position = self._items.index(self._by_id[previous_item_id]) + 1
        else:
            # The id is a field of the event itself, so the param is the bare field name.
            raise InvalidRequest(
                f"Previous item with id '{previous_item_id}' does not exist.",
                code="item_not_found",
                param="previous_item_id",
            )
        self._items.insert(position, stored)
        self._by_id[stored.item_id] = stored
        return self._items[position - 1].item_id if position else None

    def previous_id(self, item_id: str) -> str | None:
        """The id of the item before ``item_id`` (``None`` when it is first)."""
        position = self._items.index(self.get(item_id))
        return self._items[position - 1].item_id if position else None

    def delete(self, item_id: str) -> None:
        """Remove an item.

        Raises:
            InvalidRequest: No item has this id.
        """
        self._items.remove(self.get(item_id))
        del self._by_id[item_id]

    def truncate(self, item_id: str, content_index: int, audio_end_ms: int) -> None:
        """Cut an item's audio at ``audio_end_ms`` and drop its transcript (not heard).

        Raises:
            InvalidRequest: Unknown item; not an assistant audio part at ``content_index``
                (the service truncates only model output audio); ``audio_end_ms`` negative or
                beyond the audio.
        """
        stored = self.get(item_id)
        audio = stored.audio.get(content_index)
        content = getattr(stored.item, "content", None) or []
        part = content[content_index] if 0 <= content_index < len(content) else None
        # A part still streaming is not in the item's content yet, but its audio is stored.
        is_model_audio = (
            isinstance(stored.item, RealtimeConversationItemMessageAssistant)
            and audio is not None
            and (part is None or part.type == "output_audio")
        )
        if not is_model_audio or audio is None:
            raise InvalidRequest(
                "Only model output audio messages can be truncated",
                code="unsupported_content_type",
                param="item_id",
            )
        if audio_end_ms < 0:
            raise InvalidRequest(
                f"Invalid 'audio_end_ms': integer below minimum value. Expected a value >= 0, "
                f"but got {audio_end_ms} instead.",
                code="integer_below_min_value",
                param="audio_end_ms",
            )
        if audio_end_ms > audio.duration_ms:
            raise InvalidRequest(
                f"Audio content of {audio.duration_ms}ms is already shorter than {audio_end_ms}ms",
                code="invalid_value",
                param="audio_end_ms",
            )
        audio.samples = audio.samples[: audio.audio_format.samples_for_ms(audio_end_ms)]
        if part is not None:
            content[content_index] = part.model_copy(update={"transcript": None})

    def has_assistant_audio(self) -> bool:
        """True once any assistant message in the conversation carries audio."""
        return any(
            isinstance(stored.item, RealtimeConversationItemMessageAssistant) and stored.audio
            for stored in self._items
        )


def text_length(item: RealtimeConversationItem) -> int:
    """Characters of text an item carries: texts and transcripts, call arguments and outputs."""
    total = 0
    for part in getattr(item, "content", None) or ():
        total += len(getattr(part, "text", None) or "") + len(
            getattr(part, "transcript", None) or ""
        )
    for name in ("arguments", "output"):
        value = getattr(item, name, None)
        if isinstance(value, str):
            total += len(value)
    return total


def _not_found(item_id: str) -> InvalidRequest:
    return InvalidRequest(
        f"Item with id '{item_id}' does not exist.", code="item_not_found", param="item_id"
    )
