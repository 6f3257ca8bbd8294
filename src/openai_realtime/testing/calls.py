"""The fake server's calls: a registry by call id, and each call's state from ringing to its end.

A call (SIP from :meth:`FakeRealtimeServer.place_call
<openai_realtime.testing.FakeRealtimeServer.place_call>`, or WebRTC) is a :class:`FakeCall`
in the server's :class:`CallRegistry`. Its states::

    ringing --accept--> active --hangup / refer / caller hangs up--> ended
       |--reject / nobody answers in time----------------------------> ended

A WebRTC call is registered already active: the create route builds its session with
``server.phone.new_session(request, call_id, session)`` and registers
``FakeCall.answered(call_id, session)`` in ``server.calls``; sidebands, ``/hangup`` and the
404 for ended calls then work for it as for a SIP call. Every transition the
REST endpoints ask for is checked here, and refused with the live-shaped
:class:`~openai_realtime.protocol.rejections.InvalidRequest` the endpoint returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.testing.call_session import CallSession

__all__ = ["CallOutcome", "CallRegistry", "CallState", "EndedHow", "FakeCall", "call_not_found"]

CallState: TypeAlias = Literal["ringing", "active", "ended"]
EndedHow: TypeAlias = Literal["rejected", "unanswered", "hung_up", "referred", "caller_hung_up"]


@dataclass(frozen=True)
class CallOutcome:
    """How a call ended.

    Attributes:
        how: ``rejected`` (``/reject``), ``unanswered`` (nobody accepted in time), ``hung_up``
            (``/hangup``), ``referred`` (``/refer``: transferred) or ``caller_hung_up``.
        sip_status: The SIP status a rejected call was answered with.
        refer_target: Where a referred call was transferred to.
    """

    how: EndedHow
    sip_status: int | None = None
    refer_target: str | None = None

    @property
    def reason(self) -> str:
        """The close reason every sideband gets, e.g. ``call ended: referred to tel:+1555``."""
        if self.how == "referred":
            return f"call ended: referred to {self.refer_target}"
        return f"call ended: {self.how.replace('_', ' ')}"


def call_not_found(call_id: str) -> InvalidRequest:
    """The rejection of any request naming a call the server does not know (HTTP 404)."""
    return InvalidRequest(
        f"Call with id '{call_id}' not found.", code="call_id_not_found", param="call_id"
    )


class FakeCall:
    """One call and its state.

    Args:
        call_id: Its id (``rtc_...``).
        kind: ``sip`` or ``webrtc``.
    """

    def __init__(self, call_id: str, kind: Literal["sip", "webrtc"] = "sip") -> None:
        self.call_id = call_id
        self.kind = kind
        self.state: CallState = "ringing"
        self.session: CallSession | None = None
        """The running session, from acceptance on."""
        self.outcome: CallOutcome | None = None
        self._ended = asyncio.Event()
        self._answered = asyncio.Event()

    @classmethod
    def answered(cls, call_id: str, session: CallSession) -> FakeCall:
        """A call whose session already runs (a WebRTC call, answered by the offer itself)."""
        call = cls(call_id, "webrtc")
        call.activate(session)
        return call

    def check_ringing(self) -> None:
        """Raise unless the call can still be accepted or rejected.

        Raises:
            InvalidRequest: It was already accepted, rejected or has ended.
        """
        if self.state == "active":
            raise InvalidRequest(
                f"Call '{self.call_id}' has already been accepted.", code="call_already_accepted"
            )
        if self.state == "ended":
            raise InvalidRequest(f"Call '{self.call_id}' has ended.", code="call_ended")

    def check_active(self) -> None:
        """Raise unless the call is connected (refer and hangup need that).

        Raises:
            InvalidRequest: It is still ringing or has ended.
        """
        if self.state == "ringing":
            raise InvalidRequest(
                f"Call '{self.call_id}' has not been accepted yet.", code="call_not_active"
            )
        if self.state == "ended":
            raise InvalidRequest(f"Call '{self.call_id}' has ended.", code="call_ended")

    def activate(self, session: CallSession) -> None:
        """The call was accepted: its session starts."""
        self.state = "active"
        self.session = session
        session.start()
        self._answered.set()

    async def end(self, outcome: CallOutcome) -> None:
        """End the call (once): its session closes every sideband with the outcome's reason."""
        if self.state == "ended":
            return
        self.state = "ended"
        self.outcome = outcome
        self._answered.set()
        if self.session is not None:
            await self.session.end(outcome.reason)
        self._ended.set()

    async def wait_answered(self) -> None:
        """Return once the call was accepted, rejected or has ended."""
        await self._answered.wait()

    async def wait_ended(self) -> CallOutcome:
        """Return the outcome once the call has ended."""
        await self._ended.wait()
        assert self.outcome is not None  # set before the event
        return self.outcome


class CallRegistry:
    """The server's calls by id; SIP and WebRTC calls register here alike."""

    def __init__(self) -> None:
        self._calls: dict[str, FakeCall] = {}

    def __iter__(self) -> Iterator[FakeCall]:
        return iter(list(self._calls.values()))

    def add(self, call: FakeCall) -> None:
        """Register a call under its id."""
        self._calls[call.call_id] = call

    def find(self, call_id: str) -> FakeCall | None:
        """The call with this id, or ``None``."""
        return self._calls.get(call_id)

    def get(self, call_id: str) -> FakeCall:
        """The call with this id.

        Raises:
            InvalidRequest: No such call (``call_id_not_found``).
        """
        call = self._calls.get(call_id)
        if call is None:
            raise call_not_found(call_id)
        return call

    async def close(self) -> None:
        """End every call still going (the server is stopping)."""
        for call in self:
            await call.end(CallOutcome("hung_up"))
