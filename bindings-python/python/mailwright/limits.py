"""A quota shared by several processes, on the ``limits`` package.

Many workers sending for one api_user must share its quota (SendCloud: 20,000
a minute, ``536 Frequency limited`` beyond it). Give each worker's
:class:`mailwright.Mailer` the same :class:`SharedQuota` (same storage, same
key)::

    from mailwright.limits import SharedQuota
    quota = SharedQuota("redis://127.0.0.1:6379", "api_user", rate="sendcloud")
    mailer = mailwright.Mailer(host, port, credentials=creds, rate="sendcloud", limiter=quota)

The core keeps each process's pacing and the pause after a ``536``; before
each message it asks the quota for a slot of the shared moving window
(:meth:`SharedQuota.acquire`). The numbers of a preset are the core's
(:meth:`mailwright.Rate.preset`). ``limits`` (and ``redis`` for a Redis
storage) must be installed: ``pip install limits redis``.
"""
from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Optional, Protocol, Tuple, Union, runtime_checkable

from ._mailwright import Rate
from .errors import InvalidOptionError

if TYPE_CHECKING:
    from limits.storage import Storage

__all__ = ["Limiter", "SharedQuota"]

#: The namespace of the keys this adapter writes in the storage.
NAMESPACE = "MAILWRIGHT"


@runtime_checkable
class Limiter(Protocol):
    """What ``Mailer(limiter=...)`` accepts: a quota shared with other
    processes (also ``mailwright.Limiter``).

    The Mailer calls ``acquire()`` before each message, once its own pacing
    allows it, on one of its threads, with the GIL. Return ``None`` or ``0``
    when a slot of the shared window was taken (the message goes at once),
    or the seconds to wait before asking again when the window is full.
    Raise when the shared store cannot be asked: the Mailer then holds every
    message and asks again a little later; a message still waiting at its
    deadline fails with the exception's text. ``acquire()`` must not call
    the Mailer it limits.
    """

    def acquire(self) -> Optional[float]: ...


class SharedQuota:
    """At most ``rate`` messages in any window, counted in ``storage`` for
    every process that uses the same ``key``.

    ``storage``: a ``limits`` storage URI (``"redis://host:port"``,
    ``"memory://"``, ...) or a ``limits.storage.Storage``. ``rate``: a preset
    of the core (``"sendcloud"``), a :class:`mailwright.Rate`, or
    ``(messages, per_seconds)``; the window must be a whole number of seconds
    (the ``limits`` package counts in seconds).

    Each slot is held for the core's shared window
    (:attr:`mailwright.Rate.shared_window`: the relay's window plus a margin,
    a twentieth of it, at most one second), rounded up to whole seconds, not
    for the relay's window alone. The relay counts a
    message when its MAIL arrives, the quota when the slot is taken, a few
    milliseconds earlier and not always by the same amount; without the
    margin a slot freed at the very end of the window can let a MAIL in just
    before the relay forgets the one it replaces, and get ``536``. The margin
    costs 1/60 of SendCloud's minute.

    ``acquire()`` takes a slot of the moving window and returns 0, or, when
    the window is full, returns the seconds until its oldest slot frees. A
    storage error (Redis down) is raised: the Mailer then holds its messages
    and asks again.
    """

    def __init__(self, storage: Union[str, "Storage"], key: str,
                 rate: Union[str, Rate, Tuple[int, float]] = "sendcloud") -> None:
        from limits import RateLimitItemPerSecond
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        if not isinstance(key, str) or not key:
            raise InvalidOptionError("the key of a shared quota must be a non-empty str")
        if isinstance(rate, Rate):
            self.rate = rate
        elif isinstance(rate, str):
            self.rate = Rate.preset(rate)
        else:
            messages, per = rate
            self.rate = Rate(messages, per)
        if self.rate.per != int(self.rate.per):
            raise InvalidOptionError(
                f"the window of a shared quota must be a whole number of seconds; {self.rate.per} s was given")
        #: Seconds each slot is held in the storage: the core's shared window,
        #: rounded up to whole seconds (``limits`` counts in seconds; longer is safe).
        self.window = math.ceil(self.rate.shared_window)
        self.key = key
        self.storage = storage_from_string(storage) if isinstance(storage, str) else storage
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._item = RateLimitItemPerSecond(self.rate.messages, self.window, namespace=NAMESPACE)

    def acquire(self) -> Optional[float]:
        """Takes one slot of the shared window (returns 0), or returns the
        seconds until one frees."""
        if self._limiter.hit(self._item, self.key):
            return 0.0
        reset, _remaining = self._limiter.get_window_stats(self._item, self.key)
        return max(reset - time.time(), 0.001)

    def clear(self) -> None:
        """Forgets every slot taken under this key (for tests and resets)."""
        self._limiter.clear(self._item, self.key)

    def __repr__(self) -> str:
        return f"SharedQuota(key={self.key!r}, rate={self.rate!r})"
