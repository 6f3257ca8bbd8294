"""When and how soon ``RealtimeClient`` reconnects after the connection drops: pure policy.

:class:`ReconnectPolicy` holds the rules; nothing here touches the network or the clock, so the
backoff is unit-tested with a seeded ``random.Random``. The client asks two questions of it:

* :meth:`ReconnectPolicy.should_retry`: is this close code worth another attempt?
* :meth:`ReconnectPolicy.delay`: how long to wait before attempt ``n``?

:func:`replay_events` (defined in :mod:`openai_realtime.protocol.replay`) turns the
conversation the client holds into the ``conversation.item.create`` events that rebuild it on a
new server session.

Reconnects that end: ``max_attempts`` counts *consecutive* failures, and a connection that opens
but dies before it does anything useful is a failure too. A connection is useful once a response
completed on it, or once it stayed open ``stable_after`` seconds; only a useful connection
starts the count again. So a server that accepts every connection and drops it at once gets
``max_attempts`` tries, with the backoff growing from one to the next, and then
``disconnected`` fires.

:class:`SessionRenewal` is the other way a connection ends and a new one begins: the service
ends every session at its maximum duration (60 minutes: close 1001, "Your session hit the
maximum duration of 60 minutes.", often after an ``error`` with code ``session_expired``). With
``RealtimeClient(session_renewal=SessionRenewal())`` (the default) the client then opens a new
session at once and carries the conversation over as text (assistant audio cannot be sent back),
with its instructions and tools, and fires ``session.renewed`` saying what it carried. With
``SessionRenewal(ahead=...)`` it renews earlier, on its own, at a quiet moment before the limit,
so that the limit never cuts a response off; the time it reads for that is a :class:`WallClock`.

Close codes retried by default (:data:`DEFAULT_RETRY_CODES`) are the ones that say "the
connection failed, not the request": 1001 going away (a server restarting or a load balancer
draining), 1006 abnormal closure (the network dropped, or a heartbeat or send timed out), 1011
internal error, 1012 service restart, 1013 try again later, 1014 bad gateway. Everything else
is final: 1000 is a normal end, 1002/1003/1007/1008/1009/1010 say this client sent or received
something the peer will refuse again, and the 4000-4999 range is private to each application
(a relay may use it for "token revoked" or "session expired"), so retrying it blindly would
only repeat a refusal. Add codes to ``retry_on`` when your server documents them as transient.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final, Protocol

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.replay import replay_events

__all__ = [
    "DEFAULT_RETRY_CODES",
    "ReconnectPolicy",
    "SessionRenewal",
    "WallClock",
    "replay_events",
]

DEFAULT_RETRY_CODES: Final = frozenset({1001, 1006, 1011, 1012, 1013, 1014})
"""Close codes that start a reconnect unless ``retry_on`` says otherwise."""


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How ``RealtimeClient`` reconnects after an abnormal close.

    Attempt ``n`` (from 1) waits ``initial_delay * multiplier ** (n - 1)`` seconds, capped at
    ``max_delay``, then scaled by a random factor in ``[1 - jitter, 1 + jitter]`` so that many
    clients dropped together do not return together; the result never exceeds ``max_delay``.

    Args:
        max_attempts: Consecutive failures before giving up (then ``disconnected`` fires). An
            attempt that cannot connect fails, and so does a connection that closes before it
            was useful (see ``stable_after``); attempt numbers, and with them the backoff, go on
            growing across such connections. A useful connection starts the count again.
        initial_delay: Seconds before the first attempt.
        max_delay: Longest wait before any attempt, in seconds.
        multiplier: Growth of the wait from one attempt to the next (at least 1).
        jitter: Fraction of the wait that is randomised, from 0 (none) to 1.
        retry_on: Close codes that start a reconnect; see :data:`DEFAULT_RETRY_CODES`.
        replay_history: After reconnecting, send the conversation the client holds to the new
            server session (see ``RealtimeClient`` for exactly what is sent).
        stable_after: Seconds after which an open connection counts as useful even if no
            response completed on it.

    Raises:
        ConfigurationError: A number is out of range (negative, not finite, ``max_delay``
            below ``initial_delay``, ``multiplier`` below 1, ``jitter`` outside 0..1,
            ``max_attempts`` below 1).
    """

    max_attempts: int = 5
    initial_delay: float = 0.5
    max_delay: float = 10.0
    multiplier: float = 2.0
    jitter: float = 0.2
    retry_on: frozenset[int] = DEFAULT_RETRY_CODES
    replay_history: bool = False
    stable_after: float = 30.0

    def __post_init__(self) -> None:
        numbers = (
            self.initial_delay,
            self.max_delay,
            self.multiplier,
            self.jitter,
            self.stable_after,
        )
        if not all(math.isfinite(number) for number in numbers):
            raise ConfigurationError(f"reconnect delays must be finite numbers, got {self!r}")
        if self.max_attempts < 1:
            raise ConfigurationError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if not 0 <= self.initial_delay <= self.max_delay:
            raise ConfigurationError(
                "need 0 <= initial_delay <= max_delay, got "
                f"initial_delay={self.initial_delay}, max_delay={self.max_delay}"
            )
        if self.multiplier < 1:
            raise ConfigurationError(f"multiplier must be at least 1, got {self.multiplier}")
        if not 0 <= self.jitter <= 1:
            raise ConfigurationError(f"jitter must be between 0 and 1, got {self.jitter}")
        if self.stable_after < 0:
            raise ConfigurationError(f"stable_after must be at least 0, got {self.stable_after}")

    def should_retry(self, code: int | None) -> bool:
        """Whether a close with ``code`` starts a reconnect.

        Args:
            code: The close code; ``None`` (no code at all) counts as 1006, a lost connection.

        Returns:
            ``True`` when ``code`` is in :attr:`retry_on`.
        """
        return (1006 if code is None else code) in self.retry_on

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The wait before attempt ``attempt``, in seconds.

        Args:
            attempt: The attempt number, from 1.
            rng: Where the jitter comes from; pass a seeded ``random.Random`` for repeatable
                delays.

        Returns:
            A delay between 0 and :attr:`max_delay`.

        Raises:
            ValueError: ``attempt`` is below 1.
        """
        if attempt < 1:
            raise ValueError(f"attempt counts from 1, got {attempt}")
        base = self.initial_delay
        # Grow step by step rather than with `**`, which overflows for large attempt numbers;
        # the loop stops as soon as the cap is reached.
        for _ in range(attempt - 1):
            if base >= self.max_delay:
                break
            base *= self.multiplier
        base = min(base, self.max_delay)
        scale = 1.0 + self.jitter * rng.uniform(-1.0, 1.0)
        return min(base * scale, self.max_delay)


class WallClock(Protocol):
    """The time a renewal ahead of the limit reads and waits on (``SessionRenewal.clock``).

    ``expires_at`` is a Unix time on the server's clock, so the renewal reads the wall time.
    :class:`~openai_realtime.testing.FakeClock` is one: pass ``FakeRealtimeServer.clock`` so
    that a server running at a ``time_scale`` also drives the client's renewal.
    """

    def wall_time(self) -> float:
        """Seconds since the epoch, now."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


