"""The measure panel (bottom dock), as QGIS's measure window: each segment's geodesic length and
the total, with units; Esc on the map or "New measurement" starts again."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from gui.canvas_tools import format_length_km

NOT_MEASURING = "Choose Measure distance or Measure area, then click on the map; double-click ends, Esc cancels."


class MeasurePanel(QWidget):
    """Segments and total of the canvas's current measurement (``canvas.tools``)."""

    def __init__(self, canvas, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.segments = QListWidget()
        self.total = QLabel(NOT_MEASURING)
        self.total.setTextFormat(Qt.TextFormat.PlainText)
        self.total.setWordWrap(True)
        self.new_button = QPushButton("New measurement")
        self.new_button.clicked.connect(canvas.cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.segments, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignLeft)
        canvas.measured.connect(lambda _text: self.refresh())

    def refresh(self) -> None:
        """Show the canvas's measurement now."""
        tools = self.canvas.tools
        lengths = tools.segment_lengths_km()
        self.segments.clear()
        for number, length in enumerate(lengths, start=1):
            self.segments.addItem(f"Segment {number}: {format_length_km(length)}")
        text = tools.measure_text()
        if not text:
            self.total.setText(NOT_MEASURING)
        elif tools.tool == "measure_area":
            self.total.setText(f"Area: {text}; perimeter {format_length_km(sum(lengths))}")
        else:
            self.total.setText(f"Total: {text}")
