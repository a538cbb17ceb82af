"""The layer style dialog: edits a copy of a :mod:`layers.style` object and gives it back to the
layer on Apply / OK (so the canvas, the legend and every export follow the same spec).

Vector layers: one colour, or categories of a field (UNFC stage G1–G4 read in any notation, or the
field's own values), each with colour, label and visibility; point size graduated by a numeric
field (tonnage); labels from a field. Raster layers: colour ramp, stretch and band.
"""
from __future__ import annotations

import copy
from typing import Optional

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QColorDialog, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
    QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox, QStackedWidget,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from layers.style import (
    CategorisedStyle, Category, RasterStyle, SingleStyle, default_style_for, resolve_classes, unfc_stage_style,
)

from gui.layer_tree import swatch

NO_FIELD = "(none)"
STAGE_CLASSIFIER = "UNFC stage G1–G4 (any notation: 331, E2F2G3, Inferred…)"
VALUE_CLASSIFIER = "Each value of the field"
# Okabe-Ito, then ColorBrewer Dark2: distinct, legible on white.
VALUE_PALETTE = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000",
                 "#1b9e77", "#7570b3", "#e7298a", "#66a61e")
RAMPS = ("CET-D1", "viridis", "magma", "inferno", "plasma", "cividis", "turbo", "gray")


def value_style(field: str, values: pd.Series, template: Optional[CategorisedStyle] = None) -> CategorisedStyle:
    """One category per distinct value (most frequent first, then alphabetical; up to the
    palette's length)."""
    counts = values.astype("string").str.strip().dropna().value_counts().sort_index()
    counts = counts.sort_values(ascending=False, kind="stable")
    categories = [Category(str(value), VALUE_PALETTE[i], str(value))
                  for i, value in enumerate(counts.index[:len(VALUE_PALETTE)])]
    style = copy.deepcopy(template) if template is not None else CategorisedStyle(field, [])
    style.field, style.categories, style.classifier = field, categories, "value"
    style.other_label = "other values" if len(counts) > len(VALUE_PALETTE) else "no value"
    return style


class ColourButton(QPushButton):
    """A button showing a colour; clicking opens the colour chooser."""

    def __init__(self, colour: str, geometry_kind: Optional[str] = None, parent=None) -> None:
        super().__init__(parent)
        self.geometry_kind = geometry_kind
        self.setFixedWidth(72)
        self.set_colour(colour)
        self.clicked.connect(self._choose)

    def set_colour(self, colour: str) -> None:
        self.colour = colour
        self.setIcon(swatch(resolve_classes(SingleStyle(colour=colour, fill_opacity=1.0))[0], self.geometry_kind))
        self.setText(colour)

    def _choose(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.colour), self, "Choose a colour")
        if chosen.isValid():
            self.set_colour(chosen.name())


def _field_combo(columns: list[str], current: Optional[str], allow_none: bool) -> QComboBox:
    combo = QComboBox()
    if allow_none:
        combo.addItem(NO_FIELD, None)
    for column in columns:
        combo.addItem(column, column)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    return combo


class CategoryTable(QTableWidget):
    """Visible / colour / value / label of each category, plus the "other" row."""

    HEADERS = ("Show", "Colour", "Value", "Legend label")

    def __init__(self, geometry_kind: Optional[str], parent=None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.geometry_kind = geometry_kind
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)

    def show_style(self, style: CategorisedStyle) -> None:
        rows = [(c.visible, c.colour, c.value, c.label) for c in style.categories]
        rows.append((style.other_visible, style.other_colour, "(other)", style.other_label))
        self.setRowCount(len(rows))
        for row, (visible, colour, value, label) in enumerate(rows):
            shown = QTableWidgetItem()
            shown.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            shown.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
            self.setItem(row, 0, shown)
            self.setCellWidget(row, 1, ColourButton(colour, self.geometry_kind))
            value_item = QTableWidgetItem(value)
            value_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(row, 2, value_item)
            self.setItem(row, 3, QTableWidgetItem(label))

    def apply_to(self, style: CategorisedStyle) -> None:
        """Write the table's visibility, colours and labels into ``style`` (same categories)."""
        for row in range(self.rowCount()):
            visible = self.item(row, 0).checkState() == Qt.CheckState.Checked
            colour = self.cellWidget(row, 1).colour
            label = self.item(row, 3).text()
            if row < len(style.categories):
                category = style.categories[row]
                category.visible, category.colour, category.label = visible, colour, label
            else:
                style.other_visible, style.other_colour, style.other_label = visible, colour, label


