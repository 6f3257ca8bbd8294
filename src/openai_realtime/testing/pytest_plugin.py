"""pytest fixtures for apps built on openai-realtime: a fake server, connected clients, recordings.

Installing ``openai-realtime`` registers this plugin (a ``pytest11`` entry point), so a project's
tests get these fixtures with no configuration:

* ``realtime_server``: a running :class:`~openai_realtime.testing.FakeRealtimeServer`, on its
  own thread with its own event loop (a synchronous fixture: no pytest-asyncio needed); point
  your app at ``realtime_server.url``;
* ``realtime_connect``: ``async with realtime_connect() as client:`` connects a
  :class:`~openai_realtime.RealtimeClient` to that server inside whatever loop the test runs
  (pytest-asyncio in strict or auto mode, anyio, or ``asyncio.run`` in a plain test);
* ``realtime_client``: an already connected client, for async tests run by pytest-asyncio
  (defined only when pytest-asyncio is installed; it works in strict mode too);
* ``realtime_responder``: who answers; by default the ``realtime_replies`` marker's script, else
  the :class:`~openai_realtime.testing.DefaultResponder`. Override the fixture to use your own.

Markers: ``@pytest.mark.realtime_replies("Hi!", Reply(tool_calls=[...]), transcripts=[...])``
scripts the answers (a string is ``Reply(text=...)``); ``@pytest.mark.realtime_server(**options)``
passes options to the server (``time_scale``, ``session``, ``pace``, ...).

Every client from ``realtime_connect`` records its session. When a test fails, the recordings
are copied next to the test report (the ``--junitxml`` file's folder, else
``--realtime-recordings DIR``, else ``realtime-recordings/`` under the root directory) and the
failure says where; ``openai-realtime inspect FILE`` shows one.

Importing this module is cheap (pytest loads it in every run of every project that installed
the package): the SDK is imported by the fixtures, on first use.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from openai_realtime.client import RealtimeClient
    from openai_realtime.testing.responder import Responder
    from openai_realtime.testing.server import FakeRealtimeServer

__all__ = [
    "RealtimeConnect",
    "realtime_connect",
    "realtime_responder",
    "realtime_server",
]

RealtimeConnect = Callable[..., AbstractAsyncContextManager["RealtimeClient"]]
"""What the ``realtime_connect`` fixture returns: call it (with ``RealtimeClient`` keyword
arguments) and enter the result to get a connected client."""

_REPORT_SECTION = "openai-realtime recording"


@dataclass
class _Recordings:
    """The recordings one test made, and where they go if it fails."""

    folder: Path
    stem: str
    made: list[Path] = field(default_factory=list)
    failed: bool = False

    def next_path(self, tmp_path: Path) -> Path:
        path = tmp_path / f"realtime-{len(self.made) + 1}.jsonl"
        self.made.append(path)
        return path

    def destinations(self) -> list[Path]:
        suffixes = [""] if len(self.made) == 1 else [f"-{n}" for n in range(1, len(self.made) + 1)]
        return [self.folder / f"{self.stem}{suffix}.jsonl" for suffix in suffixes]

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for source, target in zip(self.made, self.destinations(), strict=True):
            if source.exists():
                shutil.copyfile(source, target)


_RECORDINGS = pytest.StashKey[_Recordings]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--realtime-recordings`` and its ini twin."""
    group = parser.getgroup("openai-realtime")
    group.addoption(
        "--realtime-recordings",
        metavar="DIR",
        default=None,
        help="where the session recordings of failed tests go (default: next to --junitxml, "
        "else realtime-recordings/ under the root directory)",
    )
    parser.addini("realtime_recordings", "folder for the recordings of failed tests", default="")


def pytest_configure(config: pytest.Config) -> None:
    """Declare the markers, so ``--strict-markers`` accepts them."""
    config.addinivalue_line(
        "markers",
        "realtime_replies(*replies, transcripts=()): the fake server's scripted answers "
        "(a string is Reply(text=...))",
    )
    config.addinivalue_line(
        "markers", "realtime_server(**options): FakeRealtimeServer options for this test"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Name the recordings in the report of a failed test (they are saved at teardown)."""
    report = yield
    recordings = item.stash.get(_RECORDINGS, None)
    if recordings is not None and recordings.made and report.failed and not recordings.failed:
        recordings.failed = True
        lines = "\n".join(f"saved to {path}" for path in recordings.destinations())
        # In the traceback's own sections it shows whatever --show-capture says.
        add_section = getattr(report.longrepr, "addsection", None)
        if callable(add_section):
            add_section(_REPORT_SECTION, lines)
        else:
            report.sections.append((_REPORT_SECTION, lines))
    return report


@pytest.fixture
def realtime_responder(request: pytest.FixtureRequest) -> Responder | None:
    """The fake server's responder: the ``realtime_replies`` marker's script, if any.

    Override this fixture to answer with any responder; ``None`` means the default one.
    """
    marker = request.node.get_closest_marker("realtime_replies")
    if marker is None:
        return None
    from openai_realtime.testing.replies import Reply
    from openai_realtime.testing.responder import ScriptedResponder

    replies = [Reply(text=reply) if isinstance(reply, str) else reply for reply in marker.args]
    return ScriptedResponder(replies, transcripts=marker.kwargs.get("transcripts", ()))


@pytest.fixture
def realtime_server(
    request: pytest.FixtureRequest, realtime_responder: Responder | None
) -> Iterator[FakeRealtimeServer]:
    """A running fake Realtime server on its own thread; closed after the test."""
    from openai_realtime.testing.threaded import FakeServerThread

    marker = request.node.get_closest_marker("realtime_server")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    if realtime_responder is not None:
        options["responder"] = realtime_responder
    with FakeServerThread(**options) as server:
        yield server


@pytest.fixture
def realtime_connect(
    request: pytest.FixtureRequest, realtime_server: FakeRealtimeServer, tmp_path: Path
) -> Iterator[RealtimeConnect]:
    """Connect recorded clients to ``realtime_server``, in the loop the test runs in."""
    recordings = _Recordings(_recordings_folder(request.config), _file_stem(request.node.nodeid))
    request.node.stash[_RECORDINGS] = recordings

    @asynccontextmanager
    async def connect(**options: Any) -> AsyncIterator[RealtimeClient]:
        from openai_realtime.client import RealtimeClient

        options.setdefault("record", recordings.next_path(tmp_path))
        async with RealtimeClient(url=realtime_server.url, **options) as client:
            yield client

    yield connect
    if recordings.failed:
        recordings.save()


def _recordings_folder(config: pytest.Config) -> Path:
    chosen = config.getoption("realtime_recordings") or config.getini("realtime_recordings")
    if chosen:
        return Path(chosen).resolve()
    report = config.getoption("xmlpath", None)
    if report:
        return Path(report).resolve().parent
    return config.rootpath / "realtime-recordings"


def _file_stem(nodeid: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nodeid).strip("_")


def _define_client_fixture() -> None:
    """Add ``realtime_client`` when pytest-asyncio is there to run async fixtures."""
    try:
        import pytest_asyncio
    except ImportError:  # an async fixture would never run: ``realtime_connect`` is the way
        return

    @pytest_asyncio.fixture
    async def realtime_client(realtime_connect: RealtimeConnect) -> AsyncIterator[RealtimeClient]:
        """A client connected to ``realtime_server`` (pytest-asyncio, strict or auto mode)."""
        async with realtime_connect() as client:
            yield client

    globals()["realtime_client"] = realtime_client


_define_client_fixture()
