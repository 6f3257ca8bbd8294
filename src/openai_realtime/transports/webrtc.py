"""WebRTC for Python apps: events on the ``oai-events`` data channel, audio on media tracks.

``RealtimeClient(transport="webrtc")`` (or ``transport=WebRTCConnector(...)``) speaks to
the Realtime API as a browser does: the connector posts an SDP offer to
``POST /v1/realtime/calls`` (beside the WebSocket URL the client was given), and the call's
data channel then carries the JSON events. Audio never travels as JSON:

* ``append_input_audio`` still sends ``input_audio_buffer.append`` events through the client,
  but this transport plays their audio on its outgoing microphone track instead of sending
  them, so no ``input_audio_buffer.append`` ever crosses the data channel;
* the assistant's speech arrives on the incoming track; the transport hands it to the client as
  ``response.output_audio.delta`` events of the audio part being spoken (their ``event_id``
  starts with ``rtc_audio_``), so the conversation store's assistant items get their audio.

With an ephemeral client secret (``ek_…``) the offer is posted raw (``application/sdp``) and the
secret's session applies; with an API key it is posted as ``multipart/form-data`` with a
``session`` part naming the model.

Needs the ``webrtc`` extra (``pip install 'openai-realtime[webrtc]'``, which brings aiortc).

Example::

    client = RealtimeClient(url=server.url, transport="webrtc")
    await client.connect()
    await client.append_input_audio(samples)  # goes out on the microphone track
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import numpy as np
from numpy.typing import NDArray
from yarl import URL

from openai_realtime.credentials import redact_url
from openai_realtime.errors import (
    ConfigurationError,
    ConnectionClosedError,
    RealtimeConnectionError,
    RealtimeTimeoutError,
)
from openai_realtime.protocol.audio import decode_base64
from openai_realtime.transports.base import TransportClosed

if TYPE_CHECKING:
    from aiortc import RTCDataChannel, RTCIceServer, RTCPeerConnection

    from openai_realtime.transports._webrtc_media import MicrophoneTrack

__all__ = ["EVENTS_CHANNEL", "MISSING_EXTRA", "WebRTCConnector", "WebRTCTransport"]

EVENTS_CHANNEL: Final = "oai-events"
"""The label of the data channel the events travel on."""

MISSING_EXTRA: Final = "WebRTC needs the webrtc extra: pip install 'openai-realtime[webrtc]'"
"""The message of the error raised when aiortc is not installed."""

_NORMAL_CLOSURE: Final = 1000
_ABNORMAL_CLOSURE: Final = 1006
_APPEND: Final = "input_audio_buffer.append"
_AUDIO_PART_TYPES: Final = frozenset({"audio", "output_audio"})

_Message = str | bytes | TransportClosed


class WebRTCTransport:
    """One WebRTC call (made by :class:`WebRTCConnector`).

    Attributes:
        call_id: The call's id, from the answer's ``Location`` (for sideband connections and
            call control).
    """

    def __init__(
        self,
        peer: RTCPeerConnection,
        channel: RTCDataChannel,
        microphone: MicrophoneTrack,
        call_id: str,
    ) -> None:
        self.call_id = call_id
        self._peer = peer
        self._channel = channel
        self._microphone = microphone
        self._inbox: asyncio.Queue[_Message] = asyncio.Queue()
        self._closed = False
        self._speaking: dict[str, Any] | None = None  # the audio part being spoken
        self._audio_count = 0
        self._pump: asyncio.Future[None] | None = None
        self._hanging_up: asyncio.Future[None] | None = None
        channel.on("message", self._on_message)
        channel.on("close", lambda: self._end(TransportClosed(_ABNORMAL_CLOSURE, "channel closed")))

    @property
    def closed(self) -> bool:
        """True once the call is closing or closed."""
        return self._closed

    async def send_text(self, text: str) -> None:
        """Send one event on the data channel, or its audio on the microphone track.

        Raises:
            ConnectionClosedError: The call has ended.
        """
        if self._closed or self._channel.readyState != "open":
            raise ConnectionClosedError(_ABNORMAL_CLOSURE, "the WebRTC call has ended")
        if _APPEND in text:
            event = json.loads(text)
            if event.get("type") == _APPEND:
                self._microphone.feed(decode_base64(event["audio"]))
                return
        self._channel.send(text)

    async def receive(self) -> _Message:
        """The next event (or audio delta from the incoming track), or how the call ended."""
        return await self._inbox.get()

    async def close(self) -> None:
        """Hang up: close the data channel and the peer connection."""
        self._end(TransportClosed(_NORMAL_CLOSURE, ""))
        await self._peer.close()

    def abort(self) -> None:
        """End the call at once; the pending ``receive`` ends with code 1006."""
        self._end(TransportClosed(_ABNORMAL_CLOSURE, "connection aborted"))
        self._hanging_up = asyncio.ensure_future(self._peer.close())

    def listen(self, track: Any, blocks: Callable[[Any], AsyncIterator[NDArray[np.int16]]]) -> None:
        """Hear the incoming track's audio (``blocks(track)``) until the call ends."""
        self._pump = asyncio.ensure_future(self._hear_all(blocks(track)))

    async def _hear_all(self, blocks: AsyncIterator[NDArray[np.int16]]) -> None:
        async for samples in blocks:
            self.hear(samples)

    def hear(self, samples: NDArray[np.int16]) -> None:
        """Audio from the incoming track: a delta of the part being spoken, if any."""
        part = self._speaking
        if part is None or self._closed:
            return
        self._audio_count += 1
        delta = {
            "type": "response.output_audio.delta",
            "event_id": f"rtc_audio_{self._audio_count}",
            **part,
            "delta": base64.b64encode(samples.astype("<i2").tobytes()).decode("ascii"),
        }
        self._inbox.put_nowait(json.dumps(delta))

    def _on_message(self, message: str | bytes) -> None:
        if self._closed:
            return
        if isinstance(message, str):
            self._follow_audio(message)
        self._inbox.put_nowait(message)

    def _follow_audio(self, text: str) -> None:
        """Track which audio part the incoming track is speaking, from the events."""
        if "response.content_part.added" not in text and "output_audio_buffer.cleared" not in text:
            return
        try:
            event = json.loads(text)
        except ValueError:
            return  # the client's reader reports it
        kind = event.get("type") if isinstance(event, dict) else None
        part = event.get("part") if kind == "response.content_part.added" else None
        if kind == "output_audio_buffer.cleared":
            self._speaking = None
        elif isinstance(part, dict) and part.get("type") in _AUDIO_PART_TYPES:
            self._speaking = {
                name: event.get(name)
                for name in ("response_id", "item_id", "output_index", "content_index")
            }

    def _end(self, closed: TransportClosed) -> None:
        if self._closed:
            return
        self._closed = True
        self._microphone.stop()
        if self._pump is not None:
            self._pump.cancel()
        self._inbox.put_nowait(closed)


