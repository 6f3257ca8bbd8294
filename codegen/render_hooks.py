"""Render the typed event registration: a runtime mixin module and a stub of overloads.

Two outputs:

* ``types/emitter.py``: the mixins ``RealtimeAPI``, ``RealtimeClient`` (and a future translation
  client) inherit. At run time each has three one-line methods (``on``, ``once``,
  ``wait_for_next``); for type checkers the same names are attributes whose types come from the
  stub below, bound to each class's own SDK events by ``openai_realtime.local_events``.
* ``types/hooks.pyi``: a stub with no module behind it (imported only by type checkers, so the
  overloads cost nothing at import). Per channel, one overload set per *shape* (register a
  handler or decorate, wait for the next event, send), shared by every class of that channel.
  Registering and decorating are one overload per name: both return a ``Hook``, which is the
  handler when one was given and a decorator when not:

  - first, a catch-all that never matches: its first parameter is a ``Sequence`` of a marker
    class, which no string is. When nothing matches, mypy picks the first overload whose
    *erased* signature fits and reports one ``arg-type`` line against it, naming the marker
    ``UnknownEventOrWrongHandler``, instead of listing every overload (hundreds of lines).
    The same overload comes last too: pyright reports the last of the overloads that failed
    latest, so there a misspelt name names the marker as well;
  - one generic overload for the class form (``on(ResponseDoneEvent, handler)``);
  - one overload per wire name (``server.<type>``, ``client.<type>`` and the two wildcards);
  - a fixed number of generic *slots*, each a (name type, payload type) pair of class type
    parameters. Slots default to ``Never`` (a name that matches nothing); the hand-written
    bindings in ``local_events`` fill them with the SDK's own events (``error``, ``close``,
    ``conversation.updated``, ...), so this generator names no hand-written class.

The stub is written already laid out, one overload per line (``# fmt: off``): formatted, each
would take six lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from codegen.render_common import EventSpec, header

__all__ = ["SLOTS", "HookChannel", "render_emitter", "render_hooks_stub"]

# How many SDK events (beside the wire events) one class can bind. RealtimeClient uses 11.
SLOTS = 11


@dataclass(frozen=True)
class HookChannel:
    """One channel's names, for the overloads: its events and the names of its classes."""

    prefix: str  # "" for the main channel, "Translation" for the translation channel
    client: list[EventSpec]
    server: list[EventSpec]
    client_union: str
    server_union: str


_MIXINS = (
    ("ApiEventsMixin", "Api", "``RealtimeAPI``: the wire events, ``error`` and ``close``."),
    (
        "ClientEventsMixin",
        "Client",
        "``RealtimeClient``: the wire events, ``error``, ``close`` and the utility events.",
    ),
    (
        "TranslationEventsMixin",
        "Translation",
        "A translation connection: the translation channel's events, ``error`` and ``close``.",
    ),
)


def render_emitter() -> str:
    """Render ``types/emitter.py``: the mixins, with their typed attributes for checkers."""
    bindings = sorted(f"{bind}{kind}" for _, bind, _ in _MIXINS for kind in ("Hooks", "Waits"))
    parts = [
        header(),
        '"""Typed ``on`` / ``once`` / ``wait_for_next`` for the event-emitting classes.\n\n',
        "At run time each mixin has three small methods that call the emitter's ``_subscribe``\n",
        "and ``_wait_for``. For type checkers the same names are typed by the overloads of the\n",
        "stub ``openai_realtime.types.hooks``, bound to each class's own SDK events in\n",
        "``openai_realtime.local_events``; the interpreter never imports either.\n",
        '"""\n\n',
        "from __future__ import annotations\n\n",
        "from typing import TYPE_CHECKING, Any\n\n",
        "if TYPE_CHECKING:\n",
        "    from openai_realtime.local_events import (\n",
        "".join(f"        {name},\n" for name in bindings),
        "    )\n",
        "    from openai_realtime.types.hooks import EventSend\n\n",
        "__all__ = ["
        + ", ".join(f'"{name}"' for name in sorted([*(m for m, _, _ in _MIXINS), "ApiSendMixin"]))
        + "]\n\n\n",
        "class _EventMethods:\n",
        '    """The run-time methods of every mixin (typed by each mixin\'s attributes)."""\n\n',
        "    if not TYPE_CHECKING:\n\n",
        "        def on(self, name: Any, handler: Any = None) -> Any:\n",
        '            """Call ``handler`` on every ``name`` event; without one, a decorator."""\n',
        "            return self._subscribe(name, handler, once=False)\n\n",
        "        def once(self, name: Any, handler: Any = None) -> Any:\n",
        '            """Like ``on``, but the handler is removed after its first call."""\n',
        "            return self._subscribe(name, handler, once=True)\n\n",
        "        async def wait_for_next(self, name: Any, timeout: float | None = None) -> Any:\n",
        '            """Wait for the next ``name`` event and return its payload."""\n',
        "            return await self._wait_for(name, timeout)\n",
    ]
    parts += [
        "\n\nclass ApiSendMixin:\n",
        '    """Typed ``send`` for ``RealtimeAPI``: one overload per client event type.\n\n',
        "    The class that inherits it implements ``_send(event, data)``.\n",
        '    """\n\n',
        "    if TYPE_CHECKING:\n",
        "        send: EventSend\n",
        "    else:\n\n",
        "        async def send(self, event: Any, data: Any = None, /) -> Any:\n",
        '            """Send a typed client event, or a type and its fields."""\n',
        "            return await self._send(event, data)\n",
    ]
    for name, binding, doc in _MIXINS:
        parts += [
            f"\n\nclass {name}(_EventMethods):\n",
            f'    """Event names of {doc}"""\n\n',
            "    if TYPE_CHECKING:\n",
            f"        on: {binding}Hooks\n",
            f"        once: {binding}Hooks\n",
            f"        wait_for_next: {binding}Waits\n",
        ]
    return "".join(parts)


