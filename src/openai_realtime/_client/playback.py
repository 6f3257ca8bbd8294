"""The client's side of playback: feed an :class:`AudioPlayer`, and cut on an interruption.

What it does, and why:

* every audio delta of an assistant item is queued on the player as it arrives;
* when server VAD hears the user (``conversation.interrupted``, reason ``speech_started``),
  playback stops at once (:meth:`AudioPlayer.stop`, which also makes a device sink drop what it
  still holds), and the item is truncated at the sample the listener heard, so the model's
  memory ends where the user stopped listening;
* no truncate when nothing was cut short: the player had played all the audio it was given of
  an item whose response had ended, or had handed out nothing at all;
* never past the audio received: the client clamps the cut to what arrived
  (``SessionState.truncate_point``);
* an item the listener heard nothing of is not truncated at 0: the live service refuses a
  truncate of an item whose audio part it has not recorded yet ("Only model output audio
  messages can be truncated", which other SDKs hit by truncating at 0 before the first frame
  played), and a cancelled response's unheard item is at worst a few words the model believes
  it said. The fake server accepts a truncate at 0 of stored audio; we do not rely on that;
* sideband (``call_id``) sessions: the service plays the audio, knows what was heard and
  truncates itself, so the client does not, unless told to.

The response itself is cancelled by the service (server VAD's ``interrupt_response``); a
push-to-talk app calls :meth:`RealtimeClient.interrupt_playback
<openai_realtime.client.RealtimeClient.interrupt_playback>`, which stops playback and cancels
and truncates in one call.
"""

from __future__ import annotations

from collections.abc import Callable

from openai_realtime.protocol.items import ConversationItem, Delta
from openai_realtime.protocol.playback import AudioPlayer, PlayedPosition

__all__ = ["PlaybackLink"]


class PlaybackLink:
    """Connects one :class:`AudioPlayer` to a client's event path.

    Args:
        player: The player to feed and stop.
        response_running: Whether a response is still in progress (its item may still grow).
        truncate_on_interrupt: ``True`` / ``False`` force it; ``None`` truncates unless
            ``service_truncates()`` says the service does it itself.
        service_truncates: True for sessions where the service plays and truncates (sideband).
    """

    def __init__(
        self,
        player: AudioPlayer,
        *,
        response_running: Callable[[], bool],
        truncate_on_interrupt: bool | None,
        service_truncates: Callable[[], bool],
    ) -> None:
        self.player = player
        self._response_running = response_running
        self._truncate_on_interrupt = truncate_on_interrupt
        self._service_truncates = service_truncates

    def item_updated(self, item: ConversationItem, delta: Delta | None) -> None:
        """Queue an assistant item's new audio."""
        if delta is not None and delta.audio is not None and item.role == "assistant":
            self.player.enqueue(item.id, delta.audio)

    @property
    def truncates(self) -> bool:
        """Whether an interruption truncates the item heard (see the module docstring)."""
        if self._truncate_on_interrupt is not None:
            return self._truncate_on_interrupt
        return not self._service_truncates()

    def interrupted(self, playing_item: str | None) -> PlayedPosition | None:
        """Server VAD heard the user: stop now; return where to truncate (``None``: nowhere).

        Args:
            playing_item: The latest assistant item with audio (the session core's view).
        """
        heard = self.player.stop()
        return self.cut_point(heard, playing_item) if self.truncates else None

    def cut_point(
        self, heard: PlayedPosition | None, playing_item: str | None
    ) -> PlayedPosition | None:
        """Where to truncate, given what was heard when playback stopped (``None``: nowhere)."""
        if heard is None or heard.samples == 0:
            return None
        still_growing = heard.item_id == playing_item and self._response_running()
        if heard.finished and not still_growing:
            return None  # played to its end: nothing was cut short
        return heard