class WebRTCConnector:
    """Opens WebRTC calls: ``RealtimeClient(transport=WebRTCConnector())``.

    Args:
        session: An aiohttp session for the offer's HTTP request (one is made per call when
            not given).
        ice_servers: STUN/TURN servers (aiortc ``RTCIceServer`` objects). Empty by default:
            aiortc's own default is a public STUN server, which a call to a local server
            never needs.
        timeout: Seconds to wait for the answer and the events channel to open.

    Attributes:
        call_id: The id of the latest call placed (for a sideband connection, ``?call_id=``).
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None = None,
        ice_servers: Sequence[RTCIceServer] = (),
        timeout: float = 30.0,
    ) -> None:
        self._session = session
        self._ice_servers = list(ice_servers)
        self._timeout = timeout
        self.call_id: str | None = None

    async def __call__(self, url: URL, headers: Mapping[str, str]) -> WebRTCTransport:
        """Place one call to the calls endpoint beside ``url``.

        Raises:
            ConfigurationError: The ``webrtc`` extra is not installed.
            RealtimeConnectionError: The server refused the offer or was unreachable.
            RealtimeTimeoutError: No answer, or the events channel did not open, in time.
        """
        try:
            from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

            from openai_realtime.transports._webrtc_media import MicrophoneTrack, pcm16_blocks
        except ImportError as error:
            raise ConfigurationError(MISSING_EXTRA) from error
        peer = RTCPeerConnection(RTCConfiguration(iceServers=self._ice_servers))
        try:
            microphone = MicrophoneTrack()
            peer.addTrack(microphone)
            channel = peer.createDataChannel(EVENTS_CHANNEL)
            opened = asyncio.Event()
            channel.on("open", opened.set)
            incoming: asyncio.Queue[Any] = asyncio.Queue()
            peer.on("track", incoming.put_nowait)
            # aiortc gathers every candidate before this returns: the offer is complete.
            await peer.setLocalDescription(await peer.createOffer())
            answer, call_id = await self._post_offer(url, headers, peer.localDescription.sdp)
            await peer.setRemoteDescription(RTCSessionDescription(answer, "answer"))
            try:
                await asyncio.wait_for(opened.wait(), self._timeout)
            except TimeoutError as error:
                raise RealtimeTimeoutError(
                    f"the WebRTC call to {redact_url(url)} did not open its events channel"
                ) from error
        except BaseException:
            await peer.close()
            raise
        transport = WebRTCTransport(peer, channel, microphone, call_id)
        self.call_id = call_id
        if not incoming.empty():
            transport.listen(incoming.get_nowait(), pcm16_blocks)
        return transport

    async def _post_offer(
        self, url: URL, headers: Mapping[str, str], offer: str
    ) -> tuple[str, str]:
        calls_url = _calls_url(url)
        token = _bearer(headers)
        post_headers = {
            name: value for name, value in headers.items() if name.lower() != "content-type"
        }
        body: Any
        if token.startswith("ek_"):
            body = offer
            post_headers["Content-Type"] = "application/sdp"
        else:
            body = aiohttp.FormData()
            body.add_field("sdp", offer, content_type="application/sdp")
            session_config = {"type": "realtime", "model": url.query.get("model")}
            if session_config["model"] is None:
                del session_config["model"]
            body.add_field("session", json.dumps(session_config), content_type="application/json")
        where = redact_url(calls_url)
        owned = self._session is None
        http = aiohttp.ClientSession() if self._session is None else self._session
        try:
            async with asyncio.timeout(self._timeout):
                async with http.post(calls_url, data=body, headers=post_headers) as response:
                    text = await response.text()
                    if response.status not in (200, 201):
                        # Never the aiohttp error: its request_info holds the key.
                        raise RealtimeConnectionError(
                            f"{where} refused the WebRTC offer: HTTP {response.status} {text[:500]}"
                        )
                    location = response.headers.get("Location", "")
        except TimeoutError as error:
            raise RealtimeTimeoutError(f"timed out placing a WebRTC call to {where}") from error
        except aiohttp.ClientError as error:
            raise RealtimeConnectionError(f"could not reach {where}: {error}") from error
        finally:
            if owned:
                await http.close()
        return text, location.rstrip("/").rpartition("/")[2]


def _calls_url(url: URL) -> URL:
    """``ws(s)://host/v1/realtime?...`` -> ``http(s)://host/v1/realtime/calls``."""
    scheme = {"ws": "http", "wss": "https"}.get(url.scheme, url.scheme)
    return url.with_scheme(scheme).with_query(None).with_path(url.path.rstrip("/") + "/calls")


def _bearer(headers: Mapping[str, str]) -> str:
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme, _, token = value.partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""
