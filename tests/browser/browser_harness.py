"""A real browser for the voice page: headless Chromium driven by selenium, fake microphone.

Chromium and its driver are Debian's (``make system-deps``); selenium is given the driver's
path, so nothing is downloaded. The microphone is a WAV file the test writes (a tone for
"speech", silence between turns); Chromium plays it from the moment the page opens the
microphone. Selenium calls block, so async tests run them in a thread (:class:`Browser`)
while the servers keep running on the test's event loop.
"""

from __future__ import annotations

import asyncio
import json
import wave
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import numpy as np
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.support import WAIT, require_binary

__all__ = ["Browser", "open_browser", "write_microphone"]

MIC_RATE: Final = 48000
_TONE_HZ: Final = 220.0
_TONE_AMPLITUDE: Final = 0.3


def write_microphone(path: Path, script: Sequence[tuple[str, float]]) -> Path:
    """Write the fake microphone's WAV: ``("speech" | "silence", seconds)`` in order.

    Args:
        path: Where to write it.
        script: The segments.

    Returns:
        ``path``.
    """
    pieces = []
    for kind, seconds in script:
        count = round(seconds * MIC_RATE)
        if kind == "speech":
            time = np.arange(count) / MIC_RATE
            pieces.append(_TONE_AMPLITUDE * np.sin(2 * np.pi * _TONE_HZ * time))
        else:
            pieces.append(np.zeros(count))
    samples = (np.concatenate(pieces) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(MIC_RATE)
        out.writeframes(samples.tobytes())
    return path


class Browser:
    """One headless Chromium page, with async helpers that keep the event loop free.

    Args:
        driver: The running driver.
    """

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver

    async def open(self, url: str) -> None:
        """Load ``url``."""
        await asyncio.to_thread(self.driver.get, url)

    async def state(self, expression: str = "window.voice") -> Any:
        """Evaluate ``expression`` in the page (JSON-compatible result)."""
        script = f"return JSON.parse(JSON.stringify(({expression}) ?? null));"
        return await asyncio.to_thread(self.driver.execute_script, script)

    async def until(self, expression: str, timeout: float = WAIT) -> Any:
        """Wait until ``expression`` is truthy in the page; returns its value.

        Raises:
            TimeoutError: It stayed falsy; the message shows the page's state.
        """
        try:
            async with asyncio.timeout(timeout):
                while not (value := await self.state(expression)):
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise TimeoutError(f"{expression} stayed false; page: {await self.state()}") from None
        return value

    async def hold(self, element_id: str) -> None:
        """Press the mouse on an element and keep it pressed (pointerdown)."""
        element = self.driver.find_element(By.ID, element_id)
        await asyncio.to_thread(ActionChains(self.driver).click_and_hold(element).perform)

    async def release(self) -> None:
        """Release the mouse (pointerup)."""
        await asyncio.to_thread(ActionChains(self.driver).release().perform)

    async def screenshot(self, path: Path) -> None:
        """Save a PNG of the page."""
        await asyncio.to_thread(self.driver.save_screenshot, str(path))

    async def everything_received(self) -> dict[str, list[str]]:
        """What the page received so far, by kind: ``"http"`` (each response's headers and
        body), ``"websocket"`` (each frame's payload)."""
        return await asyncio.to_thread(self._everything_received)

    def _everything_received(self) -> dict[str, list[str]]:
        received: dict[str, list[str]] = {"http": [], "websocket": []}
        log: list[dict[str, Any]] = self.driver.get_log("performance")  # type: ignore[no-untyped-call]
        for entry in log:
            message = json.loads(entry["message"])["message"]
            method, params = message["method"], message.get("params", {})
            if method == "Network.webSocketFrameReceived":
                received["websocket"].append(params["response"]["payloadData"])
            elif method == "Network.responseReceived":
                received["http"].append(json.dumps(params["response"].get("headers", {})))
                try:
                    body = self.driver.execute_cdp_cmd(
                        "Network.getResponseBody", {"requestId": params["requestId"]}
                    )
                except WebDriverException:
                    continue  # a response without a body (a preflight, a 204)
                received["http"].append(body["body"])
        return received


@contextmanager
def open_browser(microphone: Path, *, window: str = "900,700") -> Iterator[Browser]:
    """Start headless Chromium with ``microphone`` as its fake audio input.

    Args:
        microphone: An absolute WAV path (see :func:`write_microphone`).
        window: The window size, ``"width,height"``.

    Yields:
        The browser; it is quit on the way out.
    """
    options = webdriver.ChromeOptions()
    options.binary_location = require_binary("chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone.resolve()}",
        "--autoplay-policy=no-user-gesture-required",
        f"--window-size={window}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(executable_path=require_binary("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield Browser(driver)
    finally:
        driver.quit()
