"""An offline phone line: simulated SIP calls to an application, end to end on loopback.

:meth:`PhoneLine.place_call` plays what OpenAI's SIP side does when a phone call arrives:

1. it registers the call and POSTs a ``realtime.call.incoming`` webhook, signed with the
   secret the test gives (Standard Webhooks, :func:`~openai_realtime.webhooks.sign_webhook`),
   to the application's webhook URL;
2. it waits for ``/accept`` or ``/reject``. A call nobody answers ends ``unanswered`` after
   ``answer_timeout`` seconds of server time (:data:`DEFAULT_ANSWER_TIMEOUT`);
3. once accepted, the call's session runs with G.711 µ-law audio both ways (what a SIP trunk
   negotiates) unless the accept said otherwise. Like a person, the caller first waits for
   the agent to finish its first spoken answer (at most :data:`GREETING_WAIT` seconds),
   then talks: the caller's audio is sent on the server's clock, in real time, through the
   same VAD and responder as any session, followed by a second of silence so the last turn
   ends; DTMF digits arrive on the sidebands at their times and the caller hangs up after
   ``hang_up_after`` seconds if given, both counted from that moment;
4. it ends on ``/hangup``, ``/refer`` or the caller hanging up; the :class:`PhoneCall` handle
   says how (:class:`~openai_realtime.testing.calls.CallOutcome`) and what the caller heard.

Why 30 seconds by default: OpenAI does not publish how long a call rings before it gives up.
Phone networks let a call ring for roughly 20 to 60 seconds before "no answer", and an
application that accepts from its webhook handler does so within a second or two, so 30
seconds never fails a working app yet still ends a call the app forgot. Tests of the timeout
run it on a fast clock (``FakeRealtimeServer(time_scale=0.01)``) or pass ``answer_timeout``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import random
import secrets
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

import aiohttp
import numpy as np
from aiohttp import web
from numpy.typing import NDArray

from openai_realtime.protocol.audio import read_wav, resample
from openai_realtime.testing.audio_format import AudioFormat
from openai_realtime.testing.call_session import CallSession
from openai_realtime.testing.calls import CallOutcome, CallRegistry, FakeCall
from openai_realtime.testing.clock import wall_time
from openai_realtime.testing.connection import ConnectionOptions
from openai_realtime.testing.record import ConnectionRecord
from openai_realtime.testing.responder import Responder
from openai_realtime.testing.session import DEFAULT_MODEL, deep_merge
from openai_realtime.webhooks import sign_webhook

__all__ = ["DEFAULT_ANSWER_TIMEOUT", "GREETING_WAIT", "SIP_SESSION", "PhoneCall", "PhoneLine"]

DEFAULT_ANSWER_TIMEOUT: Final = 30.0
"""Seconds of server time a call rings before it ends unanswered (see the module description)."""

GREETING_WAIT: Final = 10.0
"""Seconds of server time an answered caller waits for the agent to speak before talking."""

SIP_SESSION: Final[Mapping[str, Any]] = {
    "audio": {
        "input": {"format": {"type": "audio/pcmu"}},
        "output": {"format": {"type": "audio/pcmu"}},
    }
}
"""What a SIP call's session starts with before the accepted session is applied: G.711."""

_SIP_FORMAT: Final = AudioFormat.from_wire(SIP_SESSION["audio"]["output"]["format"])
_CHUNK_SECONDS: Final = 0.1
_TRAILING_SILENCE_SECONDS: Final = 1.0


