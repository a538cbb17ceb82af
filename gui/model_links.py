"""Links from the Qt-free layer model to Qt widgets that end with the widget.

The model (``layers.evented``) keeps plain Python callbacks. A widget that subscribes and is later
deleted (a closed dialog, a second window over the same layer list) would leave a callback behind
that calls into a deleted C++ object; :func:`listen_while_alive` removes it when the widget goes.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject


def listen_while_alive(widget: QObject, emitter, callback: Callable) -> None:
    """Connect ``callback`` to the model ``emitter`` until ``widget`` is destroyed."""
    emitter.connect(callback)
    widget.destroyed.connect(lambda *_: emitter.disconnect(callback))
