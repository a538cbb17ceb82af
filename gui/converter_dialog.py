"""UNFC ⇄ JORC converter dialog: one code converted live as it is typed, or a whole column of a
layer converted into new columns with the ambiguous rows highlighted.

Every answer comes from :func:`assessment.convert` / :func:`assessment.convert_column`, the same
functions as ``khanij convert``; this dialog only shows them.
"""
from __future__ import annotations

from typing import Optional

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QSizePolicy, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from assessment import convert, convert_column
from geo.errors import KhanijError
from gui.attribute_table import FrameModel, fit_columns

TARGETS = (("Automatic (JORC for UNFC and India codes, India codes for JORC names)", None),
           ("JORC / CRIRSCO", "jorc"), ("UNFC-2009/2019 (E-F-G)", "unfc"), ("India three-digit code", "india"),
           ("Exploration stage G1–G4", "stage"))

STATUS_TEXT = {
    "exact": ("Exact", "#1b7837", "One equivalent category."),
    "ambiguous": ("Ambiguous", "#b35806", "Not one-to-one: read the explanation."),
    "no_equivalent": ("No equivalent", "#4d4d4d", "The other scheme has no matching category."),
    "invalid": ("Not a code", "#b2182b", "This text is not a code Khanij can read."),
}

#: Widest a converted column opens (long notes are elided; the user can widen the column).
COLUMN_MAX_PX = 220

NOTATIONS = {"india": "India's three-digit UNFC code", "unfc": "UNFC-2009/2019 code (E F G)",
             "jorc": "JORC / CRIRSCO category", "stage": "Exploration stage (G1–G4)", "invalid": "not readable"}


def _plain(text: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)
    return label


def _target_combo() -> QComboBox:
    combo = QComboBox()
    for text, value in TARGETS:
        combo.addItem(text, value)
    return combo


