"""A sideband connection's view of its call: the call's end becomes ``call.ended``."""

from __future__ import annotations

from openai_realtime.api import RealtimeAPI
from openai_realtime.events import EventEmitter
from openai_realtime.local_events import CallEndedEvent, CloseEvent

__all__ = ["watch_call_end"]


def watch_call_end(realtime: RealtimeAPI, emitter: EventEmitter) -> None:
    """Dispatch ``call.ended`` on ``emitter`` when the server closes a sideband connection.

    Call it before anything else listens to ``close``: ``call.ended`` then reaches handlers and
    waits before ``close`` releases the pending waits. Nothing happens for a connection that is
    not a sideband.

    Args:
        realtime: The event connection.
        emitter: Where ``call.ended`` is dispatched (the client).
    """
    call_id = realtime.call_id
    if call_id is None:
        return

    def closed(event: CloseEvent) -> None:
        if not event.requested:
            emitter.dispatch("call.ended", CallEndedEvent(call_id, event.code, event.reason))

    realtime.on("close", closed)
