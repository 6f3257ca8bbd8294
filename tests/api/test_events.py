"""Tests for openai_realtime.events: the emitter on its own, composed with the typed mixin."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

import pytest

from openai_realtime.errors import ConnectionClosedError, RealtimeTimeoutError
from openai_realtime.events import EventEmitter, EventName, Handler, event_name
from openai_realtime.local_events import CloseEvent, LocalErrorEvent
from openai_realtime.types import (
    InputAudioBufferClearedEvent,
    RealtimeResponse,
    ResponseCreateEvent,
    ResponseDoneEvent,
)
from openai_realtime.types.emitter import ApiEventsMixin
from tests.support import WAIT

CLEARED: Final = "server.input_audio_buffer.cleared"


class Emitter(ApiEventsMixin, EventEmitter):
    """The emitter as RealtimeAPI composes it, with nothing else."""


class EmitterFirst(EventEmitter, ApiEventsMixin):
    """The same with the bases the other way round."""


class CustomHooks(Emitter):
    """A subclass that wraps a hook: its override must stay in force."""

    def _subscribe(self, name: EventName, handler: Handler | None, *, once: bool) -> Any:
        self.subscribed = event_name(name)
        return super()._subscribe(name, handler, once=once)


def cleared(event_id: str = "event_1") -> InputAudioBufferClearedEvent:
    return InputAudioBufferClearedEvent(event_id=event_id)


def done(event_id: str = "event_2") -> ResponseDoneEvent:
    return ResponseDoneEvent(event_id=event_id, response=RealtimeResponse(id="resp_1"))


@pytest.mark.parametrize("emitter_class", [Emitter, EmitterFirst, CustomHooks])
async def test_the_hooks_work_whatever_the_order_of_the_bases(
    emitter_class: type[Emitter] | type[EmitterFirst],
) -> None:
    emitter = emitter_class()
    calls: list[str] = []
    emitter.on(CLEARED, lambda event: calls.append(event.event_id))
    asyncio.get_running_loop().call_soon(emitter.dispatch, CLEARED, cleared("a"))
    assert (await emitter.wait_for_next(CLEARED, timeout=WAIT)).event_id == "a"
    assert calls == ["a"]
    if isinstance(emitter, CustomHooks):
        assert emitter.subscribed == CLEARED


def test_event_name_maps_classes_by_direction() -> None:
    assert event_name("anything.at.all") == "anything.at.all"
    assert event_name(ResponseDoneEvent) == "server.response.done"
    assert event_name(ResponseCreateEvent) == "client.response.create"
    with pytest.raises(TypeError, match="RealtimeResponse"):
        event_name(RealtimeResponse)


def test_handlers_run_in_registration_order_then_the_wildcard() -> None:
    emitter = Emitter()
    order: list[str] = []
    emitter.on("server.*", lambda event: order.append("wildcard"))
    emitter.on(CLEARED, lambda event: order.append("first"))
    emitter.on(InputAudioBufferClearedEvent, lambda event: order.append("second"))
    emitter.on("client.*", lambda event: order.append("client wildcard"))
    emitter.dispatch(CLEARED, cleared())
    assert order == ["first", "second", "wildcard"]


def test_client_wildcard_hears_client_events_only() -> None:
    emitter = Emitter()
    heard: list[object] = []
    emitter.on("client.*", heard.append)
    sent = ResponseCreateEvent(event_id="evt_1")
    emitter.dispatch("client.response.create", sent)
    emitter.dispatch(CLEARED, cleared())
    emitter.dispatch("close", CloseEvent(1000, "", requested=True))
    assert heard == [sent]


def test_handler_receives_the_payload_and_class_names_work() -> None:
    emitter = Emitter()
    payloads: list[ResponseDoneEvent] = []
    emitter.on(ResponseDoneEvent, payloads.append)
    event = done()
    emitter.dispatch("server.response.done", event)
    assert payloads == [event]


def test_decorator_form_returns_the_function() -> None:
    emitter = Emitter()
    calls: list[str] = []

    @emitter.on("server.response.done")
    def on_done(event: ResponseDoneEvent) -> None:
        calls.append(event.event_id)

    emitter.dispatch("server.response.done", done("event_9"))
    on_done(done("direct"))
    assert calls == ["event_9", "direct"]


def test_once_runs_a_single_time() -> None:
    emitter = Emitter()
    calls: list[str] = []
    emitter.once(CLEARED, lambda event: calls.append(event.event_id))

    @emitter.once(CLEARED)
    def decorated(event: InputAudioBufferClearedEvent) -> None:
        calls.append("decorated " + event.event_id)

    emitter.dispatch(CLEARED, cleared("a"))
    emitter.dispatch(CLEARED, cleared("b"))
    assert calls == ["a", "decorated a"]


def test_once_is_not_rerun_by_a_nested_dispatch() -> None:
    emitter = Emitter()
    calls: list[str] = []

    def redispatch(event: InputAudioBufferClearedEvent) -> None:
        calls.append(event.event_id)
        emitter.dispatch(CLEARED, cleared("nested"))

    emitter.once(CLEARED, redispatch)
    emitter.dispatch(CLEARED, cleared("outer"))
    assert calls == ["outer"]


def test_a_handler_added_during_dispatch_starts_with_the_next_event() -> None:
    emitter = Emitter()
    calls: list[str] = []

    def add_another(event: InputAudioBufferClearedEvent) -> None:
        emitter.on(CLEARED, lambda later: calls.append("late " + later.event_id))

    emitter.once(CLEARED, add_another)
    emitter.dispatch(CLEARED, cleared("a"))
    emitter.dispatch(CLEARED, cleared("b"))
    assert calls == ["late b"]


def test_off_removes_one_handler_or_all() -> None:
    emitter = Emitter()
    calls: list[str] = []

    def first(event: InputAudioBufferClearedEvent) -> None:
        calls.append("first")

    def second(event: InputAudioBufferClearedEvent) -> None:
        calls.append("second")

    emitter.on(CLEARED, first)
    emitter.on(CLEARED, second)
    emitter.on(CLEARED, first)
    emitter.off(CLEARED, first)
    emitter.dispatch(CLEARED, cleared())
    assert calls == ["second", "first"]

    emitter.off(InputAudioBufferClearedEvent)
    emitter.dispatch(CLEARED, cleared())
    assert calls == ["second", "first"]


def test_off_an_unregistered_handler_is_a_value_error() -> None:
    emitter = Emitter()

    def handler(event: InputAudioBufferClearedEvent) -> None:
        raise AssertionError("never registered")

    emitter.on("server.response.done", print)
    with pytest.raises(ValueError, match="not a handler"):
        emitter.off(CLEARED, handler)
    emitter.off("nothing.registered")


def test_a_non_callable_handler_is_a_type_error() -> None:
    emitter = Emitter()
    with pytest.raises(TypeError, match="callable"):
        emitter.on(CLEARED, "not callable")  # type: ignore[call-overload]


def test_a_failing_handler_is_isolated_logged_and_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    emitter = Emitter()
    calls: list[str] = []
    errors: list[LocalErrorEvent] = []
    boom = RuntimeError("boom")

    def failing(event: InputAudioBufferClearedEvent) -> None:
        raise boom

    emitter.on("error", errors.append)
    emitter.on(CLEARED, failing)
    emitter.on(CLEARED, lambda event: calls.append("after"))
    with caplog.at_level(logging.ERROR, logger="openai_realtime"):
        emitter.dispatch(CLEARED, cleared())

    assert calls == ["after"]
    assert len(errors) == 1
    assert errors[0].exception is boom
    assert errors[0].event_name == CLEARED
    assert "boom" in errors[0].message
    [record] = caplog.records
    assert record.name == "openai_realtime"
    assert CLEARED in record.getMessage()
    assert record.exc_info is not None and record.exc_info[1] is boom


def test_a_failing_error_handler_is_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    emitter = Emitter()
    error_calls: list[LocalErrorEvent] = []

    def failing_error_handler(event: LocalErrorEvent) -> None:
        error_calls.append(event)
        raise ValueError("the error handler fails too")

    def failing(event: InputAudioBufferClearedEvent) -> None:
        raise RuntimeError("first failure")

    emitter.on("error", failing_error_handler)
    emitter.on(CLEARED, failing)
    with caplog.at_level(logging.ERROR, logger="openai_realtime"):
        emitter.dispatch(CLEARED, cleared())

    assert len(error_calls) == 1
    logged = [str(record.exc_info[1]) for record in caplog.records if record.exc_info]
    assert logged == ["first failure", "the error handler fails too"]


async def test_async_handlers_run_as_tasks_and_drain_waits_for_them() -> None:
    emitter = Emitter()
    calls: list[str] = []
    release = asyncio.Event()

    async def slow(event: InputAudioBufferClearedEvent) -> None:
        await release.wait()
        calls.append("async " + event.event_id)

    emitter.on(CLEARED, slow)
    emitter.on(CLEARED, lambda event: calls.append("sync"))
    emitter.dispatch(CLEARED, cleared("a"))
    assert calls == ["sync"]
    release.set()
    await asyncio.wait_for(emitter.drain(), WAIT)
    assert calls == ["sync", "async a"]


async def test_a_failing_async_handler_is_reported() -> None:
    emitter = Emitter()
    errors: list[LocalErrorEvent] = []

    async def failing(event: ResponseDoneEvent) -> None:
        await asyncio.sleep(0)
        raise KeyError("missing")

    emitter.on("error", errors.append)
    emitter.on("server.response.done", failing)
    emitter.dispatch("server.response.done", done())
    await asyncio.wait_for(emitter.drain(), WAIT)
    assert [type(error.exception) for error in errors] == [KeyError]
    assert errors[0].event_name == "server.response.done"


async def test_drain_from_inside_a_handler_does_not_wait_for_itself() -> None:
    emitter = Emitter()
    finished = asyncio.Event()

    async def draining(event: InputAudioBufferClearedEvent) -> None:
        await emitter.drain()
        finished.set()

    emitter.on(CLEARED, draining)
    emitter.dispatch(CLEARED, cleared())
    await asyncio.wait_for(finished.wait(), WAIT)
    await asyncio.wait_for(emitter.drain(), WAIT)


def test_an_async_handler_without_an_event_loop_is_reported() -> None:
    emitter = Emitter()
    errors: list[LocalErrorEvent] = []

    async def never_runs(event: InputAudioBufferClearedEvent) -> None:
        raise AssertionError("there is no loop to run this")

    emitter.on("error", errors.append)
    emitter.on(CLEARED, never_runs)
    emitter.dispatch(CLEARED, cleared())
    assert [type(error.exception) for error in errors] == [RuntimeError]


async def test_wait_for_next_returns_the_next_payload() -> None:
    emitter = Emitter()
    event = done()
    asyncio.get_running_loop().call_soon(emitter.dispatch, "server.response.done", event)
    assert await emitter.wait_for_next(ResponseDoneEvent, timeout=WAIT) is event


async def test_wait_for_next_on_a_wildcard() -> None:
    emitter = Emitter()
    event = cleared()
    asyncio.get_running_loop().call_soon(emitter.dispatch, CLEARED, event)
    assert await emitter.wait_for_next("server.*", timeout=WAIT) is event


async def test_wait_for_next_times_out_with_a_realtime_timeout_error() -> None:
    emitter = Emitter()
    with pytest.raises(RealtimeTimeoutError, match=r"server\.response\.done"):
        await emitter.wait_for_next("server.response.done", timeout=0.01)
    # The expired waiter is gone: a later event finds no one and nothing breaks.
    emitter.dispatch("server.response.done", done())
    with pytest.raises(TimeoutError):
        await emitter.wait_for_next("server.response.done", timeout=0.01)


async def test_release_waiters_fails_every_pending_wait() -> None:
    emitter = Emitter()
    waits = [
        asyncio.ensure_future(emitter.wait_for_next("server.response.done")),
        asyncio.ensure_future(emitter.wait_for_next("close")),
    ]
    await asyncio.sleep(0)
    emitter.release_waiters(ConnectionClosedError(1006, "gone"))
    results = await asyncio.wait_for(asyncio.gather(*waits, return_exceptions=True), WAIT)
    assert [type(result) for result in results] == [ConnectionClosedError] * 2
    assert {result.code for result in results if isinstance(result, ConnectionClosedError)} == {
        1006
    }