class PhoneCall:
    """A simulated call, as the caller experiences it.

    Args:
        call: The call in the server's registry.
        caller: The caller's number.

    Attributes:
        call_id: The call's id (as in the webhook).
        caller: The caller's number.
        webhook_status: The HTTP status the application answered the webhook with.
        dtmf_sent: The digits pressed so far.
    """

    def __init__(self, call: FakeCall, caller: str) -> None:
        self._call = call
        self.call_id = call.call_id
        self.caller = caller
        self.webhook_status: int | None = None
        self.dtmf_sent: list[str] = []

    def __repr__(self) -> str:
        return f"PhoneCall(call_id={self.call_id!r}, state={self.state!r})"

    @property
    def state(self) -> str:
        """``ringing``, ``active`` or ``ended``."""
        return self._call.state

    @property
    def outcome(self) -> CallOutcome | None:
        """How the call ended, once it has."""
        return self._call.outcome

    @property
    def heard_transcripts(self) -> list[str]:
        """The transcript of every answer the caller heard, in order."""
        session = self._call.session
        return list(session.ear.transcripts) if session else []

    @property
    def heard_audio(self) -> NDArray[np.int16]:
        """The audio played to the caller, at :attr:`heard_rate` (empty before an answer)."""
        session = self._call.session
        return session.ear.audio if session else np.zeros(0, np.int16)

    @property
    def heard_rate(self) -> int:
        """The sample rate of :attr:`heard_audio`: the call's output format's (8000 for G.711)."""
        session = self._call.session
        return (session.ear.audio_format if session else _SIP_FORMAT).rate

    @property
    def record(self) -> ConnectionRecord | None:
        """The frames of the call's session, once accepted."""
        session = self._call.session
        return session.record if session else None

    async def ended(self, timeout: float | None = None) -> CallOutcome:
        """Wait for the end of the call.

        Raises:
            TimeoutError: Not within ``timeout`` real seconds.
        """
        return await asyncio.wait_for(self._call.wait_ended(), timeout)

    async def hang_up(self) -> None:
        """The caller hangs up."""
        await self._call.end(CallOutcome("caller_hung_up"))


