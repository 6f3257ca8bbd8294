"""A voice page for the browser, served with the relay or the WebRTC helpers behind it.

:class:`VoiceServer` serves one static page (plain ES modules in ``static/``, no build step)
and what it needs: a relay that holds the key (relay mode), and client secrets plus a sideband
connection per call (WebRTC mode). ``openai-realtime serve`` runs it.
"""

from __future__ import annotations

from openai_realtime.web.server import STATIC_DIR, VoiceServer

__all__ = ["STATIC_DIR", "VoiceServer"]