def _slot_params() -> str:
    return ", ".join(f"_N{i}, _P{i}" for i in range(SLOTS))


def _names(channel: HookChannel) -> list[tuple[str, str]]:
    """``(wire name, payload type)`` for every name of a channel, wildcards included."""
    names = [(f"server.{spec.event_type}", spec.class_name) for spec in channel.server]
    names.append(("server.*", f"{channel.server_union} | UnknownServerEvent"))
    names += [(f"client.{spec.event_type}", spec.class_name) for spec in channel.client]
    names.append(("client.*", channel.client_union))
    return names


_OVERLOAD = "    @overload\n    def __call__(self, {args}) -> {result}: ...\n"
_MISMATCH = "name: Sequence[UnknownEventOrWrongHandler]"


def _hooks_class(channel: HookChannel) -> str:
    event = f"_{channel.prefix}Event"
    optional = "| None = None"
    lines = [
        f"class {channel.prefix}EventHooks(Generic[{_slot_params()}]):\n",
        f'    """``on`` / ``once`` of {channel.prefix or "the main"} channel\'s classes."""\n\n',
        _OVERLOAD.format(args=f"{_MISMATCH}, handler: _H[Never] {optional}", result="None"),
        # The class form takes two overloads: with `| None`, mypy would infer the event class
        # from the handler as well and accept a handler of another event.
        _OVERLOAD.format(
            args=f"name: type[{event}], handler: _H[{event}]", result=f"Hook[{event}]"
        ),
        _OVERLOAD.format(
            args=f"name: type[{event}], handler: None = None", result=f"Hook[{event}]"
        ),
    ]
    pairs = _names(channel) + [(f"_N{i}", f"_P{i}") for i in range(SLOTS)]
    for name, payload in pairs:
        name_type = name if name.startswith("_N") else f'Literal["{name}"]'
        lines.append(
            _OVERLOAD.format(
                args=f"name: {name_type}, handler: _H[{payload}] {optional}",
                result=f"Hook[{payload}]",
            )
        )
    # Last again, for pyright: a misspelt name then names the marker there too, not `Never`.
    lines.append(lines[2])
    return "".join(lines)


def _waits_class(channel: HookChannel) -> str:
    event = f"_{channel.prefix}Event"
    timeout = "timeout: float | None = None"
    lines = [
        f"class {channel.prefix}EventWaits(Generic[{_slot_params()}]):\n",
        f'    """``wait_for_next`` of {channel.prefix or "the main"} channel\'s classes."""\n\n',
        _OVERLOAD.format(args=f"{_MISMATCH}, {timeout}", result="_W[None]"),
        _OVERLOAD.format(args=f"name: type[{event}], {timeout}", result=f"_W[{event}]"),
    ]
    pairs = _names(channel) + [(f"_N{i}", f"_P{i}") for i in range(SLOTS)]
    for name, payload in pairs:
        name_type = name if name.startswith("_N") else f'Literal["{name}"]'
        result = f"_W[{payload}]"
        lines.append(_OVERLOAD.format(args=f"name: {name_type}, {timeout}", result=result))
    lines.append(lines[2])
    return "".join(lines)


