"""The one way out of a connection: encode, record, inject due faults, send.

Every server frame passes through :class:`Outbox`, so counting frames for tests and firing
faults after exactly N frames happen in one place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from aiohttp import web

from openai_realtime.protocol.codec import encode_server_event
from openai_realtime.testing.clock import FakeClock
from openai_realtime.testing.faults import (
    Delay,
    DropConnection,
    Fault,
    FaultSchedule,
    SendBinaryFrame,
    SendMalformedFrame,
    SendUnknownEvent,
)
from openai_realtime.testing.ids import IdFactory
from openai_realtime.testing.record import ConnectionRecord
from openai_realtime.types import ServerEvent

__all__ = ["ConnectionGone", "Outbox"]

logger = logging.getLogger("openai_realtime.testing")

_NOT_AN_EVENT = "<frame>"


class ConnectionGone(Exception):
    """The connection is closed (by the client, the network or a fault); stop producing."""


class Outbox:
    """Sends server frames on one WebSocket.

    Args:
        websocket: The prepared server-side WebSocket.
        request: The HTTP request it was upgraded from (its transport is aborted by faults).
        record: Where sent frames are counted.
        ids: Makes event ids for injected events.
        clock: The server's clock, which times :class:`Delay` faults.
    """

    def __init__(
        self,
        websocket: web.WebSocketResponse,
        request: web.Request,
        record: ConnectionRecord,
        ids: IdFactory,
        clock: FakeClock,
    ) -> None:
        self._websocket = websocket
        self._request = request
        self._record = record
        self._ids = ids
        self._clock = clock
        self._faults = FaultSchedule()
        self._debug = logger.isEnabledFor(logging.DEBUG)

    @property
    def sent_count(self) -> int:
        """Frames sent so far on this connection."""
        return self._record.sent_count

    async def schedule(self, faults: Iterable[Fault]) -> None:
        """Schedule faults counted from now, firing any that are already due.

        Raises:
            ConnectionGone: A fault dropped the connection.
        """
        self._faults.add(faults, sent_so_far=self._record.sent_count)
        await self._fire_due_faults()

    async def send(self, event: ServerEvent) -> None:
        """Encode and send one event.

        Raises:
            ConnectionGone: The connection is closed.
        """
        await self.send_encoded(encode_server_event(event), event.type)

    async def send_encoded(self, text: str, event_type: str) -> None:
        """Send an event that is already JSON text (the hot path for audio deltas).

        Args:
            text: The event's JSON.
            event_type: Its ``type``, for the record.

        Raises:
            ConnectionGone: The connection is closed.
        """
        await self._write(text, event_type)
        await self._fire_due_faults()

    async def _write(self, frame: str | bytes, event_type: str) -> None:
        if self._websocket.closed:
            raise ConnectionGone
        try:
            if isinstance(frame, str):
                await self._websocket.send_str(frame)
            else:
                await self._websocket.send_bytes(frame)
        except (ConnectionError, RuntimeError) as error:
            raise ConnectionGone from error
        self._record.record_sent(frame, event_type)
        if self._debug:
            logger.debug("sent %s (%d chars)", event_type, len(frame))

    async def _fire_due_faults(self) -> None:
        while (fault := self._faults.pop_due(self._record.sent_count)) is not None:
            await self._fire(fault)

    async def _fire(self, fault: Fault) -> None:
        logger.info("injecting fault %r", fault)
        if isinstance(fault, DropConnection):
            await self._drop(fault)
        elif isinstance(fault, SendUnknownEvent):
            event = {"type": fault.event_type, "event_id": self._ids.make("event")}
            await self._write(json.dumps({**event, **fault.payload}), fault.event_type)
        elif isinstance(fault, SendMalformedFrame):
            await self._write(fault.text, _NOT_AN_EVENT)
        elif isinstance(fault, SendBinaryFrame):
            await self._write(fault.data, _NOT_AN_EVENT)
        elif isinstance(fault, Delay):
            await self._clock.sleep(fault.seconds)

    async def _drop(self, fault: DropConnection) -> None:
        if fault.close_code is None:
            transport = self._request.transport
            if transport is not None:
                transport.abort()
        else:
            await self._websocket.close(code=fault.close_code, message=fault.reason.encode())
        raise ConnectionGone
