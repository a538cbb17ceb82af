"""Identify results (bottom dock): the attributes of the features under the cursor and raster
pixel values, grouped by layer. All text is plain (attributes are untrusted)."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from gui.attribute_table import format_cell

HIT_ROLE = Qt.ItemDataRole.UserRole


def _feature_title(hit) -> str:
    """The feature named by its name field (mapped, else a column called like "name", "NAME",
    "st_nm", "Name of ..."), with its number; "Feature N" only when nothing names it."""
    attributes = dict(hit.attributes)
    fields = getattr(hit.layer, "fields", {}) or {}
    mapped = [fields.get(key) for key in ("name", "block_name", "block_id", "state", "district")]
    named_like = [column for column in attributes if "name" in str(column).lower() or str(column).lower().endswith("_nm")]
    for column in [*filter(None, mapped), *named_like]:
        if format_cell(attributes.get(column)):
            return f"{format_cell(attributes[column])} (feature {hit.index + 1})"
    return f"Feature {hit.index + 1}"


def _raster_values(hit) -> list[tuple[str, str]]:
    values = hit.values
    if isinstance(values, dict):
        return [(str(band), format_cell(value)) for band, value in values.items()]
    return [(f"Band {band}", format_cell(value)) for band, value in enumerate(values, start=1)]


class IdentifyPanel(QWidget):
    """A two-column tree: layer ▸ feature ▸ field = value; raster layers list band values.

    Signals
    -------
    featureActivated(layer, index)
        A feature row was clicked (the window highlights it on the map).
    """

    featureActivated = Signal(object, int)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.hint = QLabel("Choose Identify in the map toolbar and click on the map.")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Feature / field", "Value"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().resizeSection(0, 240)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemClicked.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.tree)

    def show_hits(self, hits: list) -> None:
        """Replace the results with these ``IdentifyHit`` / ``RasterHit`` objects."""
        self.tree.clear()
        by_layer: dict[int, QTreeWidgetItem] = {}
        for hit in hits:
            parent = by_layer.get(id(hit.layer))
            if parent is None:
                parent = QTreeWidgetItem([hit.layer.name, ""])
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                self.tree.addTopLevelItem(parent)
                by_layer[id(hit.layer)] = parent
            if hasattr(hit, "attributes"):
                parent.addChild(self._feature_item(hit))
            else:
                for band, value in _raster_values(hit):
                    parent.addChild(QTreeWidgetItem([band, value]))
        for index in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(index).setExpanded(True)
        first = self.tree.topLevelItem(0)
        if first is not None and first.childCount():
            first.child(0).setExpanded(True)
        count = sum(1 for hit in hits if hasattr(hit, "attributes"))
        self.hint.setText(f"{count} feature{'s' if count != 1 else ''} under the cursor" if hits
                          else "Nothing here. Click on a feature or a raster.")

    def _feature_item(self, hit) -> QTreeWidgetItem:
        item = QTreeWidgetItem([_feature_title(hit), ""])
        item.setData(0, HIT_ROLE, hit)
        for field, value in dict(hit.attributes).items():
            item.addChild(QTreeWidgetItem([str(field), format_cell(value)]))
        return item

    def rows(self) -> list[tuple[str, str]]:
        """Every (field, value) row shown, depth first (what a person reads)."""
        found = []
        stack = [self.tree.topLevelItem(i) for i in reversed(range(self.tree.topLevelItemCount()))]
        while stack:
            item = stack.pop()
            found.append((item.text(0), item.text(1)))
            stack.extend(item.child(i) for i in reversed(range(item.childCount())))
        return found

    def _on_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        while item is not None and item.data(0, HIT_ROLE) is None:
            item = item.parent()
        if item is not None:
            hit = item.data(0, HIT_ROLE)
            self.featureActivated.emit(hit.layer, int(hit.index))