def _send_class(channel: HookChannel) -> str:
    event = f"_{channel.prefix}ClientEventT"
    lines = [
        f"class {channel.prefix}EventSend:\n",
        f'    """``send`` of {channel.prefix or "the main"} channel: a typed event, or a type and'
        ' its fields."""\n\n',
        _OVERLOAD.format(
            args="event: Sequence[UnknownEventOrWrongHandler], data: object = None, /",
            result="_W[None]",
        ),
        _OVERLOAD.format(args=f"event: {event}, /", result=f"_W[{event}]"),
    ]
    for spec in channel.client:
        fields = f"{spec.class_name}Fields | None = None"
        lines.append(
            _OVERLOAD.format(
                args=f'event: Literal["{spec.event_type}"], data: {fields}, /',
                result=f"_W[{spec.class_name}]",
            )
        )
    lines.append(lines[2])
    return "".join(lines)


def render_hooks_stub(channels: list[HookChannel]) -> str:
    """Render ``types/hooks.pyi``: every channel's overload sets."""
    classes = sorted({s.class_name for c in channels for s in c.client + c.server})
    exports = ["Hook", "UnknownEventOrWrongHandler"]
    exports += [f"{c.prefix}Event{kind}" for c in channels for kind in ("Hooks", "Waits", "Send")]
    fields = sorted(f"{s.class_name}Fields" for c in channels for s in c.client)
    unions = {
        "openai_realtime.types.events" if not c.prefix else "openai_realtime.types.translation": (
            c.client_union,
            c.server_union,
        )
        for c in channels
    }
    parts = [
        header(),
        "# fmt: off\n",
        "# The slots are open type parameters: that they overlap the wire names is the point;\n",
        "# the catch-all is repeated last, for pyright's messages, so mypy sees it never match.\n",
        '# mypy: disable-error-code="overload-overlap, overload-cannot-match"\n',
        "# pyright: reportOverlappingOverload=false\n",
        '"""Overloads that type ``on`` / ``once`` / ``wait_for_next`` (type checkers only).\n\n',
        "See ``codegen/render_hooks.py`` for how they are laid out and why.\n",
        '"""\n\n',
        "from collections.abc import Callable, Coroutine, Sequence\n",
        "from typing import Any, Generic, Literal, Protocol, TypeAlias, overload\n\n",
        "from typing_extensions import Never, TypeVar\n\n",
        "from openai_realtime.types.events import UnknownServerEvent\n",
    ]
    for module, (client_union, server_union) in sorted(unions.items()):
        parts.append(f"from {module} import {client_union}, {server_union}\n")
    parts += [
        "from openai_realtime.types.models import (\n",
        "".join(f"    {name},\n" for name in classes),
        ")\n",
        "from openai_realtime.types.params import (\n",
        "".join(f"    {name},\n" for name in fields),
        ")\n\n",
        "__all__ = [\n" + "".join(f'    "{name}",\n' for name in sorted(exports)) + "]\n\n",
        '_P = TypeVar("_P")\n',
        "_H: TypeAlias = Callable[[_P], object]\n",
        "_W: TypeAlias = Coroutine[Any, Any, _P]\n",
    ]
    for channel in channels:
        members = sorted({s.class_name for s in channel.client + channel.server})
        bound = " | ".join(members)
        parts.append(f'_{channel.prefix}Event = TypeVar("_{channel.prefix}Event", bound={bound})\n')
        client = " | ".join(sorted({s.class_name for s in channel.client}))
        name = f"_{channel.prefix}ClientEventT"
        parts.append(f'{name} = TypeVar("{name}", bound={client})\n')
    for i in range(SLOTS):
        parts.append(f'_N{i} = TypeVar("_N{i}", default=Never)\n')
        parts.append(f'_P{i} = TypeVar("_P{i}", default=Never)\n')
    parts += [
        "\n\nclass UnknownEventOrWrongHandler:\n",
        '    """Named by mypy when a call matches no overload: a misspelt event name, or a\n',
        '    handler whose parameter type is not the class of the event it is for."""\n\n\n',
        "class Hook(Protocol[_P]):\n",
        '    """What ``on`` / ``once`` return: the handler (called with the event), or, without\n',
        '    one, a decorator that registers the function it wraps and returns it."""\n\n',
        "    @overload\n",
        "    def __call__(self, handler: _H[_P], /) -> _H[_P]: ...\n",
        "    @overload\n",
        "    def __call__(self, event: _P, /) -> object: ...\n",
    ]
    for channel in channels:
        parts += ["\n\n", _hooks_class(channel), "\n\n", _waits_class(channel)]
        parts += ["\n\n", _send_class(channel)]
    return "".join(parts)
