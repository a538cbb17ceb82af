"""The live verdict beside the canvas: the gates, conditions and score of the block being drawn
or edited, with the score broken down per criterion, recomputed on every edit by :class:`assessment.live.LiveVerdict` (the scorer's own
code), and on the map the protected areas' 1 km and 10 km zones and the forest inside the block.

Every word shown is a cell of the score row (``gate_<g>``, ``gate_<g>_finding``, ``conditions``,
``nearest_protected_name`` …); the panel formats, it does not judge.
"""
from __future__ import annotations

import json
from typing import Optional

import geopandas as gpd
from PySide6 import QtCore, QtGui, QtWidgets

from assessment.report import criteria_lines
from gui.canvas_tools import PathItem
from gui.edit_tools import polygon_path
from layers.style import READINESS_COLOURS

GATES = (("stage", "Stage"), ("protected", "Protected areas"), ("state", "Listed state"))
GATE_COLOURS = {"pass": "#1a9641", "fail": "#d7191c", "unknown": "#8c8c8c"}
ZONE_STYLE = {  # overlay: (pen colour, fill alpha, z)
    "nbwl_zone": ("#fdae61", 30, 1_500_000),
    "buffer_zone": ("#d7191c", 45, 1_500_001),
    "forest_inside": ("#1b7837", 120, 1_500_002),
}


class VerdictOverlay:
    """The zones and the forest inside the block, drawn on the canvas (display CRS)."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.items: dict[str, PathItem] = {}
        for name, (colour, alpha, z) in ZONE_STYLE.items():
            item = PathItem()
            item.setZValue(z)
            pen = QtGui.QPen(QtGui.QColor(colour), 1.5, QtCore.Qt.PenStyle.DashLine if "zone" in name
                             else QtCore.Qt.PenStyle.SolidLine)
            pen.setCosmetic(True)
            item.setPen(pen)
            fill = QtGui.QColor(colour)
            fill.setAlpha(alpha)
            item.setBrush(fill)
            canvas.viewbox.addItem(item, ignoreBounds=True)
            self.items[name] = item

    def show(self, overlays) -> None:
        """Draw :class:`assessment.live.Overlays` (given in any CRS; moved to the display CRS)."""
        for name, item in self.items.items():
            geometry = getattr(overlays, name) if overlays is not None else None
            item.setPath(polygon_path(geometry) if geometry is not None else QtGui.QPainterPath())

    def clear(self) -> None:
        self.show(None)

    def remove(self) -> None:
        for item in self.items.values():
            self.canvas.viewbox.removeItem(item)


class LiveVerdictPanel(QtWidgets.QWidget):
    """Shows one score row: readiness and score, each gate with its finding, the conditions, the
    nearest protected area, the block's area, and each criterion's measure, sub-score, weight and
    points (:func:`assessment.report.criteria_lines`, the lines the readiness panel shows)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        self.title = QtWidgets.QLabel("Draw or edit a block to see its verdict as you work.")
        self.title.setWordWrap(True)
        self.readiness = QtWidgets.QLabel()
        self.readiness.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.readiness.setMinimumHeight(30)
        layout.addWidget(self.title)
        layout.addWidget(self.readiness)
        self.gate_labels: dict[str, QtWidgets.QLabel] = {}
        gates = QtWidgets.QGroupBox("Gates")
        form = QtWidgets.QVBoxLayout(gates)
        for gate, label in GATES:
            text = QtWidgets.QLabel()
            text.setWordWrap(True)
            text.setTextFormat(QtCore.Qt.TextFormat.RichText)
            form.addWidget(text)
            self.gate_labels[gate] = text
        layout.addWidget(gates)
        self.nearest = QtWidgets.QLabel()
        self.nearest.setWordWrap(True)
        layout.addWidget(self.nearest)
        self.conditions = QtWidgets.QLabel()
        self.conditions.setWordWrap(True)
        layout.addWidget(self.conditions)
        self.measures = QtWidgets.QLabel()
        self.measures.setWordWrap(True)
        layout.addWidget(self.measures)
        breakdown = QtWidgets.QGroupBox("Score breakdown")
        breakdown.setToolTip("Each criterion: what was measured — sub-score × weight → points of the score")
        self.criteria = QtWidgets.QLabel()
        self.criteria.setWordWrap(True)
        self.criteria.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        QtWidgets.QVBoxLayout(breakdown).addWidget(self.criteria)
        layout.addWidget(breakdown)
        self.timing = QtWidgets.QLabel()
        self.timing.setStyleSheet("color: #666;")
        layout.addWidget(self.timing)
        layout.addStretch(1)
        self.row: Optional[dict] = None
        self.setMinimumWidth(300)

    def show_row(self, row, label: str, elapsed_ms: float) -> None:
        """Show a score row (a mapping of the score table's columns)."""
        self.row = dict(row)
        self.title.setText(f"<b>{label}</b> — {row['area_ha']:,.2f} ha, as of {row['as_of']}")
        colour = READINESS_COLOURS.get(row["readiness"], "#cccccc")
        self.readiness.setText(f"{row['readiness']} · score {row['score']:.1f}")
        self.readiness.setStyleSheet(f"background: {colour}; color: white; font-weight: bold; padding: 4px;")
        for gate, label_text in GATES:
            status = row[f"gate_{gate}"]
            self.gate_labels[gate].setText(
                f"<span style='color:{GATE_COLOURS.get(status, '#000')}; font-weight:bold'>{label_text}: {status}</span>"
                f" — {row[f'gate_{gate}_finding']}")
        name, km = row.get("nearest_protected_name") or "", row.get("nearest_protected_km")
        self.nearest.setText(f"Nearest national park or sanctuary: {name}, {km:,.2f} km" if name else
                             "No national park or sanctuary in the protected-area layer.")
        conditions = json.loads(row["conditions"]) if row.get("conditions") else []
        self.conditions.setText("Conditions: " + "; ".join(c["text"] for c in conditions) if conditions
                                else "No conditions apply.")
        forest = row.get("forest_ha")
        self.measures.setText(f"Forest inside: {forest:,.2f} ha ({row.get('forest_pct', 0):,.1f} %)"
                              if forest is not None and forest == forest else "")
        self.criteria.setText("\n".join(f"• {line}" for line in criteria_lines(row)))
        self.timing.setText(f"recomputed in {elapsed_ms:.0f} ms")

    def clear(self, text: str = "Draw or edit a block to see its verdict as you work.") -> None:
        self.row = None
        self.title.setText(text)
        self.readiness.setText("")
        self.readiness.setStyleSheet("")
        for label in self.gate_labels.values():
            label.setText("")
        for label in (self.nearest, self.conditions, self.measures, self.criteria, self.timing):
            label.setText("")


def one_block(geometry, crs, attributes: dict) -> gpd.GeoDataFrame:
    """A one-row blocks frame for the live verdict of a block being drawn."""
    return gpd.GeoDataFrame([attributes] if attributes else [{}], geometry=[geometry], crs=crs)
