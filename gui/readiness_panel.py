"""The auction-readiness panel (right dock): choose the layers by role and the rules file, run
:func:`assessment.scoring.score` off the GUI thread, and read the results.

The panel is a view: the layers it offers come from the window's :class:`layers.LayerList`
(pre-filled from each layer's role), every number it shows is a cell of the score table, and a
finished run adds that table to the list as the "Readiness scores" layer, coloured by readiness
class. Selecting a row selects and zooms the block on the map; selecting the block on the map
selects its row. The explanation pane shows the block's verdict from its findings columns
(gates with the law cited, conditions, criteria, what is missing, the authority), never parsed
out of the ``explanation`` prose.
"""
from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ContextManager, Optional

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QDate, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget,
)

from assessment.fields import guess_fields
from assessment.report import findings_text, recorded_findings
from assessment.rules import Rules
from geo.errors import KhanijError
from layers.layer import Layer
from layers.scoring_setup import ROLE_LABELS, SINGLE_ROLES, ScoringSetup, raster_path
from layers.style import READINESS_COLOURS, readiness_style

from gui.attribute_table import format_cell, plain_tooltip, sort_order
from gui.model_links import listen_while_alive
from gui.workers import Task

SCORES_LAYER_NAME = "Readiness scores"
# (role, label): one combo box each, showing the set-up's layer for that role.
ROLE_CHOICES = SINGLE_ROLES
# (score column or canonical block field, header). ``block_id`` / ``block_name`` are the blocks'
# own columns, found through the field mapping.
TABLE_COLUMNS = (("block_id", "Block ID"), ("block_name", "Block name"), ("licence", "Licence"),
                 ("readiness", "Readiness"), ("score", "Score"), ("licence_now", "Licence now"),
                 ("missing", "Missing"))
BLOCK_FIELDS = ("block_id", "block_name")
NONE_TEXT = "(none)"
MINIMUM_WIDTH_PX = 480
BLOCK_NAME_MAX_PX = 110
CHECKLIST_ROWS = 4
CONTEXT_SPANS = 0.75
READY_TO_RUN = "Choose the layers by role and press Run to score every block."
OUT_OF_DATE_TEXT = ("Out of date: the scoring set-up or its layers changed since these scores were computed. "
                    "Press Run to score again.")
LAYER_ID_ROLE = Qt.ItemDataRole.UserRole
# Split the explanation after a full stop at bracket depth 0 that is followed by a new sentence.
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])")
_ABBREVIATION = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # "e.g", "i.e" (before their last dot)


def explanation_lines(text: str) -> str:
    """``text`` with each sentence on its own line; the words are unchanged.

    A full stop inside brackets (a cited source) or ending an abbreviation with inner dots
    ("e.g.") does not end a sentence.
    """
    lines, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start:match.start()]
        depth = before.count("(") - before.count(")")
        last_word = before.rsplit(None, 1)[-1] if before.split() else ""
        if depth > 0 or _ABBREVIATION.fullmatch(last_word):
            continue
        lines.append(text[start:match.start() + 1])
        start = match.end()
    lines.append(text[start:])
    return "\n".join(line.strip() for line in lines if line.strip())


def text_colour_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG relative luminance)."""
    channels = [int(background[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def score_in_worker(feedback, inputs: dict) -> Any:
    """Run :func:`assessment.scoring.score` with the panel's inputs (on a worker thread)."""
    from assessment.scoring import score

    return score(feedback=feedback, **inputs)


# ----- the results table ---------------------------------------------------------------------------