class SingleCodePage(QWidget):
    """Type a code, see result, status, alternatives and the explanation at once."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.code = QLineEdit()
        self.code.setPlaceholderText("e.g. 331, 222, 121, E1F1G1, 111 (Proved), Indicated")
        self.code.setClearButtonEnabled(True)
        self.target = _target_combo()
        self.result = _plain()
        big = QFont(self.result.font())
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        self.result.setFont(big)
        self.status = _plain()
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setMinimumWidth(120)
        self.status.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.status_meaning = _plain(wrap=True)
        self.notation = _plain(wrap=True)
        self.alternatives = _plain(wrap=True)
        self.note = _plain(wrap=True)
        self.note.setMinimumHeight(60)
        self.note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Code or category:", self.code)
        form.addRow("Convert to:", self.target)
        answer = QGroupBox("Result")
        answer_form = QFormLayout(answer)
        answer_form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status)
        status_row.addWidget(self.status_meaning, 1)
        answer_form.addRow("Equivalent:", self.result)
        answer_form.addRow("Status:", status_row)
        answer_form.addRow("Read as:", self.notation)
        answer_form.addRow("Alternatives:", self.alternatives)
        answer_form.addRow("Explanation:", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(answer)
        layout.addStretch(1)
        self.code.textChanged.connect(self.update_result)
        self.target.currentIndexChanged.connect(self.update_result)
        self.update_result()

    def update_result(self) -> None:
        text = self.code.text().strip()
        if not text:
            self._show("", None, "", [], "Type a UNFC code (e.g. 331 or E1F1G1) or a JORC category.")
            return
        try:
            conversion = convert(text, to=self.target.currentData())
        except KhanijError as exc:
            self._show("—", "invalid", "", [], str(exc))
            return
        self._show(conversion.result or "—", conversion.status,
                   NOTATIONS.get(conversion.notation, conversion.notation or ""),
                   list(conversion.alternatives or []), conversion.note or "")

    def _show(self, result: str, status: Optional[str], notation: str, alternatives: list, note: str) -> None:
        self.result.setText(result)
        words, colour, meaning = STATUS_TEXT.get(status or "", ("", "#ffffff", ""))
        self.status.setText(words)
        self.status.setStyleSheet(
            f"QLabel {{ background: {colour}; color: white; border-radius: 4px; padding: 3px 8px; font-weight: bold; }}"
            if status else "")
        self.status_meaning.setText(meaning)
        self.notation.setText(notation)
        self.alternatives.setText("\n".join(_alternative_text(a) for a in alternatives) if alternatives else "none")
        self.note.setText(note)

    @property
    def status_key(self) -> str:
        """The status shown, as :func:`assessment.convert` names it ("exact", "ambiguous", …)."""
        for key, (words, _colour, _meaning) in STATUS_TEXT.items():
            if words and words == self.status.text():
                return key
        return ""


def _alternative_text(alternative) -> str:
    """``Proved Ore Reserve — if the Modifying-Factor uncertainties are removed``."""
    if isinstance(alternative, dict):
        condition = alternative.get("condition")
        return f"{alternative.get('result')} — {condition}" if condition else str(alternative.get("result"))
    return str(alternative)


class ColumnPage(QWidget):
    """Convert a column of a vector layer into new ``COL_to/_status/_alternatives/_note`` columns.

    Signals
    -------
    columnsAdded(layer, names)
        The layer's frame now holds these new columns.
    """

    columnsAdded = Signal(object, list)

    def __init__(self, layer_list, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layer_list = layer_list
        self.layer = QComboBox()
        self.column = QComboBox()
        self.target = _target_combo()
        self.run = QPushButton("Convert column")
        self.run.setDefault(False)
        self.summary = _plain(wrap=True)
        self.model = FrameModel(parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(22)

        form = QFormLayout()
        form.addRow("Layer:", self.layer)
        form.addRow("Column:", self.column)
        form.addRow("Convert to:", self.target)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.run)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.layer.currentIndexChanged.connect(self._fill_columns)
        self.run.clicked.connect(self.convert_selected)
        self.refresh_layers()

    def refresh_layers(self, current=None) -> None:
        """List the layers that have attribute tables, choosing ``current`` when given."""
        self.layer.blockSignals(True)
        self.layer.clear()
        for layer in self.layer_list:
            if isinstance(getattr(layer, "data", None), pd.DataFrame):
                self.layer.addItem(layer.name, layer)
        self.layer.blockSignals(False)
        if current is not None:
            found = self.layer.findData(current)
            if found >= 0:
                self.layer.setCurrentIndex(found)
        self._fill_columns()

    def _fill_columns(self) -> None:
        layer = self.layer.currentData()
        self.column.clear()
        if layer is None:
            return
        frame = layer.data
        geometry = getattr(getattr(frame, "geometry", None), "name", None)
        names = [str(c) for c in frame.columns if c != geometry]
        self.column.addItems(names)
        preferred = layer.fields.get("unfc") or layer.fields.get("stage")
        if preferred in names:
            self.column.setCurrentText(preferred)

    def convert_selected(self) -> None:
        layer, column = self.layer.currentData(), self.column.currentText()
        if layer is None or not column:
            return
        converted = convert_column(layer.data[column], to=self.target.currentData(), name=column)
        new_names = [str(name) for name in converted.columns]
        layer.add_columns({name: converted[name].astype(object).to_numpy() for name in new_names})
        frame = layer.data
        self.model.set_frame(pd.DataFrame(frame[[column, *new_names]]))
        status = frame[f"{column}_status"].astype("string")
        self.model.set_highlight((status == "ambiguous").fillna(False).to_numpy(dtype=bool))
        fit_columns(self.table, COLUMN_MAX_PX)
        self.summary.setText(_summary(status, new_names))
        self.columnsAdded.emit(layer, new_names)


def _summary(status: pd.Series, new_names: list[str]) -> str:
    counts = status.value_counts()
    parts = [f"{int(counts.get(key, 0)):,} {STATUS_TEXT[key][0].lower()}" for key in STATUS_TEXT
             if counts.get(key, 0)]
    ambiguous = " Ambiguous rows are highlighted." if counts.get("ambiguous", 0) else ""
    return (f"{len(status):,} rows: {', '.join(parts) or 'nothing to convert'}.{ambiguous} "
            f"New columns: {', '.join(new_names)}.")


class ConverterDialog(QDialog):
    """The converter, non-modal so the map stays usable beside it."""

    def __init__(self, layer_list, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("UNFC ⇄ JORC converter")
        self.single = SingleCodePage()
        self.column = ColumnPage(layer_list)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.single, "One code")
        self.tabs.addTab(self.column, "Column of a layer")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(720, 520)

