"""Tall panels in docks that never set the window's minimum size."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def scrollable(panel: QWidget) -> QScrollArea:
    """``panel`` in a scroll area, so a tall panel never sets the window's minimum height.

    It scrolls vertically only, so the area is never narrower than the panel's minimum width
    plus the scroll bar (a narrower dock would cut the panel's right side off).
    """
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(panel)
    panel_width = max(panel.minimumWidth(), panel.minimumSizeHint().width())
    area.setMinimumWidth(panel_width + area.verticalScrollBar().sizeHint().width())
    return area
