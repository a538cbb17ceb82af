"""Type a block in by its boundary pillars: a table of BP-1, BP-2 … with latitude and longitude
(DMS or decimal, any form :func:`geo.parse_dms` reads), filled by hand or by "Paste from tender
text" (:func:`geo.pillars.parse_pillar_text`). The ring is checked as it is typed: bad cells are
named by row with the reason, crossing sides are named ("Reorder" puts the pillars in order
around their centre, numbered BP-1, BP-2 … as the block will be saved), and a stated area is
compared with the computed geodesic one.
"""
from __future__ import annotations

from typing import Optional

from PySide6 import QtCore, QtWidgets

from geo.coords import format_dms, parse_dms
from geo.errors import CoordinateError
from geo.pillars import Pillar, check_ring, parse_pillar_text, reordered

COLUMNS = ("Pillar", "Latitude", "Longitude")


class PillarDialog(QtWidgets.QDialog):
    """The pillar table of one new block; :meth:`polygon` is the accepted ring (WGS 84)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Block from boundary pillars")
        self.resize(620, 620)
        layout = QtWidgets.QVBoxLayout(self)
        form = QtWidgets.QFormLayout()
        self.block_id = QtWidgets.QLineEdit()
        self.stated_area = QtWidgets.QLineEdit()
        self.stated_area.setPlaceholderText("as stated in the tender document (optional)")
        form.addRow("Block id", self.block_id)
        form.addRow("Stated area (ha)", self.stated_area)
        layout.addLayout(form)
        self.paste = QtWidgets.QPlainTextEdit()
        self.paste.setPlaceholderText('Paste pillar lines here, e.g. BP-1 23°21\'15.6"N 85°18\'42.1"E, '
                                      "or a two-column copy of a PDF table")
        self.paste.setMaximumHeight(110)
        layout.addWidget(self.paste)
        self.read_button = QtWidgets.QPushButton("Paste from tender text")
        self.read_button.setToolTip("Read the pasted lines into the table (bad lines are listed below, not guessed)")
        self.read_button.clicked.connect(self.read_pasted)
        layout.addWidget(self.read_button)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemChanged.connect(lambda _item: self.validate())
        layout.addWidget(self.table, 1)
        buttons = QtWidgets.QHBoxLayout()
        self.add_row_button = QtWidgets.QPushButton("Add pillar")
        self.add_row_button.clicked.connect(lambda: self.add_pillar("", "", ""))
        self.remove_row_button = QtWidgets.QPushButton("Remove pillar")
        self.remove_row_button.clicked.connect(self.remove_current_row)
        self.reorder_button = QtWidgets.QPushButton("Reorder around the centre")
        self.reorder_button.setToolTip("The pillars cross: put them in order of their bearing from the centre")
        self.reorder_button.clicked.connect(self.reorder)
        for button in (self.add_row_button, self.remove_row_button, self.reorder_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.findings = QtWidgets.QLabel()
        self.findings.setWordWrap(True)
        self.findings.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.findings)
        self.box = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                              | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        layout.addWidget(self.box)
        self.stated_area.textChanged.connect(lambda _text: self.validate())
        self.paste_problems: list[str] = []
        self.reorder_note = ""
        self.check = None
        self.validate()

    # ----- filling the table -----
    def add_pillar(self, label: str, lat: str, lon: str) -> None:
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        for column, text in enumerate((label or f"BP-{row + 1}", lat, lon)):
            self.table.setItem(row, column, QtWidgets.QTableWidgetItem(text))
        self.table.blockSignals(False)
        self.validate()

    def set_pillars(self, pillars: list[Pillar]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.blockSignals(False)
        for pillar in pillars:
            self.add_pillar(pillar.label, format_dms(pillar.lat, "lat", 4), format_dms(pillar.lon, "lon", 4))
        self.table.resizeColumnsToContents()

    def read_pasted(self) -> None:
        found = parse_pillar_text(self.paste.toPlainText())
        self.paste_problems = [f"Pasted line {p.row}: {p.reason}" for p in found.problems]
        self.reorder_note = ""
        if found.stated_area_ha is not None:
            self.stated_area.setText(f"{found.stated_area_ha:g}")
        self.set_pillars(found.pillars)

    def remove_current_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.validate()

    def reorder(self) -> None:
        """Put the pillars in order around their centre and number them as the block will be
        saved (BP-1, BP-2 … around the ring, the numbering of the map, the pillar table and the
        dossier); each label's tooltip and the findings say what a renumbered pillar was called."""
        ordered = reordered(self.pillars()[0])
        renamed = [f"{pillar.label} → BP-{number}" for number, pillar in enumerate(ordered, start=1)
                   if pillar.label != f"BP-{number}"]
        self.reorder_note = ("Reordered around the centre and numbered as the block will be saved"
                             + (f" (label before → number saved): {', '.join(renamed)}." if renamed else "."))
        self.set_pillars([Pillar(f"BP-{number}", pillar.lat, pillar.lon, pillar.row)
                          for number, pillar in enumerate(ordered, start=1)])
        for row, pillar in enumerate(ordered):
            self.table.item(row, 0).setToolTip(f"{pillar.label} before reordering")

    # ----- reading and checking -----
    def pillars(self) -> tuple[list[Pillar], list[str]]:
        """The pillars of the table's readable rows and the problems of the others (by row)."""
        pillars, problems = [], []
        for row in range(self.table.rowCount()):
            label, lat_text, lon_text = (self._cell(row, c) for c in range(len(COLUMNS)))
            try:
                lat = parse_dms(lat_text, axis="lat")
                lon = parse_dms(lon_text, axis="lon")
            except CoordinateError as problem:
                problems.append(f"Row {row + 1} ({label or 'no label'}): {problem}")
                continue
            pillars.append(Pillar(label or f"BP-{row + 1}", lat, lon, row + 1))
        return pillars, problems

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def stated_area_ha(self) -> Optional[float]:
        text = self.stated_area.text().replace(",", "").strip()
        try:
            return float(text) if text else None
        except ValueError:
            return None

    def validate(self) -> None:
        pillars, problems = self.pillars()
        self.check = check_ring(pillars, self.stated_area_ha()) if len(pillars) >= 3 else None
        lines = self.paste_problems + ([self.reorder_note] if self.reorder_note else []) + problems
        if self.check is not None:
            lines += self.check.findings()
            if self.check.polygon is not None and not self.check.crossings:
                lines.append(f"Computed: {self.check.area_ha:,.2f} ha, perimeter {self.check.perimeter_km:,.3f} km, "
                             f"{len(pillars)} pillars.")
        elif self.table.rowCount():
            lines.append("At least three readable pillars are needed.")
        if self.stated_area.text().strip() and self.stated_area_ha() is None:
            lines.append(f"The stated area {self.stated_area.text()!r} is not a number.")
        self.findings.setText("\n".join(lines))
        self.reorder_button.setEnabled(bool(self.check is not None and self.check.crossings))
        ok = self.check is not None and self.check.ok and not problems
        self.box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def polygon(self):
        """The checked ring as a WGS 84 polygon (None until it is valid)."""
        return self.check.polygon if self.check is not None and self.check.ok else None

    def attributes(self) -> dict:
        block_id = self.block_id.text().strip()
        return {"block_id": block_id} if block_id else {}
