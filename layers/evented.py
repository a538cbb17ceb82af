"""Qt-free events and an evented list (napari's ``EventedList`` is the model).

The model emits; views (the Qt layer tree, the canvas) connect callbacks. Emitting builds one
small :class:`Event` and calls the callbacks in the order they connected: nothing is copied.
The callbacks live in psygnal signals, which hold bound methods weakly.

Examples
--------
>>> items = EventedList(["a", "b"])
>>> seen = []
>>> _ = items.events.inserted.connect(lambda event: seen.append((event.type, event.index, event.value)))
>>> items.append("c")
>>> seen
[('inserted', 2, 'c')]
"""
from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterable, Iterator, MutableSequence
from typing import Any

from psygnal import EmitLoopError, SignalInstance


class Event:
    """One emission: ``type`` (the emitter's name), ``source`` (who emitted) and the keyword arguments
    given to :meth:`EventEmitter.emit` as attributes."""

    def __init__(self, type: str, source: Any = None, **kwargs: Any):
        self.type = type
        self.source = source
        self.__dict__.update(kwargs)

    def __repr__(self) -> str:
        details = ", ".join(f"{key}={value!r}" for key, value in vars(self).items()
                            if key not in ("type", "source"))
        return f"Event({self.type}{', ' if details else ''}{details})"


Callback = Callable[[Event], Any]


class EventEmitter:
    """Calls every connected callback with an :class:`Event` on :meth:`emit`.

    The callbacks are held by a psygnal ``SignalInstance`` (the library napari's events run on):
    a bound method is held weakly, so a view that goes away stops listening instead of being kept
    alive by the model; plain functions and lambdas are held as given.
    """

    def __init__(self, type: str = "", source: Any = None):
        self.type = type
        self.source = source
        self._signal = SignalInstance((object,), name=type or None)
        self._blocked = 0

    def connect(self, callback: Callback) -> Callback:
        """Connect ``callback`` (once; connecting it again does nothing). Returns it, so it can decorate.

        A method of an object that cannot be weakly referenced (``list.append``) is held strongly,
        which psygnal would otherwise warn about.
        """
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="failed to create weakref", category=UserWarning)
            self._signal.connect(callback, unique=True, check_nargs=False)
        return callback

    def disconnect(self, callback: Callback | None = None) -> None:
        """Disconnect ``callback``, or every callback when it is ``None``; unknown callbacks are ignored."""
        self._signal.disconnect(callback, missing_ok=True)

    def __len__(self) -> int:
        """How many callbacks are connected (a collected view's bound method no longer counts)."""
        return len(self._signal)

    def __bool__(self) -> bool:
        """An emitter is always there to connect to, with or without listeners (not ``len() > 0``)."""
        return True

    @property
    def blocked(self) -> bool:
        return self._blocked > 0

    def emit(self, **kwargs: Any) -> Event | None:
        """Call the callbacks with ``Event(type, source, **kwargs)``; nothing happens while blocked.

        A callback's exception reaches the caller as itself (not wrapped by psygnal).
        """
        if self._blocked:
            return None
        event = Event(self.type, self.source, **kwargs)
        try:
            self._signal.emit(event)
        except EmitLoopError as error:
            raise (error.__cause__ or error) from None
        return event

    @contextlib.contextmanager
    def blocker(self) -> Iterator[None]:
        """Inside the block, :meth:`emit` does nothing (blocks nest)."""
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1


class EmitterGroup:
    """Named emitters as attributes: ``group.inserted``, ``group.visible`` ..."""

    def __init__(self, source: Any, names: Iterable[str]):
        self._source = source
        self._names: list[str] = []
        self.add(*names)

    def add(self, *names: str) -> None:
        """Add an emitter per name (names already present are kept as they are)."""
        for name in names:
            if name not in self._names:
                self._names.append(name)
                setattr(self, name, EventEmitter(name, self._source))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._names)

    def __iter__(self) -> Iterator[EventEmitter]:
        return (getattr(self, name) for name in self._names)

    @contextlib.contextmanager
    def blocker_all(self) -> Iterator[None]:
        """Block every emitter of the group."""
        with contextlib.ExitStack() as stack:
            for emitter in self:
                stack.enter_context(emitter.blocker())
            yield


class EventedList(MutableSequence):
    """A list that emits ``inserted(index, value)``, ``removed(index, value)``,
    ``moved(src, dst, value)`` and ``reordered()``.

    Replacing an item (``items[i] = x``) emits ``removed`` then ``inserted``; a move emits
    ``moved`` then ``reordered``; :meth:`reverse` emits ``reordered`` only.
    """

    _EVENTS = ("inserted", "removed", "moved", "reordered")

    def __init__(self, data: Iterable[Any] = ()):
        self.events = EmitterGroup(self, self._EVENTS)
        self._list: list[Any] = []
        self.extend(data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"

    def __len__(self) -> int:
        return len(self._list)

    def __getitem__(self, index):
        """An item, or a plain ``list`` for a slice."""
        return self._list[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._list)

    def _normalise_index(self, index: int, size: int) -> int:
        if not -size <= index < size:
            raise IndexError(f"index {index} out of range for a list of {size}")
        return index % size

    def insert(self, index: int, value: Any) -> None:
        """Insert ``value`` before ``index`` (clamped like ``list.insert``) and emit ``inserted``."""
        size = len(self._list)
        position = max(0, min(size, index if index >= 0 else size + index))
        self._list.insert(position, value)
        self.events.inserted.emit(index=position, value=value)

    def __delitem__(self, index) -> None:
        """Delete an item or a slice, emitting ``removed`` per item (from the end backwards)."""
        if isinstance(index, slice):
            for position in sorted(range(len(self._list))[index], reverse=True):
                del self[position]
            return
        position = self._normalise_index(index, len(self._list))
        value = self._list.pop(position)
        self.events.removed.emit(index=position, value=value)

    def __setitem__(self, index: int, value: Any) -> None:
        if isinstance(index, slice):
            raise TypeError(f"{type(self).__name__} does not support slice assignment")
        position = self._normalise_index(index, len(self._list))
        del self[position]
        self.insert(position, value)

    def move(self, src: int, dst: int) -> None:
        """Move the item at ``src`` so that it ends at index ``dst``; emit ``moved`` and ``reordered``.

        After ``move(src, dst)``, ``self[dst]`` is the item that was at ``src``. Moving an item
        onto itself emits nothing.
        """
        size = len(self._list)
        src, dst = self._normalise_index(src, size), self._normalise_index(dst, size)
        if src == dst:
            return
        value = self._list.pop(src)
        self._list.insert(dst, value)
        self.events.moved.emit(src=src, dst=dst, value=value)
        self.events.reordered.emit()

    def reverse(self) -> None:
        """Reverse in place and emit ``reordered``."""
        self._list.reverse()
        self.events.reordered.emit()
