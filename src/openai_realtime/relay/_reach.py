"""Where a validated client event reaches: walks over its typed tree, derived from the schema.

The relay's rules name places by what they are, not by a list of paths: "any field called
``model``", "anything that carries instructions". Walking the
typed event finds them wherever the generated models put them, so a field added to the schema
is covered as soon as the models are regenerated. Paths are written as the Realtime API writes
``param`` in its errors, relative to the event: ``session.tools[2].name``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from pydantic import BaseModel

__all__ = ["fields_set_named", "system_messages"]


def _children(node: object, path: str) -> Iterator[tuple[str, object]]:
    """The nodes directly below ``node`` that the sender wrote, with their paths."""
    if isinstance(node, BaseModel):
        # Keys the schema does not know are in the set too (the models allow extra keys).
        for name in node.model_fields_set:
            yield _join(path, name), getattr(node, name)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield _join(path, str(key)), value
    elif isinstance(node, Sequence) and not isinstance(node, str | bytes):
        for index, value in enumerate(node):
            yield f"{path}[{index}]", value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _walk(node: object, path: str = "") -> Iterator[tuple[str, object]]:
    """Every node the sender wrote, depth first, with its path (the root has path "")."""
    yield path, node
    for child_path, child in _children(node, path):
        yield from _walk(child, child_path)


def fields_set_named(event: BaseModel, names: frozenset[str]) -> list[str]:
    """Paths of fields with one of ``names`` that the sender set, at any depth of the schema.

    Args:
        event: A validated client event.
        names: Field names to look for (``{"model"}``).

    Returns:
        The paths, e.g. ``["session.audio.input.transcription.model"]``.
    """
    return [
        _join(path, name)
        for path, node in _walk(event)
        if isinstance(node, BaseModel)
        for name in sorted(node.model_fields_set & names)
    ]


def system_messages(event: BaseModel) -> list[str]:
    """Paths of ``system`` messages anywhere in the event (items created, response input).

    A system message is the other way in for instructions, next to the ``instructions`` field.

    Args:
        event: A validated client event.

    Returns:
        The paths, e.g. ``["item"]`` or ``["response.input[0]"]``.
    """
    return [
        path
        for path, node in _walk(event)
        if isinstance(node, BaseModel)
        and getattr(node, "type", None) == "message"
        and getattr(node, "role", None) == "system"
    ]
