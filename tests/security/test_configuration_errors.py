"""No ConfigurationError anywhere repeats a credential, whichever argument it came in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from openai_realtime.api import RealtimeAPI
from openai_realtime.client import RealtimeClient
from openai_realtime.errors import ConfigurationError
from openai_realtime.relay import RealtimeRelay
from openai_realtime.secrets import create_client_secret

KEY = "sk-sentinel-config-7e7e7e7e"

_SYNC_CASES: dict[str, Callable[[], object]] = {
    "api: url with the key in its query": lambda: RealtimeAPI(
        f"https://127.0.0.1/v1/realtime?api_key={KEY}", api_key=KEY
    ),
    "api: url with the key as user info": lambda: RealtimeAPI(
        f"ftp://{KEY}@127.0.0.1/v1/realtime", api_key=KEY
    ),
    "api: bad send timeout": lambda: RealtimeAPI(api_key=KEY, send_timeout=-1),
    "api: bad handler bound": lambda: RealtimeAPI(api_key=KEY, max_pending_handlers=0),
    "azure: http endpoint with the key in the query": lambda: RealtimeAPI.azure(
        f"http://example.test/?key={KEY}", deployment="d", api_key=KEY
    ),
    "azure: key and token": lambda: RealtimeAPI.azure(
        "https://example.test", deployment="d", api_key=KEY, token=KEY
    ),
    "client: realtime and connection arguments": lambda: RealtimeClient(
        api_key=KEY, realtime=RealtimeAPI(api_key=KEY)
    ),
    "relay: upstream with the key in its query": lambda: RealtimeRelay(
        f"https://127.0.0.1/v1/realtime?api_key={KEY}", api_key=KEY
    ),
    "relay: upstream with the key as user info": lambda: RealtimeRelay(
        f"http://{KEY}@127.0.0.1/v1/realtime", api_key=KEY
    ),
    "relay: empty relay token": lambda: RealtimeRelay(api_key=KEY, relay_token=""),
    "relay: bad limit": lambda: RealtimeRelay(api_key=KEY, max_frame_size=0),
}

_ASYNC_CASES: dict[str, Callable[[], Awaitable[object]]] = {
    "client secret: base url with the key": lambda: create_client_secret(
        api_key=KEY, base_url=f"ftp://127.0.0.1/v1?api_key={KEY}"
    ),
    "client secret: lifetime out of range": lambda: create_client_secret(
        api_key=KEY, base_url="http://127.0.0.1/v1", expires_after_seconds=1
    ),
}


def _assert_no_key(error: BaseException) -> None:
    seen: BaseException | None = error
    while seen is not None:
        assert KEY not in str(seen)
        assert KEY not in repr(seen.args)
        seen = seen.__cause__ or seen.__context__


@pytest.mark.parametrize("case", sorted(_SYNC_CASES))
def test_sync_configuration_errors_hide_the_key(case: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        _SYNC_CASES[case]()
    _assert_no_key(raised.value)


@pytest.mark.parametrize("case", sorted(_ASYNC_CASES))
async def test_async_configuration_errors_hide_the_key(case: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        await _ASYNC_CASES[case]()
    _assert_no_key(raised.value)
