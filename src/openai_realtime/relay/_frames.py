"""Reading a client frame as JSON the way a strict server would, before any rule looks at it.

JSON parsers disagree on duplicate keys (first wins, last wins, merged, refused). If the relay
judged one reading and the upstream acted on another, a rule could be bypassed, so a frame with
a duplicate key is refused outright. Deep nesting is refused too, instead of letting the parser
overflow the stack.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["UnreadableFrame", "read_json_object"]


class UnreadableFrame(ValueError):
    """The frame is not one JSON object the relay can judge unambiguously."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise UnreadableFrame(f"the frame repeats the key {key!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise UnreadableFrame(f"the frame uses {name}, which JSON does not have")


def read_json_object(frame: str) -> dict[str, Any]:
    """Parse a client frame into a JSON object.

    Args:
        frame: The frame text exactly as the client sent it.

    Returns:
        The object.

    Raises:
        UnreadableFrame: The frame is not JSON (``NaN`` and ``Infinity`` included), is nested
            too deeply to judge, repeats a key in any object, or is not an object.
    """
    try:
        parsed = json.loads(
            frame, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant
        )
    except RecursionError:
        raise UnreadableFrame("the frame is nested too deeply") from None
    except UnreadableFrame:
        raise
    except ValueError:
        raise UnreadableFrame("the frame is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise UnreadableFrame("the frame is not a JSON object")
    return parsed
