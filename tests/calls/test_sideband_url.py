"""``call_id=``: a sideband's URL names the call and no model."""

from __future__ import annotations

import pytest

from openai_realtime import RealtimeAPI, RealtimeClient
from openai_realtime.errors import ConfigurationError


def test_the_url_carries_the_call_id_and_no_model() -> None:
    api = RealtimeAPI("wss://api.openai.com/v1/realtime?model=gpt-x", "sk-1", call_id="rtc_1")
    assert api.url == "wss://api.openai.com/v1/realtime?call_id=rtc_1"
    assert (api.call_id, api.model) == ("rtc_1", None)
    client = RealtimeClient("ws://127.0.0.1:9/v1/realtime", model="gpt-y", call_id="rtc_2")
    assert client.realtime.url == "ws://127.0.0.1:9/v1/realtime?call_id=rtc_2"


def test_a_session_of_its_own_has_no_call_id() -> None:
    assert RealtimeAPI("ws://127.0.0.1:9/v1/realtime").call_id is None


def test_an_empty_call_id_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="call_id"):
        RealtimeAPI("ws://127.0.0.1:9/v1/realtime", call_id="")
