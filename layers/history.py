"""Undo and redo for what the user does to the map and the scoring set-up (no Qt).

:class:`History` watches the model's events and records each user change as a
:class:`Change` that can be undone and redone: layers added, removed or moved; a layer's
style, role, name, visibility, opacity or field mapping; any change of the scoring set-up. The
changes inside one ``LayerList.batch()`` (an "open files" or a "remove") become one step. The GUI
wraps each recorded change in a ``QUndoCommand`` (Ctrl+Z / Ctrl+Shift+Z); nothing here knows Qt.

Examples
--------
>>> from layers.layer import Layer, LayerList
>>> from layers.scoring_setup import ScoringSetup
>>> layers = LayerList([Layer("a"), Layer("b")])
>>> history = History(layers, ScoringSetup())
>>> steps = []
>>> _ = history.events.recorded.connect(lambda event: steps.append(event.change))
>>> layers.remove(layers[0])
>>> steps[0].text, [layer.name for layer in layers]
('Remove layer a', ['b'])
>>> steps[0].undo(); [layer.name for layer in layers]
['a', 'b']
"""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from layers.evented import EmitterGroup, Event
from layers.layer import Layer, LayerList
from layers.scoring_setup import ScoringSetup
from layers.style import style_from_dict

# Layer attributes undone by assigning the old value back: (event name, snapshot, restore).
_ATTRIBUTES: dict[str, tuple[Callable, Callable]] = {
    "style": (lambda layer: layer.style.to_dict(), lambda layer, value: setattr(layer, "style", style_from_dict(value))),
    "role": (lambda layer: layer.role, lambda layer, value: setattr(layer, "role", value)),
    "name": (lambda layer: layer.name, lambda layer, value: setattr(layer, "name", value)),
    "visible": (lambda layer: layer.visible, lambda layer, value: setattr(layer, "visible", value)),
    "opacity": (lambda layer: layer.opacity, lambda layer, value: setattr(layer, "opacity", value)),
    "fields": (lambda layer: dict(layer.fields), lambda layer, value: setattr(layer, "fields", dict(value))),
}
_WORDS = {"style": "Style of", "role": "Role of", "name": "Rename", "visible": "Show/hide",
          "opacity": "Opacity of", "fields": "Field mapping of"}


class Change:
    """One undoable step: ``text`` says what it was; ``undo()`` and ``redo()`` apply it."""

    def __init__(self, text: str, undo: list[Callable[[], None]], redo: list[Callable[[], None]], history: "History"):
        self.text = text
        self._undo, self._redo, self._history = undo, redo, history

    def undo(self) -> None:
        with self._history.replaying():
            for step in reversed(self._undo):
                step()

    def redo(self) -> None:
        with self._history.replaying():
            for step in self._redo:
                step()


class History:
    """See the module docstring. Events: ``recorded(change)``."""

    def __init__(self, layer_list: LayerList, setup: ScoringSetup):
        self.events = EmitterGroup(self, ("recorded",))
        self.layer_list = layer_list
        self.setup = setup
        self._replaying = 0
        self._suspended = 0
        self._snapshots: dict[str, dict] = {}
        self._pending: list[tuple[str, Callable, Callable]] = []
        self._setup_state = setup.state()
        for layer in layer_list:
            self._snapshot(layer)
        events = layer_list.events
        events.inserted.connect(self._on_inserted)
        events.removed.connect(self._on_removed)
        events.moved.connect(self._on_moved)
        events.layer_changed.connect(self._on_layer_changed)
        events.changed.connect(self._close_step)
        setup.events.changed.connect(self._on_setup_changed)

    @contextlib.contextmanager
    def replaying(self) -> Iterator[None]:
        """Changes made inside are an undo or a redo: not recorded again."""
        self._replaying += 1
        try:
            yield
        finally:
            self._replaying -= 1
            self._pending.clear()
            self._setup_state = self.setup.state()
            for layer in self.layer_list:
                self._snapshot(layer)

    @contextlib.contextmanager
    def suspended(self) -> Iterator[None]:
        """Changes made inside are the program's own (a score's results layer): not undoable."""
        self._suspended += 1
        try:
            yield
        finally:
            self._suspended -= 1
            for layer in self.layer_list:
                self._snapshot(layer)

    @property
    def recording(self) -> bool:
        return not (self._replaying or self._suspended)

    def _snapshot(self, layer: Layer) -> None:
        self._snapshots[layer.id] = {name: take(layer) for name, (take, _put) in _ATTRIBUTES.items()}

    def _on_inserted(self, event: Event) -> None:
        layer = event.value
        self._snapshot(layer)
        if self.recording:
            self._pending.append((f"Add layer {layer.name}", lambda: self.layer_list.remove(layer),
                                  lambda index=event.index: self.layer_list.insert(index, layer)))

    def _on_removed(self, event: Event) -> None:
        layer = event.value
        if self.recording:
            self._pending.append((f"Remove layer {layer.name}",
                                  lambda index=event.index: self.layer_list.insert(index, layer),
                                  lambda: self.layer_list.remove(layer)))

    def _on_moved(self, event: Event) -> None:
        if self.recording:
            self._pending.append((f"Move layer {event.value.name}",
                                  lambda: self.layer_list.move(event.dst, event.src),
                                  lambda: self.layer_list.move(event.src, event.dst)))

    def _on_layer_changed(self, event: Event) -> None:
        layer, what = event.layer, event.what
        if what not in _ATTRIBUTES:
            return
        take, put = _ATTRIBUTES[what]
        before = self._snapshots.setdefault(layer.id, {}).get(what)
        after = take(layer)
        self._snapshots[layer.id][what] = after
        if self.recording and before != after:
            self._pending.append((f"{_WORDS[what]} {layer.name}", lambda: put(layer, before), lambda: put(layer, after)))

    def _close_step(self, _event: Event | None = None) -> None:
        if not self._pending:
            return
        steps, self._pending = self._pending, []
        texts = list(dict.fromkeys(text for text, _undo, _redo in steps))
        text = texts[0] if len(texts) == 1 else f"{texts[0]} and {len(steps) - 1} more"
        self._emit(Change(text, [undo for _t, undo, _r in steps], [redo for _t, _u, redo in steps], self))

    def _on_setup_changed(self, event: Event) -> None:
        before, after = self._setup_state, self.setup.state()
        self._setup_state = after
        if self.recording and before != after and event.what != "restored":
            self._emit(Change(f"Scoring set-up: {event.what}", [lambda: self.setup.set_state(before)],
                              [lambda: self.setup.set_state(after)], self))

    def _emit(self, change: Change) -> None:
        self.events.recorded.emit(change=change)