class VectorStylePage(QWidget):
    """Controls for a vector layer's style."""

    def __init__(self, layer, parent=None) -> None:
        super().__init__(parent)
        self.layer = layer
        frame = layer.data
        geometry = getattr(getattr(frame, "geometry", None), "name", None)
        self.columns = [str(c) for c in frame.columns if c != geometry] if isinstance(frame, pd.DataFrame) else []
        self.numeric_columns = [c for c in self.columns if pd.api.types.is_numeric_dtype(frame[c])]
        style = copy.deepcopy(layer.style)
        self._categorised = style if isinstance(style, CategorisedStyle) else None
        single = style if isinstance(style, SingleStyle) else SingleStyle()
        reference = self._categorised or single

        self.kind = QComboBox()
        self.kind.addItems(["One colour", "Categories of a field"])
        self.pages = QStackedWidget()
        self.pages.addWidget(self._single_page(single))
        self.pages.addWidget(self._categorised_page())
        self.kind.currentIndexChanged.connect(self._on_kind)

        self.opacity = QDoubleSpinBox()
        self.opacity.setRange(0.0, 1.0)
        self.opacity.setSingleStep(0.05)
        self.opacity.setValue(float(reference.fill_opacity))
        self.point_size = QDoubleSpinBox()
        self.point_size.setRange(1.0, 60.0)
        self.point_size.setValue(float(reference.point_size))
        self.point_size.setSuffix(" px")
        self.size_field = _field_combo(self.numeric_columns, getattr(self._categorised, "size_field", None), True)
        self.size_min = QDoubleSpinBox()
        self.size_max = QDoubleSpinBox()
        for box, value in zip((self.size_min, self.size_max), getattr(self._categorised, "size_range", (5.0, 18.0))):
            box.setRange(1.0, 80.0)
            box.setSuffix(" px")
            box.setValue(float(value))
        self.label_field = _field_combo(self.columns, reference.label_field, True)

        symbol = QGroupBox("Symbols")
        symbol_form = QFormLayout(symbol)
        symbol_form.addRow("Fill opacity:", self.opacity)
        if layer.geometry_kind in ("point", "mixed", None):
            symbol_form.addRow("Point size:", self.point_size)
            size_row = QHBoxLayout()
            size_row.addWidget(self.size_field, 1)
            size_row.addWidget(QLabel("from"))
            size_row.addWidget(self.size_min)
            size_row.addWidget(QLabel("to"))
            size_row.addWidget(self.size_max)
            symbol_form.addRow("Size by (graduated):", size_row)
        symbol_form.addRow("Label features with:", self.label_field)

        top = QFormLayout()
        top.addRow("Draw with:", self.kind)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addWidget(symbol)
        self.kind.setCurrentIndex(1 if self._categorised is not None else 0)
        self._on_kind(self.kind.currentIndex())

    def _single_page(self, single: SingleStyle) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.colour = ColourButton(single.colour, self.layer.geometry_kind)
        self.stroke = ColourButton(single.stroke_colour, "line")
        self.line_width = QDoubleSpinBox()
        self.line_width.setRange(0.0, 10.0)
        self.line_width.setSingleStep(0.2)
        self.line_width.setValue(float(single.line_width))
        form.addRow("Colour:", self.colour)
        form.addRow("Outline:", self.stroke)
        form.addRow("Line width:", self.line_width)
        return page

    def _categorised_page(self) -> QWidget:
        page = QWidget()
        current = self._categorised
        stage_field = self.layer.fields.get("unfc") or self.layer.fields.get("stage") if self.layer.fields else None
        self.field = _field_combo(self.columns, current.field if current else stage_field, False)
        self.classifier = QComboBox()
        self.classifier.addItem(STAGE_CLASSIFIER, "unfc_stage")
        self.classifier.addItem(VALUE_CLASSIFIER, "value")
        if current is not None:
            self.classifier.setCurrentIndex(self.classifier.findData(current.classifier))
        classify = QPushButton("Classify")
        classify.setToolTip("Rebuild the categories from the chosen field")
        classify.clicked.connect(self.reclassify)
        self.categories = CategoryTable(self.layer.geometry_kind)
        form = QFormLayout()
        form.addRow("Field:", self.field)
        row = QHBoxLayout()
        row.addWidget(self.classifier, 1)
        row.addWidget(classify)
        form.addRow("Classes:", row)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.categories, 1)
        if current is not None:
            self.categories.show_style(current)
        return page

    def _on_kind(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        if index == 1 and self._categorised is None and self.columns:
            self.reclassify()

    def reclassify(self) -> None:
        """New categories from the field and classifier chosen (colours from the shared palette)."""
        field = self.field.currentData()
        if field is None:
            return
        if self.classifier.currentData() == "unfc_stage":
            self._categorised = unfc_stage_style(field)
        else:
            self._categorised = value_style(field, self.layer.data[field], self._categorised)
        self.categories.show_style(self._categorised)

    def style(self):
        """The style as the controls describe it (a new object)."""
        label_field = self.label_field.currentData()
        if self.kind.currentIndex() == 0:
            return SingleStyle(colour=self.colour.colour, stroke_colour=self.stroke.colour,
                               fill_opacity=self.opacity.value(), point_size=self.point_size.value(),
                               line_width=self.line_width.value(), label_field=label_field)
        if self._categorised is None:
            self.reclassify()
        style = copy.deepcopy(self._categorised)
        self.categories.apply_to(style)
        style.fill_opacity = self.opacity.value()
        style.point_size = self.point_size.value()
        style.size_field = self.size_field.currentData()
        style.size_range = (self.size_min.value(), max(self.size_min.value(), self.size_max.value()))
        style.label_field = label_field
        return style


class RasterStylePage(QWidget):
    """Colour ramp, stretch and band of a raster layer."""

    def __init__(self, layer, parent=None) -> None:
        super().__init__(parent)
        style = layer.style if isinstance(layer.style, RasterStyle) else RasterStyle()
        self.colormap = QComboBox()
        self.colormap.addItems(list(dict.fromkeys((style.colormap, *RAMPS))))
        self.colormap.setCurrentText(style.colormap)
        self.automatic = QCheckBox("Stretch over the band's own range")
        self.automatic.setChecked(style.vmin is None and style.vmax is None)
        self.vmin, self.vmax = QDoubleSpinBox(), QDoubleSpinBox()
        for box, value in ((self.vmin, style.vmin), (self.vmax, style.vmax)):
            box.setRange(-1e12, 1e12)
            box.setDecimals(3)
            box.setValue(0.0 if value is None else float(value))
        self.band = QSpinBox()
        self.band.setRange(1, max(1, int(getattr(layer.data, "count", 1) or 1)))
        self.band.setValue(style.band)
        self.automatic.toggled.connect(lambda on: (self.vmin.setDisabled(on), self.vmax.setDisabled(on)))
        self.automatic.toggled.emit(self.automatic.isChecked())
        form = QFormLayout(self)
        form.addRow("Colour ramp:", self.colormap)
        form.addRow("Band:", self.band)
        form.addRow("", self.automatic)
        form.addRow("Lowest value:", self.vmin)
        form.addRow("Highest value:", self.vmax)

    def style(self) -> RasterStyle:
        automatic = self.automatic.isChecked()
        return RasterStyle(colormap=self.colormap.currentText(),
                           vmin=None if automatic else self.vmin.value(),
                           vmax=None if automatic else self.vmax.value(), band=self.band.value())


class StyleDialog(QDialog):
    """Style one layer; Apply and OK set ``layer.style`` (Reset offers the default style)."""

    def __init__(self, layer, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.setWindowTitle(f"Style — {layer.name}")
        self.page = RasterStylePage(layer) if layer.kind == "raster" else VectorStylePage(layer)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_default)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        layout.addWidget(buttons)
        self.resize(560, 560 if layer.kind != "raster" else 260)

    def apply(self) -> None:
        self.layer.style = self.page.style()

    def accept(self) -> None:
        self.apply()
        super().accept()

    def restore_default(self) -> None:
        self.layer.style = default_style_for(self.layer)
        self.reject()
