"""Row 6: memory, per idle connected session and over a 30-minute spoken answer.

Method. Memory is the resident set size (RSS) of this process, read from ``/proc/self/statm``
after a full garbage collection; the server runs in another process (``bench_server``), so none
of its memory counts. RSS is what the operating system actually charges: freed memory the
allocator keeps for reuse still counts, and address space reserved but never written does not.

* Idle sessions: one ``RealtimeClient`` connects and disconnects first, so one-time costs
  (imports, schema building, TLS and aiohttp set-up) are paid before the baseline; then 100
  clients connect and wait for ``session.created``, and the RSS increase is divided by 100.
  RSS can undercount here (the sessions may fit into memory freed earlier), so 100 more connect
  under ``tracemalloc``, which counts their allocations; the larger figure is judged. Target:
  under 1 MB per session.
* A 30-minute answer: a connected ``RealtimeClient`` (conversation store keeping the audio, and
  a ``conversation.updated`` handler) receives one answer of 30 minutes of audio, as fast as the
  server sends it. The RSS increase is compared with the audio it holds at the end (PCM16 bytes).
  Target: growth less than 10% over the audio bytes.

The same answer is then received a second time under ``tracemalloc``, which counts allocations
rather than pages, to show how much of the growth is Python objects (everything but the audio).
Long audio lives in anonymous memory maps (see ``AudioBuffer``), which ``tracemalloc`` does not
see; its figure is for information, the target is judged on RSS.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from bench_report import Row, record
from bench_server import ServerProcess, answer_samples

from openai_realtime import RealtimeClient
from openai_realtime.local_events import ConversationUpdatedEvent

WAIT = 120.0
MB = 1024 * 1024
_STATM = Path("/proc/self/statm")
_NUMPY_TRACEMALLOC_DOMAIN = 389047  # numpy registers its data buffers under this domain
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int:
    """This process's resident set size after a full collection."""
    gc.collect()
    return int(_STATM.read_text().split()[1]) * _PAGE_SIZE


async def connect_idle(url: str, sessions: int) -> list[RealtimeClient]:
    """``sessions`` clients, connected and past ``session.created``."""
    clients = [RealtimeClient(url=url) for _ in range(sessions)]
    for client in clients:
        await client.connect()
    await asyncio.gather(*(client.wait_for_session_created(timeout=WAIT) for client in clients))
    return clients


async def idle_session_bytes(url: str, sessions: int) -> tuple[float, float]:
    """Memory per connected, idle ``RealtimeClient``: by RSS, and by tracemalloc.

    The tracemalloc figure counts what was allocated for the sessions (Python objects and numpy
    buffers), whatever the allocator had free already; RSS can undercount when sessions fit
    into memory that earlier work freed, and overcount through fragmentation.
    """
    async with RealtimeClient(url=url) as first:
        await first.wait_for_session_created(timeout=WAIT)
    before = resident_bytes()
    clients = await connect_idle(url, sessions)
    resident = resident_bytes() - before
    tracemalloc.start()
    try:
        traced_before = tracemalloc.get_traced_memory()[0]
        clients += await connect_idle(url, sessions)
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0] - traced_before
    finally:
        tracemalloc.stop()
        await asyncio.gather(*(client.disconnect() for client in clients))
    return resident / sessions, traced / sessions


@dataclass(frozen=True)
class AnswerGrowth:
    """Memory growth while receiving one long answer.

    Attributes:
        audio_bytes: PCM16 bytes of the answer's audio, held by the store.
        resident: RSS increase over the answer.
        python_objects: Growth of allocations other than numpy's (``tracemalloc``).
    """

    audio_bytes: int
    resident: int
    python_objects: int

    @property
    def overhead(self) -> float:
        """RSS growth beyond the audio, as a fraction of the audio."""
        return (self.resident - self.audio_bytes) / self.audio_bytes


async def answer_growth(url: str, answer_seconds: float) -> AnswerGrowth:
    """Receive the answer twice on one connection: once measuring RSS, once under tracemalloc."""
    client = RealtimeClient(url=url)
    updates = 0

    def on_update(event: ConversationUpdatedEvent) -> None:
        nonlocal updates
        updates += 1

    async def one_answer() -> None:
        done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=WAIT))
        await client.create_response()
        await done

    client.on("conversation.updated", on_update)
    async with client:
        await client.wait_for_session_created(timeout=WAIT)
        before = resident_bytes()
        await one_answer()
        resident = resident_bytes() - before
        tracemalloc.start()
        try:
            start = tracemalloc.take_snapshot()
            await one_answer()
            gc.collect()
            end = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
    # numpy's own buffers (small audio, decoded deltas) are left out: they are audio, not
    # bookkeeping.
    outside_numpy = [tracemalloc.DomainFilter(inclusive=False, domain=_NUMPY_TRACEMALLOC_DOMAIN)]
    changes = end.filter_traces(outside_numpy).compare_to(
        start.filter_traces(outside_numpy), "filename"
    )
    audio_bytes = 2 * answer_samples(answer_seconds)
    items = client.conversation.get_items()
    assert [len(item.formatted.audio) * 2 for item in items[-2:]] == [audio_bytes] * 2
    assert updates > 0
    return AnswerGrowth(audio_bytes, resident, sum(change.size_diff for change in changes))


def _linux_only() -> None:
    if not _STATM.exists():
        pytest.skip("reads /proc/self/statm (Linux)")


async def test_smoke_row6_memory() -> None:
    _linux_only()
    async with ServerProcess(answer_seconds=3) as server:
        resident, traced = await idle_session_bytes(server.url, sessions=2)
        growth = await answer_growth(server.url, answer_seconds=3)
    assert traced > 0
    assert resident < 50 * MB  # a sanity bound only: two sessions are too few to measure
    assert growth.audio_bytes == 2 * answer_samples(3)


@pytest.mark.bench
@pytest.mark.timeout(300)
async def test_row6_memory() -> None:
    _linux_only()
    async with ServerProcess(answer_seconds=1800) as server:
        resident, traced = await idle_session_bytes(server.url, sessions=100)
        growth = await answer_growth(server.url, answer_seconds=1800)
    per_session = max(resident, traced)
    record(
        Row(
            6,
            "memory per idle connected RealtimeClient (100 sessions)",
            f"{per_session / 1024:,.0f} KiB (RSS {resident / 1024:,.0f}, "
            f"traced {traced / 1024:,.0f})",
            "",
            "",
            "",
            "< 1 MB",
            per_session < 1_000_000,
        ),
        Row(
            6,
            "RSS growth over a 30-min answer, beyond its audio",
            f"+{growth.overhead:.1%} ({growth.resident / MB:,.1f} MiB)",
            "PCM16 audio held",
            f"{growth.audio_bytes / MB:,.1f} MiB",
            "",
            "< 10%",
            growth.overhead < 0.10,
        ),
        Row(
            6,
            "  same answer again under tracemalloc: Python objects kept",
            f"{growth.python_objects / 1024:,.0f} KiB",
            "",
            "",
            "",
            "(info)",
            None,
        ),
    )
