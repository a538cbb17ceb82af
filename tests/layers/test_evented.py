"""Events and the evented list: every mutation tells its listeners exactly what happened."""
from __future__ import annotations

import gc

import pytest

from layers.evented import EmitterGroup, EventEmitter, EventedList


def recorder(events, names=("inserted", "removed", "moved", "reordered")):
    seen = []
    for name in names:
        getattr(events, name).connect(lambda event: seen.append(
            (event.type, *(getattr(event, key) for key in ("index", "src", "dst", "value") if hasattr(event, key)))))
    return seen


def test_emitter_passes_type_source_and_kwargs():
    owner = object()
    emitter = EventEmitter("visible", owner)
    received = []
    emitter.connect(received.append)
    emitter.emit(value=True)
    (event,) = received
    assert event.type == "visible" and event.source is owner and event.value is True


def test_connect_once_disconnect_and_order():
    emitter = EventEmitter("x")
    calls = []
    first, second = (lambda e: calls.append(1)), (lambda e: calls.append(2))
    emitter.connect(first)
    emitter.connect(second)
    emitter.connect(first)
    emitter.emit()
    assert calls == [1, 2]
    emitter.disconnect(first)
    emitter.emit()
    assert calls == [1, 2, 2]
    emitter.disconnect()
    emitter.emit()
    assert calls == [1, 2, 2]
    emitter.disconnect(first)  # unknown callback: ignored


def test_blocker_nests():
    emitter = EventEmitter("x")
    calls = []
    emitter.connect(calls.append)
    with emitter.blocker():
        with emitter.blocker():
            emitter.emit()
        emitter.emit()
        assert emitter.blocked
    emitter.emit()
    assert len(calls) == 1 and not emitter.blocked


def test_callback_may_disconnect_itself_while_emitting():
    emitter = EventEmitter("x")
    calls = []

    def once(event):
        calls.append("once")
        emitter.disconnect(once)

    emitter.connect(once)
    emitter.connect(lambda e: calls.append("other"))
    emitter.emit()
    emitter.emit()
    assert calls == ["once", "other", "other"]


def test_group_blocker_all():
    group = EmitterGroup(None, ["a", "b"])
    calls = []
    for emitter in group:
        emitter.connect(calls.append)
    with group.blocker_all():
        group.a.emit()
        group.b.emit()
    group.b.emit()
    assert [event.type for event in calls] == ["b"]
    assert group.names == ("a", "b")


def test_list_insert_append_events():
    items = EventedList(["a"])
    seen = recorder(items.events)
    items.append("b")
    items.insert(0, "z")
    items.insert(99, "end")
    items.insert(-1, "before end")
    assert list(items) == ["z", "a", "b", "before end", "end"]
    assert seen == [("inserted", 1, "b"), ("inserted", 0, "z"), ("inserted", 3, "end"),
                    ("inserted", 3, "before end")]


def test_list_remove_pop_delete_events():
    items = EventedList(["a", "b", "c", "d"])
    seen = recorder(items.events)
    items.remove("b")
    assert items.pop() == "d"
    del items[0]
    assert list(items) == ["c"]
    assert seen == [("removed", 1, "b"), ("removed", 2, "d"), ("removed", 0, "a")]
    with pytest.raises(ValueError):
        items.remove("zzz")
    with pytest.raises(IndexError):
        del items[5]


def test_slice_delete_and_replace():
    items = EventedList(list("abcde"))
    seen = recorder(items.events)
    del items[1:4]
    assert list(items) == ["a", "e"]
    assert seen == [("removed", 3, "d"), ("removed", 2, "c"), ("removed", 1, "b")]
    seen.clear()
    items[-1] = "E"
    assert list(items) == ["a", "E"]
    assert seen == [("removed", 1, "e"), ("inserted", 1, "E")]
    assert items[0:2] == ["a", "E"]


def test_move_puts_the_item_at_dst():
    items = EventedList(list("abcd"))
    seen = recorder(items.events)
    items.move(0, 2)
    assert list(items) == ["b", "c", "a", "d"]
    items.move(3, 0)
    assert list(items) == ["d", "b", "c", "a"]
    items.move(-1, 1)
    assert list(items) == ["d", "a", "b", "c"]
    assert seen == [("moved", 0, 2, "a"), ("reordered",), ("moved", 3, 0, "d"), ("reordered",),
                    ("moved", 3, 1, "a"), ("reordered",)]
    seen.clear()
    items.move(2, 2)
    assert seen == []
    with pytest.raises(IndexError):
        items.move(0, 4)


def test_reverse_and_index_contains():
    items = EventedList([1, 2, 3])
    seen = recorder(items.events)
    items.reverse()
    assert list(items) == [3, 2, 1] and seen == [("reordered",)]
    assert items.index(1) == 2 and 2 in items and 5 not in items and len(items) == 3


def test_a_view_is_not_kept_alive_by_the_model():
    emitter = EventEmitter("changed")

    class View:
        def __init__(self):
            self.seen = []

        def on_changed(self, event):
            self.seen.append(event.type)

    view = View()
    emitter.connect(view.on_changed)
    emitter.emit()
    assert view.seen == ["changed"] and len(emitter) == 1
    del view
    gc.collect()
    assert len(emitter) == 0 and emitter       # no listeners left, and still an emitter
    emitter.emit()  # nothing left to call


def test_a_callback_error_reaches_the_caller_as_itself():
    emitter = EventEmitter("changed")

    def fails(event):
        raise KeyError("the layer is gone")

    emitter.connect(fails)
    with pytest.raises(KeyError, match="the layer is gone"):
        emitter.emit()