class ScoreTableModel(QAbstractTableModel):
    """The score table's key columns, one row per block, sortable; readiness cells coloured.

    Rows map to positions in the score frame (= features of the scores layer) through
    :meth:`position_of_row` / :meth:`row_of_position`, so sorting never loses the link to the map.
    """

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.frame: Optional[pd.DataFrame] = None
        self.block_fields: dict[str, str] = {}
        self._columns: list[Optional[str]] = []
        self._order = np.empty(0, dtype=np.int64)

    def set_scores(self, frame: pd.DataFrame, block_fields: dict[str, str]) -> None:
        """Show ``frame`` (the output of :func:`assessment.scoring.score`) in its own order."""
        self.beginResetModel()
        self.frame = frame.reset_index(drop=True)
        self.block_fields = dict(block_fields)
        columns = [block_fields.get(key) if key in BLOCK_FIELDS else key for key, _header in TABLE_COLUMNS]
        self._columns = [column if column in self.frame.columns else None for column in columns]
        self._order = np.arange(len(self.frame), dtype=np.int64)
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.frame = None
        self._order = np.empty(0, dtype=np.int64)
        self.endResetModel()

    def column_index(self, key: str) -> int:
        """The table column showing ``key`` (a key of :data:`TABLE_COLUMNS`)."""
        return [k for k, _header in TABLE_COLUMNS].index(key)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() or self.frame is None else len(self.frame)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(TABLE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return TABLE_COLUMNS[section][1]
        return None

    def value(self, row: int, column: int) -> Any:
        """The score-table cell behind a view cell (``None`` when the column is absent)."""
        name = self._columns[column]
        return None if name is None else self.frame[name].iat[int(self._order[row])]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.frame is None:
            return None
        key = TABLE_COLUMNS[index.column()][0]
        value = self.value(index.row(), index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            score = key == "score" and isinstance(value, (float, np.floating)) and not np.isnan(value)
            text = f"{value:.1f}" if score else format_cell(value)
            return text if role == Qt.ItemDataRole.DisplayRole else plain_tooltip(text)
        if key == "readiness" and value in READINESS_COLOURS:
            colour = READINESS_COLOURS[value]
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor(colour)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(text_colour_on(colour))
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "score":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by one column (numbers as numbers, text case-blind); blanks stay last."""
        name = self._columns[column] if self.frame is not None else None
        if name is None:
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        positions = [int(self._order[index.row()]) for index in persistent]
        self._order = sort_order(self.frame[name], order == Qt.SortOrder.DescendingOrder).astype(np.int64)
        rows = self._rows_of_positions()
        self.changePersistentIndexList(persistent, [self.index(int(rows[p]), index.column())
                                                    for p, index in zip(positions, persistent)])
        self.layoutChanged.emit()

    def _rows_of_positions(self) -> np.ndarray:
        rows = np.empty(len(self._order), dtype=np.int64)
        rows[self._order] = np.arange(len(self._order))
        return rows

    def position_of_row(self, row: int) -> int:
        """The score-frame position (scores-layer feature) shown in view row ``row``."""
        return int(self._order[row])

    def row_of_position(self, position: int) -> int:
        return int(self._rows_of_positions()[position])

    def explanation(self, position: int) -> str:
        if self.frame is None or "explanation" not in self.frame.columns:
            return ""
        return format_cell(self.frame["explanation"].iat[position])

    def findings(self, position: int) -> str:
        """The block's verdict in lines, from its findings columns (its explanation, one
        sentence a line, when the table has none)."""
        if self.frame is None:
            return ""
        row = self.frame.iloc[position]
        return findings_text(row) if recorded_findings(row) else explanation_lines(self.explanation(position))


# ----- the panel -----------------------------------------------------------------------------------

@dataclass
class _RemovedResults:
    """What the panel showed of a scores layer the user removed: restored if it comes back."""

    layer: Layer
    key: Optional[tuple]
    blocks: Optional[Layer]
    frame: Optional[pd.DataFrame]
    block_fields: dict
    message: str
    sort: tuple[int, Qt.SortOrder]


@dataclass
class _RunState:
    task: Optional[Task] = None
    blocks: Optional[Layer] = None
    illustrative: bool = False
    rules_label: str = ""
    inputs_key: Optional[tuple] = None


class ReadinessPanel(QWidget):
    """See the module docstring.

    Parameters
    ----------
    layer_list : layers.LayerList
        The window's layers (offered for each role; the scores layer is added to it).
    canvas : gui.canvas.MapCanvas
        Selection and zoom of the scored blocks.
    runner : gui.workers.TaskRunner
        Runs the scoring (the window's runner, so the status bar shows progress and Cancel).
    scoring_setup : layers.scoring_setup.ScoringSetup, optional
        The model this panel shows and edits (a new, empty one by default).

    Signals
    -------
    scored(layer)
        A run finished and ``layer`` (the "Readiness scores" layer) holds its table.
    outOfDateChanged(bool)
        The results shown became out of date (True) or current again (False).
    """

    scored = Signal(object)
    outOfDateChanged = Signal(bool)

    def __init__(self, layer_list, canvas, runner, scoring_setup: Optional[ScoringSetup] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layer_list = layer_list
        self.canvas = canvas
        self.runner = runner
        self.scoring_setup = scoring_setup if scoring_setup is not None else ScoringSetup()
        self.scores_layer: Optional[Layer] = None
        self.scored_key: Optional[tuple] = None
        self.scored_blocks: Optional[Layer] = None
        self._removed: Optional[_RemovedResults] = None
        # Wraps the program's own layer changes (the scores layer) so they are not undo steps.
        self.untracked: Callable[[], ContextManager] = contextlib.nullcontext
        self._run = _RunState()
        self._syncing = False
        self._build()
        self.refresh_inputs()
        listen_while_alive(self, self.layer_list.events.changed, self._on_layers_changed)
        listen_while_alive(self, self.scoring_setup.events.changed, lambda _event=None: self.refresh_inputs())
        self.canvas.selectionChanged.connect(self._on_map_selection)

    @property
    def rules(self) -> Rules:
        return self.scoring_setup.rules

    # --- construction --------------------------------------------------------------------------
    def _build(self) -> None:
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Score every block of the blocks layer (runs in the background)")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the scoring; nothing half-done is kept")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.out_of_date_label = QLabel(OUT_OF_DATE_TEXT)
        self.out_of_date_label.setWordWrap(True)
        self.out_of_date_label.setStyleSheet("QLabel { background: #fde0c5; color: #5a2a00; padding: 4px; }")
        self.out_of_date_label.hide()
        self.setMinimumWidth(MINIMUM_WIDTH_PX)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._build_proposals())
        layout.addWidget(self._build_inputs())
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.out_of_date_label)
        layout.addWidget(self._build_results(), 1)
        self._show_rules()
        self.show_message(READY_TO_RUN)

    def _build_proposals(self) -> QGroupBox:
        self.proposals_box = QGroupBox("Proposed roles (not used until you accept)")
        self.proposals_box.setToolTip("Khanij guessed these roles from the files' names and columns. "
                                      "Opening a file never changes the scoring set-up by itself.")
        self.proposals_list = QListWidget()
        self.proposals_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.proposals_list.setUniformItemSizes(True)
        self.accept_button = QPushButton("Accept")
        self.accept_button.setToolTip("Use the selected layers in their proposed roles (all when none is selected)")
        self.accept_button.clicked.connect(self.accept_proposals)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip("Do not score with the selected layers (all when none is selected)")
        self.dismiss_button.clicked.connect(self.dismiss_proposals)
        row = QHBoxLayout()
        row.addWidget(self.accept_button)
        row.addWidget(self.dismiss_button)
        row.addStretch(1)
        box = QVBoxLayout(self.proposals_box)
        box.addWidget(self.proposals_list)
        box.addLayout(row)
        return self.proposals_box

    def _build_inputs(self) -> QGroupBox:
        inputs = QGroupBox("Scoring set-up")
        form = QFormLayout(inputs)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.choices: dict[str, QComboBox] = {}
        for role, label in ROLE_CHOICES:
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            combo.activated.connect(lambda _i, r=role: self.choose_layer(r, self._layer_by_id(self.choices[r].currentData())))
            self.choices[role] = combo
            form.addRow(label, combo)
        self.infrastructure = self._layer_checklist("Vector layers to measure distances to (km to the nearest feature)")
        self.rasters = self._layer_checklist("Rasters summarised over each block (coverage-weighted mean and max)")
        self.infrastructure.itemChanged.connect(lambda _item: self._ticks_changed("infrastructure"))
        self.rasters.itemChanged.connect(lambda _item: self._ticks_changed("rasters"))
        form.addRow("Infrastructure", self.infrastructure)
        form.addRow("Evidence rasters", self.rasters)
        form.addRow("Rules", self._build_rules_chooser())
        self.as_of_edit = QDateEdit()
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of_edit.setToolTip("The rules in force on this date are applied (default: today)")
        self.as_of_edit.dateChanged.connect(self._as_of_edited)
        form.addRow("As of", self.as_of_edit)
        return inputs

    def _build_rules_chooser(self) -> QVBoxLayout:
        self.rules_label = QLabel()
        self.rules_label.setTextFormat(Qt.TextFormat.PlainText)
        self.rules_label.setWordWrap(True)
        self.choose_rules_button = QPushButton("Choose…")
        self.choose_rules_button.setToolTip("Use another rules file (TOML); it is checked before use")
        self.choose_rules_button.clicked.connect(self.choose_rules)
        self.shipped_rules_button = QPushButton("Shipped")
        self.shipped_rules_button.setToolTip("Go back to the rules shipped with Khanij")
        self.shipped_rules_button.clicked.connect(lambda: self.set_rules_path(None))
        rules_buttons = QHBoxLayout()
        rules_buttons.addWidget(self.choose_rules_button)
        rules_buttons.addWidget(self.shipped_rules_button)
        rules_buttons.addStretch(1)
        rules_box = QVBoxLayout()
        rules_box.addWidget(self.rules_label)
        rules_box.addLayout(rules_buttons)
        return rules_box

    def _build_results(self) -> QSplitter:
        self.model = ScoreTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().selectionChanged.connect(self._on_row_selected)
        self.explanation = QPlainTextEdit()
        self.explanation.setReadOnly(True)
        self.explanation.setPlaceholderText("Select a block in the table to read how it was scored.")
        results = QSplitter(Qt.Orientation.Vertical)
        results.addWidget(self.table)
        results.addWidget(self.explanation)
        results.setChildrenCollapsible(False)
        results.setSizes([300, 200])
        return results

    @staticmethod
    def _layer_checklist(tooltip: str) -> QListWidget:
        checklist = QListWidget()
        checklist.setToolTip(tooltip)
        checklist.setUniformItemSizes(True)
        return checklist

    # --- the view of the set-up ---------------------------------------------------------------
    def _offered(self, kind: str) -> list[Layer]:
        """Layers with data of ``kind`` that can be scored (the panel's own results excluded)."""
        return [layer for layer in self.layer_list
                if layer.kind == kind and layer.data is not None and not layer.missing
                and layer is not self.scores_layer]

    def _on_layers_changed(self, _event=None) -> None:
        if self.scores_layer is not None and not self._scores_shown():
            self.forget_scores()
            self.show_message(f"The {SCORES_LAYER_NAME} layer was removed; Run scores the blocks again.")
        elif self._removed is not None and any(layer is self._removed.layer for layer in self.layer_list):
            self._relink()
        self.refresh_inputs()

    def forget_scores(self) -> None:
        """Drop the results (their layer has left the layer list). They are kept aside until the
        next run, so undoing the removal makes them the current results again (:meth:`_relink`)."""
        header = self.table.horizontalHeader()
        self._removed = _RemovedResults(self.scores_layer, self.scored_key, self.scored_blocks, self.model.frame,
                                        self.model.block_fields, self.message.text(),
                                        (header.sortIndicatorSection(), header.sortIndicatorOrder()))
        self.scores_layer = None
        self.scored_key = None
        self.model.clear()
        self.explanation.clear()

    def _relink(self) -> None:
        """The removed scores layer is back (Edit ▸ Undo): its results are the panel's again, as
        they were before the removal, sorted as they were (out of date if the inputs changed meanwhile)."""
        removed, self._removed = self._removed, None
        self.scores_layer, self.scored_key, self.scored_blocks = removed.layer, removed.key, removed.blocks
        self.model.set_scores(removed.frame, removed.block_fields)
        self.table.sortByColumn(*removed.sort)
        self.show_message(removed.message)

    def refresh_inputs(self) -> None:
        """Show the set-up: each role's layer, the ticked lists, rules, date, proposals, and whether
        the results shown are out of date."""
        vectors = self._offered("vector")
        for role, combo in self.choices.items():
            self._fill_combo(combo, vectors, self.scoring_setup.roles[role])
        self._fill_checklist(self.infrastructure, vectors, self.scoring_setup.lists["infrastructure"])
        self._fill_checklist(self.rasters, [layer for layer in self._offered("raster") if raster_path(layer)],
                             self.scoring_setup.lists["rasters"])
        self._show_rules()
        self.as_of_edit.blockSignals(True)
        self.as_of_edit.setDate(QDate.fromString(self.scoring_setup.as_of_text(), Qt.DateFormat.ISODate))
        self.as_of_edit.blockSignals(False)
        self._fill_proposals()
        stale = self.out_of_date
        if stale != self.out_of_date_label.isVisibleTo(self):
            self.out_of_date_label.setVisible(stale)
            self.outOfDateChanged.emit(stale)
        self._update_buttons()

    @property
    def out_of_date(self) -> bool:
        """Results are shown and an input of the set-up changed since they were computed."""
        return (self.scored_key is not None and self.model.frame is not None
                and self.scoring_setup.inputs_key(self.layer_list) != self.scored_key)

    @staticmethod
    def _fill_combo(combo: QComboBox, layers: list[Layer], chosen_id: Optional[str]) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(NONE_TEXT, "")
        for layer in layers:
            combo.addItem(layer.name, layer.id)
        combo.setCurrentIndex(max(combo.findData(chosen_id or ""), 0))
        combo.blockSignals(False)

    @staticmethod
    def _fill_checklist(checklist: QListWidget, layers: list[Layer], ticked: list[str]) -> None:
        checklist.blockSignals(True)
        checklist.clear()
        for layer in layers:
            item = QListWidgetItem(layer.name)
            item.setData(LAYER_ID_ROLE, layer.id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.id in ticked else Qt.CheckState.Unchecked)
            checklist.addItem(item)
        checklist.blockSignals(False)
        rows = min(max(checklist.count(), 1), CHECKLIST_ROWS)
        row_px = checklist.sizeHintForRow(0) if checklist.count() else checklist.fontMetrics().height() + 4
        checklist.setFixedHeight(rows * row_px + 2 * checklist.frameWidth())

    def _fill_proposals(self) -> None:
        proposals = self.scoring_setup.proposals(self._offered("vector") + self._offered("raster"))
        self.proposals_list.clear()
        for layer, role in proposals:
            item = QListWidgetItem(f"{layer.name} → {ROLE_LABELS[role]} (proposed)")
            item.setData(LAYER_ID_ROLE, layer.id)
            item.setToolTip(f"Guessed from the name and columns of {layer.name}; not used until you accept it")
            self.proposals_list.addItem(item)
        rows = min(max(len(proposals), 1), CHECKLIST_ROWS)
        self.proposals_list.setFixedHeight(rows * (self.proposals_list.fontMetrics().height() + 6)
                                           + 2 * self.proposals_list.frameWidth())
        self.proposals_box.setVisible(bool(proposals))

    def _proposed_layers(self) -> list[Layer]:
        """The selected proposals' layers, or every proposal's when none is selected."""
        items = self.proposals_list.selectedItems() or [self.proposals_list.item(i)
                                                        for i in range(self.proposals_list.count())]
        return [layer for item in items if (layer := self._layer_by_id(item.data(LAYER_ID_ROLE))) is not None]

    def accept_proposals(self) -> None:
        """Use the selected (or all) proposed layers in their proposed roles."""
        for layer in self._proposed_layers():
            self.scoring_setup.accept(layer)

    def dismiss_proposals(self) -> None:
        """Leave the selected (or all) proposed layers out of the scoring; no longer proposed."""
        for layer in self._proposed_layers():
            self.scoring_setup.dismiss(layer)

    def _ticks_changed(self, key: str) -> None:
        checklist = self.infrastructure if key == "infrastructure" else self.rasters
        ticked = set(self._checked(checklist))
        self.scoring_setup.set_list(key, [layer for layer in self.layer_list if layer.id in ticked])

    def _as_of_edited(self, date: QDate) -> None:
        self.scoring_setup.as_of = date.toString(Qt.DateFormat.ISODate)

    def _layer_by_id(self, layer_id) -> Optional[Layer]:
        return next((layer for layer in self.layer_list if layer.id == layer_id), None)

    def chosen_layer(self, role: str) -> Optional[Layer]:
        """The layer playing one of the :data:`ROLE_CHOICES` roles (None for "(none)")."""
        return self.scoring_setup.layer_for(role, self.layer_list)

    def choose_layer(self, role: str, layer: Optional[Layer]) -> None:
        """Choose a role's layer as the user does in its combo box."""
        self.scoring_setup.assign(role, layer)

    @staticmethod
    def _checked(checklist: QListWidget) -> list[str]:
        return [checklist.item(i).data(LAYER_ID_ROLE) for i in range(checklist.count())
                if checklist.item(i).checkState() == Qt.CheckState.Checked]

    def checked_layers(self, which: str) -> list[Layer]:
        """The ticked layers of ``which`` ("infrastructure" or "rasters")."""
        return self.scoring_setup.layers_for(which, self.layer_list)

    # --- rules ---------------------------------------------------------------------------------
    def choose_rules(self) -> None:
        start = str(self.rules.path.parent)
        path, _filter = QFileDialog.getOpenFileName(self, "Choose a rules file", start, "Rules files (*.toml);;All files (*)")
        if path:
            self.set_rules_path(path)

    def set_rules_path(self, path) -> bool:
        """Load and check a rules file (None: the shipped rules); on a problem keep the current
        rules and say why."""
        try:
            self.scoring_setup.set_rules(path)
        except KhanijError as exc:
            self.show_message(f"Rules not changed: {exc}", problem=True)
            return False
        self.show_message(READY_TO_RUN)
        return True

    def _show_rules(self) -> None:
        shipped = self.scoring_setup.shipped_rules()
        self.rules_label.setText(f"{self.rules.name}, version {self.rules.version} ({'shipped' if shipped else 'own file'})")
        self.rules_label.setToolTip(f"{self.rules.path}\nSHA-256 {self.rules.sha256}")
        self.shipped_rules_button.setEnabled(not shipped)

    # --- the scoring set-up (kept in a project) ------------------------------------------------
    def setup(self, relative_to: Optional[os.PathLike | str] = None) -> dict:
        """The set-up as JSON data for the project (:meth:`ScoringSetup.to_dict`)."""
        return self.scoring_setup.to_dict(self.layer_list, relative_to)

    def restore_setup(self, setup: dict, layer_list, relative_to: Optional[os.PathLike | str] = None) -> list[str]:
        """Make the choices of a saved :meth:`setup` again (:meth:`ScoringSetup.restore`); returns
        what could not be restored, in sentences, also shown in the panel."""
        notes = self.scoring_setup.restore(setup, layer_list, relative_to)
        self.show_message("\n".join(["Scoring set-up restored, except:", *notes]) if notes else READY_TO_RUN,
                          problem=bool(notes))
        return notes

    # --- running -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._run.task is not None

    def _update_buttons(self) -> None:
        self.run_button.setEnabled(not self.running and self.chosen_layer("blocks") is not None)
        self.cancel_button.setEnabled(self.running)

    def score_inputs(self) -> dict:
        """The keyword arguments of :func:`assessment.scoring.score` for the set-up (the same
        function ``khanij score --project`` uses)."""
        return self.scoring_setup.score_inputs(self.layer_list)

    def run(self) -> Optional[Task]:
        """Score the chosen blocks on a worker thread; the status bar shows progress and Cancel."""
        blocks = self.chosen_layer("blocks")
        if self.running or blocks is None:
            return None
        inputs = self.score_inputs()
        used = [layer for _label, layer in self.scoring_setup.used_layers(self.layer_list)]
        task = Task(f"Scoring {len(inputs['blocks']):,} blocks of {blocks.name}", score_in_worker, inputs)
        self._run = _RunState(task, blocks, any(layer.illustrative for layer in used),
                              f"{self.rules.name} {self.rules.version}",
                              self.scoring_setup.inputs_key(self.layer_list))
        task.succeeded.connect(self._on_scored)
        task.failed.connect(self._on_failed)
        task.cancelled.connect(lambda: self.show_message("Scoring cancelled; the previous results are kept."))
        task.finished.connect(self._on_finished)
        task.progressed.connect(lambda _fraction, text: self.show_message(f"Scoring: {text}…" if text else ""))
        self.show_message("Scoring…")
        self.runner.start(task)
        self._update_buttons()
        return task

    def cancel(self) -> None:
        """Stop the running scoring at its next progress report."""
        if self._run.task is not None:
            self.cancel_button.setEnabled(False)
            self.show_message("Cancelling…")
            self._run.task.cancel()

    def _on_failed(self, exc: BaseException) -> None:
        self.show_message(f"Scoring failed: {exc}", problem=True)

    def _on_finished(self) -> None:
        self._run = _RunState()
        self._update_buttons()

    def _on_scored(self, frame) -> None:
        blocks = self._run.blocks
        self.show_scores(frame, blocks, self._run.illustrative)
        self.scored_key = self._run.inputs_key
        self.refresh_inputs()
        self.show_message(f"Scored {len(frame):,} blocks of {blocks.name} with rules {self._run.rules_label}. "
                          "Select a row to see the block on the map and why it scored so.")

    def restore_scores(self, frame, blocks: Optional[Layer], out_of_date: bool = False) -> Layer:
        """Show scores saved with a project as the results of the set-up just restored (marked out
        of date when they were so when saved)."""
        illustrative = any(layer.illustrative for _label, layer in self.scoring_setup.used_layers(self.layer_list))
        layer = self.show_scores(frame, blocks, illustrative)
        self.scored_key = ("saved out of date",) if out_of_date else self.scoring_setup.inputs_key(self.layer_list)
        self.refresh_inputs()
        problem = self.message.styleSheet() != ""
        saved = f"Scores saved with the project: {len(frame):,} blocks" + (", out of date." if out_of_date else ".")
        self.show_message(f"{self.message.text()}\n{saved}" if problem else saved, problem=problem)
        return layer

    def show_scores(self, frame, blocks: Optional[Layer] = None, illustrative: bool = False) -> Layer:
        """Put a score table in the "Readiness scores" layer (made on the first run, above the
        blocks) and in the results table."""
        frame = frame.reset_index(drop=True)
        self.scored_blocks = blocks
        fields = guess_fields([str(c) for c in frame.columns if c != frame.geometry.name], "blocks")
        layer = self.scores_layer
        with self.untracked():
            if layer is not None and any(other is layer for other in self.layer_list):
                layer.fields = fields
                layer.illustrative = illustrative
                layer.data = frame
            else:
                self._removed = None   # new results: a removed scores layer brought back is a layer like any other
                layer = Layer(SCORES_LAYER_NAME, frame, role="blocks", fields=fields, style=readiness_style(),
                              illustrative=illustrative)
                self.scores_layer = layer
                above = next((i for i, other in enumerate(self.layer_list) if other is blocks), 0)
                self.layer_list.insert(above, layer)
        own_fields = blocks.fields if blocks is not None else fields
        self.model.set_scores(frame, {key: own_fields.get(key) or fields.get(key) for key in BLOCK_FIELDS})
        self.table.sortByColumn(self.model.column_index("score"), Qt.SortOrder.DescendingOrder)
        self._fit_columns()
        self.explanation.clear()
        self.scored.emit(layer)
        return layer

    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount() - 1):
            self.table.resizeColumnToContents(column)
        name_column = self.model.column_index("block_name")
        header.resizeSection(name_column, min(header.sectionSize(name_column), BLOCK_NAME_MAX_PX))

    def show_message(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #a50026;" if problem else "")

    # --- table ↔ map ---------------------------------------------------------------------------
    def _scores_shown(self) -> bool:
        return self.scores_layer is not None and any(layer is self.scores_layer for layer in self.layer_list)

    def selected_position(self) -> Optional[int]:
        """The score-frame position of the selected row, or None."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.position_of_row(rows[0].row()) if rows else None

    def select_position(self, position: int) -> None:
        """Select the row of a score-frame position (as a click on it would)."""
        row = self.model.row_of_position(position)
        self.table.selectionModel().select(self.model.index(row, 0),
                                           QItemSelectionModel.SelectionFlag.ClearAndSelect
                                           | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(self.model.index(row, 0))

    def _on_row_selected(self, *_args) -> None:
        position = self.selected_position()
        if position is None:
            self.explanation.clear()
            return
        self.explanation.setPlainText(self.model.findings(position))
        if self._scores_shown() and not self._syncing:
            self.canvas.set_selection(self.scores_layer, [position])
            self._zoom_to_block(position)

    def _zoom_to_block(self, position: int) -> None:
        """Show the block with its surroundings: ``CONTEXT_SPANS`` of its own size on each side."""
        layer = self.scores_layer
        minx, miny, maxx, maxy = layer.data.geometry.iloc[position].bounds
        if not np.isfinite([minx, miny, maxx, maxy]).all():
            return
        width, height = (maxx - minx) * CONTEXT_SPANS, (maxy - miny) * CONTEXT_SPANS
        self.canvas.zoom_to_bounds(minx - width, miny - height, maxx + width, maxy + height, crs=layer.crs)

    def _on_map_selection(self, layer, indices) -> None:
        """A block picked on the map selects its row (without zooming away from it)."""
        if layer is not self.scores_layer or len(indices) != 1 or self.model.frame is None:
            return
        self._syncing = True
        try:
            self.select_position(int(indices[0]))
        finally:
            self._syncing = False


__all__ = ["ReadinessPanel", "ScoreTableModel", "SCORES_LAYER_NAME", "explanation_lines", "text_colour_on"]
