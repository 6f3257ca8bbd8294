"""The session inspector, opened in headless Chromium: words, playable audio, zoom and layout.

The page comes from a real recording (the fake server on loopback, a client recording every
frame) through the CLI, and the assertions read the live DOM.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from inspector_session import ANSWERS, FAILURE, SPOKEN_TRANSCRIPT, TYPED, record_session
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from openai_realtime.cli import main
from openai_realtime.recording import read_recording, render_inspector_html
from tests.support import require_binary

# ../shared/design/RECIPES.md's flags, and no traffic of the browser's own.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inspector")
    recording = folder / "session.jsonl"
    asyncio.run(record_session(recording))
    output = folder / "inspector.html"
    assert main(["inspect", str(recording), "-o", str(output)]) == 0
    return output


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = require_binary("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    service = Service(executable_path=require_binary("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def opened(browser: webdriver.Chrome, page: Path) -> webdriver.Chrome:
    browser.get(page.as_uri())
    return browser


def test_the_page_is_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script src" not in html and "<link" not in html


def test_words_are_on_the_lanes_and_in_the_lists(opened: webdriver.Chrome) -> None:
    labels: dict[str, list[str]] = {"response": [], "user speech": []}
    for element in opened.find_elements(By.CSS_SELECTOR, "text.label"):
        labels.setdefault(element.get_attribute("data-lane") or "", []).append(element.text)
    tooltips = [
        t.get_attribute("textContent") or ""
        for t in opened.find_elements(By.CSS_SELECTOR, "svg title")
    ]
    shown = " ".join(tooltips)
    assert TYPED in shown and SPOKEN_TRANSCRIPT in shown and ANSWERS[0] in shown
    assert any(text.startswith("The tallest lighthouse") for text in labels["response"])
    assert any(text.startswith(SPOKEN_TRANSCRIPT[:10]) for text in labels["user speech"])
    responses = opened.find_element(By.ID, "responses").text
    assert ANSWERS[0] in responses and ANSWERS[1] in responses
    errors = opened.find_element(By.ID, "errors").text
    assert FAILURE in errors and "server_error" in errors


def test_each_spoken_response_plays(opened: webdriver.Chrome) -> None:
    durations: list[Any] = opened.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const audios = [...document.querySelectorAll("#responses audio")];
        Promise.all(audios.map((audio) => new Promise((resolve) => {
          if (audio.readyState >= 1) resolve(audio.duration);
          audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
          audio.addEventListener("error", () => resolve(-1));
          audio.load();
        }))).then(done);
        """
    )
    assert len(durations) == 2  # the failed response said nothing
    assert all(duration > 0.5 for duration in durations)
    played: Any = opened.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const audio = document.querySelector("#responses audio");
        audio.muted = true;
        audio.addEventListener("timeupdate", () => done(audio.currentTime), { once: true });
        audio.play().catch((error) => done(String(error)));
        """
    )
    assert isinstance(played, (int, float)) and played >= 0


def visible_range(browser: webdriver.Chrome) -> tuple[float, float]:
    svg = browser.find_element(By.ID, "lanes")
    return float(svg.get_attribute("data-t0") or "nan"), float(
        svg.get_attribute("data-t1") or "nan"
    )


def test_zoom_and_pan_change_the_visible_range(opened: webdriver.Chrome) -> None:
    start, end = visible_range(opened)
    assert start == 0 and end > 0

    whole = opened.find_element(By.ID, "range").text
    opened.find_element(By.ID, "zoom-in").click()
    zoomed = visible_range(opened)
    assert zoomed[1] - zoomed[0] == pytest.approx((end - start) / 2)
    assert opened.find_element(By.ID, "range").text != whole

    opened.find_element(By.TAG_NAME, "body").send_keys("\ue014")  # ArrowRight pans
    panned = visible_range(opened)
    assert panned[0] > zoomed[0] and panned[1] - panned[0] == pytest.approx(zoomed[1] - zoomed[0])

    opened.find_element(By.ID, "zoom-reset").click()
    assert visible_range(opened) == (start, end)


def test_no_two_labels_overlap(opened: webdriver.Chrome) -> None:
    for factor in (1, 0.5, 0.25):
        boxes: list[dict[str, Any]] = opened.execute_script(
            """
            window.inspector.setView(0, Infinity);
            window.inspector.zoom(arguments[0]);
            return [...document.querySelectorAll("text.label")].map((label) => {
              const box = label.getBBox();
              return {x: box.x, y: box.y, w: box.width, h: box.height};
            });
            """,
            factor,
        )
        assert boxes or factor < 1
        for index, a in enumerate(boxes):
            for b in boxes[index + 1 :]:
                apart = (
                    a["x"] + a["w"] <= b["x"]
                    or b["x"] + b["w"] <= a["x"]
                    or a["y"] + a["h"] <= b["y"]
                    or b["y"] + b["h"] <= a["y"]
                )
                assert apart, (a, b)


def test_the_table_has_latency_and_tokens(opened: webdriver.Chrome) -> None:
    rows = opened.find_elements(By.CSS_SELECTOR, "#turns tbody tr")
    assert len(rows) == 3
    cells = [cell.text for cell in rows[0].find_elements(By.TAG_NAME, "td")]
    assert cells[1] == "completed"
    assert cells[3].endswith("ms") and int(cells[7]) == int(cells[5]) + int(cells[6])
    assert rows[2].find_elements(By.TAG_NAME, "td")[1].text == "failed"


def test_a_recording_without_audio_says_so(tmp_path: Path, page: Path) -> None:
    source = page.with_name("session.jsonl")
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[0] = (
        lines[0]
        .replace('"audio": "keep"', '"audio": "length"')
        .replace('"audio":"keep"', '"audio":"length"')
    )
    stripped = tmp_path / "stripped.jsonl"
    stripped.write_text("\n".join(lines) + "\n", encoding="utf-8")
    html = render_inspector_html(read_recording(stripped))
    assert "data:audio/wav" not in html
    assert ANSWERS[0] in html