@dataclass(frozen=True, slots=True)
class SessionRenewal:
    """How ``RealtimeClient`` replaces a session that reaches its maximum duration.

    The new session gets the whole session configuration (instructions and tools included)
    and the conversation as text: what :func:`replay_events` lists, with the original item
    ids. By default it opens at the limit, when the server closes the old one, whether or not
    a :class:`ReconnectPolicy` is set; ``session.renewed`` then says what was carried.

    The limit cuts off whatever is under way, a response half spoken included. With ``ahead``
    the client renews first, on its own: from ``ahead`` seconds before the session's
    ``expires_at`` (as the latest ``session.created`` or ``session.updated`` reported it) it
    waits for a quiet moment, with no response running or asked for and no tool call of its
    own running, then closes the old connection itself and opens the new session the same
    way. That close is neither a failure for the :class:`ReconnectPolicy` nor a
    ``disconnected``; ``session.renewed`` says ``planned=True``. If the limit comes first (the
    quiet moment never came), the server's close renews the session as without ``ahead``. A
    session that lasts less than ``ahead`` in all is renewed only at its limit (otherwise each
    new session would be renewed at once). Sends between the old connection's close and the
    new session raise ``ConnectionClosedError``, as during any reconnect.

    Args:
        max_attempts: Attempts to open the new session before giving up.
        delay: Seconds before the first attempt (then doubling, up to ten times ``delay``).
        ahead: Seconds before ``expires_at`` from which to renew at the first quiet moment;
            ``None`` renews only at the limit. Leave room for the longest response and for the
            difference between this machine's clock and the server's (e.g. ``300``).
        clock: Where ``ahead`` reads the time and waits; ``None`` is this machine's clock.
            A test against ``FakeRealtimeServer(time_scale=...)`` passes ``server.clock``.

    Raises:
        ConfigurationError: ``max_attempts`` below 1, a negative ``delay``, an ``ahead`` that
            is not a positive finite number, or a ``clock`` without ``ahead``.

    Example::

        client = RealtimeClient(session_renewal=SessionRenewal(ahead=300))
    """

    max_attempts: int = 3
    delay: float = 0.0
    ahead: float | None = None
    clock: WallClock | None = None

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if not (math.isfinite(self.delay) and self.delay >= 0):
            raise ConfigurationError(f"delay must be a finite number >= 0, got {self.delay}")
        ahead = self.ahead
        if ahead is not None and (
            isinstance(ahead, bool)
            or not isinstance(ahead, int | float)
            or not (math.isfinite(ahead) and ahead > 0)
        ):
            raise ConfigurationError(
                f"ahead must be None or a positive number of seconds, got {ahead!r}"
            )
        if self.clock is not None and ahead is None:
            raise ConfigurationError("clock is only read for ahead=; pass ahead too")

    def policy(self) -> ReconnectPolicy:
        """The reconnect policy the renewal runs with: history replayed, no jitter."""
        return ReconnectPolicy(
            max_attempts=self.max_attempts,
            initial_delay=self.delay,
            max_delay=self.delay * 10,
            jitter=0.0,
            replay_history=True,
        )
