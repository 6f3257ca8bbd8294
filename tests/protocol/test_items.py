"""The item building blocks: the growing audio buffer, the lazy text builder, the value types."""

from __future__ import annotations

import dataclasses
import mmap
import re

import numpy as np
import pytest
from numpy.typing import NDArray

from openai_realtime.protocol.items import (
    AudioBuffer,
    ConversationItem,
    Delta,
    FormattedItem,
    FormattedTool,
    TextBuilder,
)


def ramp(start: int, count: int) -> NDArray[np.int16]:
    return (np.arange(start, start + count) % 30_000).astype(np.int16)


def vm_flags(array: NDArray[np.int16]) -> list[str]:
    """The kernel's flags for the memory map holding ``array`` (Linux ``/proc/self/smaps``)."""
    address = array.ctypes.data
    inside = False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            span = re.match(r"([0-9a-f]+)-([0-9a-f]+) ", line)
            if span:
                inside = int(span[1], 16) <= address < int(span[2], 16)
            elif inside and line.startswith("VmFlags:"):
                return line.split()[1:]
    raise AssertionError(f"no mapping holds address {address:#x}")


def is_memory_map(array: NDArray[np.int16]) -> bool:
    base = array.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)


def test_audio_buffer_view_is_read_only_and_not_a_copy() -> None:
    buffer = AudioBuffer()
    buffer.append(ramp(0, 100))
    view = buffer.view()
    assert not view.flags.writeable
    with pytest.raises(ValueError):
        view[0] = 1
    buffer.append(ramp(100, 10))
    assert np.array_equal(view, ramp(0, 100)), "an earlier view keeps its samples"
    assert np.array_equal(buffer.view(), ramp(0, 110))


def test_a_single_sample_is_kept() -> None:
    buffer = AudioBuffer()
    buffer.append(np.array([-5], dtype=np.int16))
    assert buffer.view().tolist() == [-5]


def test_empty_audio_buffer_and_empty_appends() -> None:
    buffer = AudioBuffer()
    assert len(buffer) == 0
    assert buffer.view().size == 0 and not buffer.view().flags.writeable
    buffer.append(np.zeros(0, dtype=np.int16))
    assert len(buffer) == 0
    assert buffer.view().size == 0
    buffer.append(ramp(0, 3))
    buffer.append(np.zeros(0, dtype=np.int16))
    assert np.array_equal(buffer.view(), ramp(0, 3))


def test_audio_buffer_truncate_keeps_a_prefix_and_never_grows() -> None:
    buffer = AudioBuffer()
    buffer.append(ramp(0, 1000))
    buffer.truncate(5000)
    assert len(buffer) == 1000
    buffer.truncate(400)
    assert len(buffer) == 400
    assert np.array_equal(buffer.view(), ramp(0, 400))
    buffer.append(ramp(7, 2))
    assert np.array_equal(buffer.view()[-3:], np.array([399, 7, 8], dtype=np.int16))
    buffer.truncate(-5)
    assert len(buffer) == 0
    assert buffer.view().size == 0


def test_audio_buffer_that_keeps_nothing_counts_samples() -> None:
    buffer = AudioBuffer(keep=False)
    buffer.append(ramp(0, 480))
    buffer.append(ramp(0, 20))
    assert len(buffer) == 500
    assert buffer.view().size == 0
    buffer.truncate(100)
    assert len(buffer) == 100


def test_text_builder_joins_once_and_set_replaces() -> None:
    builder = TextBuilder("Hel")
    assert str(builder) == "Hel"
    builder.append("lo")
    builder.append(", ")
    builder.append("you")
    assert str(builder) == "Hello, you"
    assert str(builder) == "Hello, you"
    builder.append("!")
    assert str(builder) == "Hello, you!"
    builder.set("")
    assert str(builder) == ""
    builder.append("a")
    assert str(builder) == "a"
    builder.set("new")
    builder.append(" text")
    assert str(builder) == "new text"
    assert str(TextBuilder()) == ""


def test_formatted_item_starts_empty_and_exposes_its_builders() -> None:
    formatted = FormattedItem()
    assert (formatted.text, formatted.transcript, formatted.tool, formatted.output) == (
        "",
        "",
        None,
        None,
    )
    formatted.text_builder.append("t")
    formatted.transcript_builder.append("s")
    formatted.audio_buffer.append(ramp(0, 5))
    assert (formatted.text, formatted.transcript) == ("t", "s")
    assert np.array_equal(formatted.audio, ramp(0, 5))
    muted = FormattedItem(keep_audio=False)
    muted.audio_buffer.append(ramp(0, 5))
    assert len(muted.audio_buffer) == 5 and muted.audio.size == 0


def test_value_types_defaults() -> None:
    item = ConversationItem("i", "message", "user", None, None, FormattedItem())
    assert (item.response_id, item.audio_start_ms, item.audio_end_ms) == (None, None, None)
    assert FormattedTool("function_call", "f", "c").arguments == ""
    delta = Delta()
    assert (delta.text, delta.transcript, delta.audio, delta.arguments) == (None,) * 4
    with pytest.raises(dataclasses.FrozenInstanceError):
        delta.text = "x"  # type: ignore[misc]


def test_items_are_compared_by_identity_and_hashable() -> None:
    first = ConversationItem("i", "message", "user", None, None, FormattedItem())
    twin = dataclasses.replace(first)
    assert first != twin
    assert len({first, twin, first}) == 2