class PhoneLine:
    """The fake server's SIP side: places calls and builds their sessions.

    Args:
        registry: The server's calls.
        responder: The server's responder.
        options: The server's connection options.
        seed: The server's seed.
    """

    def __init__(
        self,
        registry: CallRegistry,
        responder: Responder,
        options: ConnectionOptions,
        seed: int,
    ) -> None:
        self.registry = registry
        self._responder = responder
        self._options = options
        self._seed = seed
        self._tasks: set[asyncio.Task[None]] = set()

    def new_session(
        self, request: web.Request, call_id: str, session: Mapping[str, Any]
    ) -> CallSession:
        """The session of a call being answered (SIP accept or a WebRTC offer).

        Args:
            request: The request answering the call.
            call_id: The call.
            session: The session as accepted, merged over the server's own overrides.

        Raises:
            ValueError: The merged session is invalid.
        """
        overrides = deep_merge(self._options.session_overrides or {}, session)
        options = replace(self._options, session_overrides=overrides, faults=())
        record = ConnectionRecord(
            model=str(overrides.get("model", DEFAULT_MODEL)), limit=options.record_limit
        )
        return CallSession(
            request, record, self._responder, options, random.Random(f"{self._seed}:{call_id}")
        )

    async def place_call(
        self,
        webhook_url: str,
        *,
        secret: str,
        caller: str = "+15550100",
        callee: str = "+15550199",
        sip_headers: Mapping[str, str] | None = None,
        audio: str | os.PathLike[str] | NDArray[np.int16] | None = None,
        sample_rate: int = 24000,
        dtmf: Sequence[tuple[float, str]] = (),
        answer_timeout: float = DEFAULT_ANSWER_TIMEOUT,
        hang_up_after: float | None = None,
    ) -> PhoneCall:
        """Ring the application (the steps are in the module description).

        Args:
            webhook_url: The application's webhook endpoint.
            secret: The endpoint's ``whsec_...`` secret, to sign the webhook with.
            caller: The caller's number (in the ``From`` SIP header).
            callee: The number called (in the ``To`` SIP header).
            sip_headers: More SIP headers of the INVITE (they override ``From``/``To``).
            audio: What the caller says: a WAV file, or PCM16 samples at ``sample_rate``.
            sample_rate: The rate of ``audio`` samples (a WAV file is read at this rate).
            dtmf: ``(seconds, keys)`` pairs: keys pressed that long after the greeting.
            answer_timeout: Seconds of server time the call rings before it ends unanswered.
            hang_up_after: Seconds after the greeting when the caller hangs up; ``None``: the
                caller stays on the line until the application ends the call.

        Returns:
            The call, once the webhook was delivered (its answer is in ``webhook_status``); it
            goes on in the background.

        Raises:
            aiohttp.ClientError: The webhook URL could not be reached (the call then ends
                ``unanswered``).
        """
        call_id = "rtc_" + secrets.token_hex(12)
        fake = FakeCall(call_id)
        self.registry.add(fake)
        phone = PhoneCall(fake, caller)
        samples = _caller_audio(audio, sample_rate)
        headers = {"From": f"<sip:{caller}@fake.pstn>", "To": f"<sip:{callee}@fake.sip.openai>"}
        headers.update(sip_headers or {})
        try:
            phone.webhook_status = await _deliver_webhook(webhook_url, secret, call_id, headers)
        except aiohttp.ClientError:
            await fake.end(CallOutcome("unanswered"))
            raise
        self._spawn(self._run(fake, phone, samples, dtmf, answer_timeout, hang_up_after))
        return phone

    async def close(self) -> None:
        """Stop every call's background work."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(
        self,
        fake: FakeCall,
        phone: PhoneCall,
        samples: tuple[NDArray[np.int16], int] | None,
        dtmf: Sequence[tuple[float, str]],
        answer_timeout: float,
        hang_up_after: float | None,
    ) -> None:
        clock = self._options.clock
        try:
            await asyncio.wait_for(fake.wait_answered(), clock.real_seconds(answer_timeout))
        except TimeoutError:
            await fake.end(CallOutcome("unanswered"))
            return
        session = fake.session
        if session is None:
            return  # rejected
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(session.ear.greeted.wait(), clock.real_seconds(GREETING_WAIT))
        work = [
            self._speak(session, samples),
            *(self._press(session, phone, at, digits) for at, digits in dtmf),
        ]
        if hang_up_after is not None:
            work.append(self._hang_up_later(phone, hang_up_after))
        caller = asyncio.ensure_future(asyncio.gather(*work))
        ended = asyncio.ensure_future(fake.wait_ended())
        try:
            # The caller stops speaking and pressing keys once the call is over.
            await asyncio.wait((caller, ended), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (caller, ended):
                task.cancel()
            await asyncio.gather(caller, ended, return_exceptions=True)

    async def _speak(
        self, session: CallSession, samples: tuple[NDArray[np.int16], int] | None
    ) -> None:
        """Send the caller's audio in real time on the server's clock, then a second of silence."""
        clock = self._options.clock
        audio_format = session.input_format
        audio = (
            np.zeros(0, np.int16)
            if samples is None
            else resample(samples[0], samples[1], audio_format.rate)
        )
        audio = np.concatenate(
            [audio, np.zeros(int(_TRAILING_SILENCE_SECONDS * audio_format.rate), np.int16)]
        )
        chunk = int(_CHUNK_SECONDS * audio_format.rate)
        start = clock.now()
        for index, offset in enumerate(range(0, len(audio), chunk)):
            payload = audio_format.encode(audio[offset : offset + chunk])
            session.line.put(json.dumps({"type": "input_audio_buffer.append", "audio": payload}))
            await clock.sleep_until(start + (index + 1) * _CHUNK_SECONDS)

    async def _press(self, session: CallSession, phone: PhoneCall, at: float, digits: str) -> None:
        await self._options.clock.sleep(at)
        for digit in digits:
            phone.dtmf_sent.append(digit)
            await session.line.send_event(
                {
                    "type": "input_audio_buffer.dtmf_event_received",
                    "event": digit,
                    "received_at": int(wall_time()),
                }
            )

    async def _hang_up_later(self, phone: PhoneCall, seconds: float) -> None:
        await self._options.clock.sleep(seconds)
        await phone.hang_up()


def _caller_audio(
    audio: str | os.PathLike[str] | NDArray[np.int16] | None, sample_rate: int
) -> tuple[NDArray[np.int16], int] | None:
    if audio is None:
        return None
    if isinstance(audio, np.ndarray):
        return np.asarray(audio, dtype=np.int16), sample_rate
    return read_wav(audio, rate=sample_rate), sample_rate


async def _deliver_webhook(
    url: str, secret: str, call_id: str, sip_headers: Mapping[str, str]
) -> int:
    body = json.dumps(
        {
            "object": "event",
            "id": "evt_" + secrets.token_hex(12),
            "type": "realtime.call.incoming",
            "created_at": int(wall_time()),
            "data": {
                "call_id": call_id,
                "sip_headers": [
                    {"name": name, "value": value} for name, value in sip_headers.items()
                ],
            },
        }
    ).encode()
    headers = sign_webhook(
        body, secret, webhook_id="wh_" + base64.b32encode(secrets.token_bytes(10)).decode().lower()
    )
    headers["Content-Type"] = "application/json"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers=headers) as response,
    ):
        await response.read()
        return response.status
