"""A message bar over the map, as QGIS has: what went wrong, one line, never a dialog in the way.

Opening fifty files of which twelve fail gives one bar ("12 problems: the first, … Details…"),
not twelve boxes; the work goes on beneath it. The details (every line) open in a non-modal box
on demand; a new problem replaces the bar's text and the count, and × hides it.
"""
from __future__ import annotations

from typing import Optional, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

#: (background, border, text) of a warning and of a note.
BAR_COLOURS = {"warning": ("#fde7e9", "#e8a0a8", "#5c0011"), "info": ("#e6f0fb", "#9dbde6", "#0b2f5c")}


class MessageBar(QWidget):
    """One line per batch of problems: the title, the first problem, how many more, Details…, ×."""

    detailsRequested = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_bar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.level = "warning"
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("Details…")
        self.details_button.clicked.connect(self.detailsRequested)
        close = QToolButton()
        close.setText("×")
        close.setToolTip("Hide this message (Details stay in the box until the next problem)")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.details_button)
        row.addWidget(close)
        self.hide()

    def show_problems(self, title: str, lines: Sequence[str], level: str = "warning") -> None:
        """Show ``title``, the first line and how many more there are, coloured by ``level``
        ("warning" or "info")."""
        if not lines:
            return
        self.level = level
        background, border, text = BAR_COLOURS[level]
        self.setStyleSheet(f"QWidget#message_bar {{ background: {background}; border-bottom: 1px solid {border}; }}"
                           f" QLabel {{ color: {text}; }}")
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        self.label.setText(f"{title}: {lines[0]}{more}")
        self.label.setToolTip("\n".join(lines[:20]))
        self.show()
