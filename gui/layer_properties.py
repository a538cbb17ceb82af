"""Layer properties (right-click ▸ Properties…), as QGIS users expect: what the reader reported,
assigning a CRS (search by EPSG code or name), overriding the text encoding and reloading, the
field mapping (guesses pre-filled and marked as guesses) and relinking a missing source.

Each action calls the layer's own Qt-free method (:meth:`layers.layer.Layer.assign_crs`,
``reload``, ``relink``, ``fields``); the dialog only shows and asks.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QTabWidget, QVBoxLayout, QWidget,
)

from assessment.fields import CANONICAL_FIELDS, guess_fields, role_hints
from geo.crs import crs_label
from geo.crs_search import search_crs
from geo.errors import KhanijError, describe_path

NO_COLUMN = "(none)"
GUESS_SUFFIX = "  (guess)"
AUTOMATIC_ENCODING = "Automatic (.cpg, the DBF's language driver, or a fallback)"
# Encodings Indian files come in: UTF-8, Windows and DOS code pages, ISCII-era Latin fallbacks.
ENCODINGS = ("utf-8", "cp1252", "iso-8859-1", "cp437", "cp850", "utf-16", "gb18030")
CRS_CODE_ROLE = Qt.ItemDataRole.UserRole


def reader_report(layer) -> str:
    """What the reader reported for ``layer``, one fact a line (plain text)."""
    result = layer.read_result
    if layer.missing:
        return f"Missing: {layer.missing_reason or 'the source cannot be read'}\nSource: {layer.source}"
    if result is None:
        return "Made in Khanij: no file was read."
    lines = [f"Source: {result.path}", f"Driver: {result.driver}"]
    if result.layer:
        lines.append(f"Layer in the file: {result.layer}")
    if result.encoding:
        lines.append(f"Encoding used: {result.encoding} (from {result.encoding_source})")
    lines.append(f"CRS: {crs_label(result.crs)} ({result.crs_status})")
    if result.kind != "raster":
        lines.append(f"Features: {layer.feature_count:,}")
        lines.append(f"Geometries: {result.null_geometries:,} null, {result.empty_geometries:,} empty, "
                     f"{result.invalid_geometries:,} invalid")
    lines.append(f"Rejected rows: {len(result.rejected_rows):,}")
    lines += [f"  row {rejected.row}: {rejected.reason}" for rejected in result.rejected_rows[:50]]
    if len(result.rejected_rows) > 50:
        lines.append(f"  … and {len(result.rejected_rows) - 50:,} more")
    lines += [f"Note: {message}" for message in result.messages]
    return "\n".join(lines)


class LayerPropertiesDialog(QDialog):
    """See the module docstring. ``tabs`` holds "Information", "CRS", "Encoding", "Fields"."""

    def __init__(self, layer, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.setWindowTitle(f"Layer properties — {layer.name}")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_information(), "Information")
        self.tabs.addTab(self._build_crs(), "CRS")
        self.tabs.addTab(self._build_encoding(), "Encoding")
        self.tabs.addTab(self._build_fields(), "Fields")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(620, 520)
        self.show_layer()

    # --- tabs ----------------------------------------------------------------------------------
    def _build_information(self) -> QWidget:
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.relink_button = QPushButton("Relink source…")
        self.relink_button.setToolTip("Point the layer at its file's new place")
        self.relink_button.clicked.connect(self.choose_relink)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(self.report, 1)
        row = QHBoxLayout()
        row.addWidget(self.relink_button)
        row.addStretch(1)
        column.addLayout(row)
        return page

    def _build_crs(self) -> QWidget:
        self.crs_now = QLabel()
        self.crs_now.setWordWrap(True)
        self.crs_search = QLineEdit()
        self.crs_search.setPlaceholderText("EPSG code or name: 7755, Kalianpur, Everest, NSF LCC, UTM 44N…")
        self.crs_search.setClearButtonEnabled(True)
        self.crs_search.textChanged.connect(self.find_crs)
        self.crs_hits = QListWidget()
        self.assign_button = QPushButton("Assign CRS")
        self.assign_button.setToolTip("Say which CRS the coordinates are in (they are not transformed)")
        self.assign_button.clicked.connect(self.assign_selected_crs)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(self.crs_now)
        column.addWidget(self.crs_search)
        column.addWidget(self.crs_hits, 1)
        column.addWidget(self.assign_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.find_crs("")
        return page

    def _build_encoding(self) -> QWidget:
        self.encoding_now = QLabel()
        self.encoding_now.setWordWrap(True)
        self.encoding = QComboBox()
        self.encoding.addItem(AUTOMATIC_ENCODING, None)
        for name in ENCODINGS:
            self.encoding.addItem(name, name)
        self.reload_button = QPushButton("Reload with this encoding")
        self.reload_button.clicked.connect(self.reload_with_encoding)
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(self.encoding_now)
        form.addRow("Encoding", self.encoding)
        form.addRow(self.reload_button)
        return page

    def _build_fields(self) -> QWidget:
        self.field_combos: dict[str, QComboBox] = {}
        self.guess_labels: dict[str, QLabel] = {}
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(QLabel("Which column holds each field. Guesses from the column names are marked "
                           "“guess” until you choose."))
        for field in CANONICAL_FIELDS:
            combo = QComboBox()
            guess = QLabel()
            guess.setStyleSheet("color: #7a5b00;")
            row = QHBoxLayout()
            row.addWidget(combo, 1)
            row.addWidget(guess)
            self.field_combos[field], self.guess_labels[field] = combo, guess
            combo.activated.connect(lambda _index, f=field: self.guess_labels[f].clear())
            form.addRow(field, row)
        self.apply_fields_button = QPushButton("Apply field mapping")
        self.apply_fields_button.clicked.connect(self.apply_fields)
        form.addRow(self.apply_fields_button)
        return page

    # --- showing -------------------------------------------------------------------------------
    def show_layer(self) -> None:
        """Fill every tab from the layer as it is now."""
        layer = self.layer
        self.report.setPlainText(reader_report(layer))
        self.crs_now.setText(f"Current CRS: {crs_label(layer.crs)}")
        self.assign_button.setEnabled(layer.read_result is not None and layer.kind != "table" and not layer.missing)
        result = layer.read_result
        used = result.encoding if result is not None and result.encoding else "not a text-encoded format"
        self.encoding_now.setText(f"Encoding used: {used}")
        self.encoding.setCurrentIndex(max(self.encoding.findData(layer.read_options.get("encoding")), 0))
        self.reload_button.setEnabled(layer.source is not None and not layer.missing)
        self._show_fields()

    def _show_fields(self) -> None:
        columns = self.layer.columns
        guessed = guess_fields(columns, self.layer.role) if columns else {}
        role_fields = set(role_hints(self.layer.role).fields) if self.layer.role else set(CANONICAL_FIELDS)
        for field, combo in self.field_combos.items():
            combo.clear()
            combo.addItem(NO_COLUMN, None)
            for column in columns:
                combo.addItem(column, column)
            mapped = self.layer.fields.get(field)
            combo.setCurrentIndex(max(combo.findData(mapped), 0))
            combo.setEnabled(bool(columns))
            is_guess = mapped is not None and guessed.get(field) == mapped
            self.guess_labels[field].setText("guess" if is_guess else "")
            combo.setToolTip("" if field in role_fields else f"not used for a {self.layer.role or 'layer'} layer")

    def mapping(self) -> dict[str, str]:
        """The field mapping the Fields tab shows."""
        return {field: combo.currentData() for field, combo in self.field_combos.items() if combo.currentData()}

    def is_guess(self, field: str) -> bool:
        return self.guess_labels[field].text() == "guess"

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #a50026;" if problem else "")

    # --- actions -------------------------------------------------------------------------------
    def find_crs(self, text: str) -> None:
        """List the CRSs whose code or name hold the words typed."""
        self.crs_hits.clear()
        for hit in search_crs(text):
            item = QListWidgetItem(f"{hit.code}  {hit.name}  ({hit.kind})")
            item.setData(CRS_CODE_ROLE, hit.code)
            self.crs_hits.addItem(item)
        if self.crs_hits.count():
            self.crs_hits.setCurrentRow(0)

    def _change(self, action, failed: str, done) -> bool:
        """Run a change of the layer; show the layer again and ``done()``, or why it failed."""
        try:
            action()
        except KhanijError as exc:
            self.say(f"{failed}: {exc}", problem=True)
            return False
        self.show_layer()
        self.say(done())
        return True

    def assign_selected_crs(self) -> bool:
        item = self.crs_hits.currentItem()
        if item is None:
            self.say("Choose a CRS in the list first.", problem=True)
            return False
        return self._change(lambda: self.layer.assign_crs(item.data(CRS_CODE_ROLE)), "CRS not assigned",
                            lambda: f"{self.layer.name}: CRS set to {crs_label(self.layer.crs)}.")

    def reload_with_encoding(self) -> bool:
        encoding = self.encoding.currentData()
        return self._change(lambda: self.layer.reload(encoding=encoding), "Not reloaded",
                            lambda: f"{self.layer.name} reloaded with {encoding or 'the automatic encoding'}.")

    def apply_fields(self) -> None:
        self.layer.fields = self.mapping()
        self._show_fields()
        for field, label in self.guess_labels.items():
            label.clear()
        self.say("Field mapping applied.")

    def choose_relink(self) -> None:
        start = str(self.layer.source.parent) if self.layer.source is not None else ""
        path, _filter = QFileDialog.getOpenFileName(self, f"Relink {self.layer.name}", start)
        if path:
            self.relink(path)

    def relink(self, path) -> bool:
        """Read the layer from ``path`` (its file moved); on failure the layer stays as it was."""
        return self._change(lambda: self.layer.relink(path), "Not relinked",
                            lambda: f"{self.layer.name} now reads {describe_path(path)}.")
