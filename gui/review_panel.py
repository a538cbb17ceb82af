"""The Review panel: a tranche's blocks with their latest decision, recording a decision, a block's history.

A view on :mod:`layers.review` (the same functions as ``khanij review``): the store is a
GeoPackage or a PostgreSQL database chosen with :class:`PostgresDialog`. Each decision is sent with
the version of the block the reviewer was looking at; when someone else decided meanwhile the
store refuses it, the panel says who and when, shows the new state and history, and keeps the
comment typed so the reviewer can decide again. Refusals by the database are shown in words.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSplitter, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from geo.errors import KhanijError
from layers.review import DECISIONS, ReviewStore, StaleDecision, format_time, open_store
from layers.style import READINESS_COLOURS

from gui.workers import Task, TaskRunner

LISTING_HEADINGS = ("Block", "Name", "Readiness", "Score", "Decision", "Version", "Reviewer", "When")
HISTORY_HEADINGS = ("Version", "Decision", "Reviewer", "When", "Comment")
DECISION_COLOURS = {"approved": "#1a9850", "rejected": "#d73027", "needs information": "#e08214",
                    "proposed": "#4575b4", "withdrawn": "#7f7f7f"}


def _text(value) -> str:
    """A cell's text: empty for a missing value (None or NaN)."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _when(value) -> str:
    return "" if value is None or pd.isna(value) else format_time(value.to_pydatetime())


class PostgresDialog(QDialog):
    """Connect to a shared review database. The password is used for this connection only, never saved."""

    def __init__(self, parent: Optional[QWidget] = None, last: str = ""):
        super().__init__(parent)
        from psycopg.conninfo import conninfo_to_dict

        self.setWindowTitle("Connect to a PostgreSQL review database")
        known = conninfo_to_dict(last) if last else {}
        form = QFormLayout()
        self.fields = {}
        for key, label, placeholder in (("service", "Service", "a name in pg_service.conf (fills the rest)"),
                                        ("host", "Host", "db.example.gov.in"), ("port", "Port", "5432"),
                                        ("dbname", "Database", "review"), ("user", "User", "your database login")):
            edit = QLineEdit(str(known.get(key, "")))
            edit.setPlaceholderText(placeholder)
            form.addRow(label, edit)
            self.fields[key] = edit
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("leave empty to use ~/.pgpass, the service file or PGPASSWORD")
        form.addRow("Password", self.password)
        note = QLabel("Khanij never saves the password: it is used for this connection only. To connect without "
                      "typing it, put it in ~/.pgpass (or %APPDATA%\\postgresql\\pgpass.conf) or a service file.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def conninfo(self, with_password: bool = True) -> str:
        """The connection string of the fields (the password only when ``with_password``)."""
        from layers.review.pg_store import build_conninfo

        parts = {key: edit.text() for key, edit in self.fields.items()}
        if with_password:
            parts["password"] = self.password.text()
        return build_conninfo(**parts)


class ReviewPanel(QWidget):
    """Lists a tranche's blocks with their latest decision; records decisions; shows a block's history."""

    storeChanged = Signal(str)   # the store's location, or "" when closed

    def __init__(self, runner: TaskRunner, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.runner = runner
        self.store: Optional[ReviewStore] = None
        self.listing = pd.DataFrame()

        self.store_label = QLabel("No review store open.")
        self.store_label.setWordWrap(True)
        open_gpkg = QPushButton("Open GeoPackage…")
        open_gpkg.clicked.connect(self.choose_geopackage)
        connect_pg = QPushButton("Connect to PostgreSQL…")
        connect_pg.clicked.connect(self.choose_postgres)
        self.publish_button = QPushButton("Publish scores…")
        self.publish_button.setToolTip("Put a score GeoPackage into the store as a tranche (owners only)")
        self.publish_button.clicked.connect(self.choose_scores_to_publish)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        store_row = QGridLayout()   # two by two, so the dock stays narrow beside the map
        for position, button in enumerate((open_gpkg, connect_pg, self.publish_button, self.refresh_button)):
            store_row.addWidget(button, position // 2, position % 2)

        self.tranche_box = QComboBox()
        self.tranche_box.currentTextChanged.connect(lambda _name: self.refresh_blocks())
        self.blocks_table = self._table(LISTING_HEADINGS)
        self.blocks_table.itemSelectionChanged.connect(self._show_selected)

        self.block_label = QLabel("Select a block.")
        self.decision_box = QComboBox()
        self.decision_box.addItems(DECISIONS)
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setPlaceholderText("Comment: what was checked, what is missing, why")
        self.comment_edit.setMaximumHeight(70)
        self.decide_button = QPushButton("Record decision")
        self.decide_button.clicked.connect(self.record_decision)
        decide_box = QGroupBox("Decision")
        decide_form = QFormLayout(decide_box)
        decide_form.addRow(self.block_label)
        decide_form.addRow("Decision", self.decision_box)
        decide_form.addRow("Comment", self.comment_edit)
        decide_form.addRow(self.decide_button)

        self.history_table = self._table(HISTORY_HEADINGS)
        history_box = QGroupBox("History of the block")
        QVBoxLayout(history_box).addWidget(self.history_table)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(decide_box)
        lower_layout.addWidget(history_box)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.blocks_table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.store_label)
        layout.addLayout(store_row)
        tranche_row = QHBoxLayout()
        tranche_row.addWidget(QLabel("Tranche"))
        tranche_row.addWidget(self.tranche_box, 1)
        layout.addLayout(tranche_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        self._update_buttons()

    @staticmethod
    def _table(headings) -> QTableWidget:
        table = QTableWidget(0, len(headings))
        table.setHorizontalHeaderLabels(list(headings))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # ------------------------------------------------------------ messages

    def show_message(self, text: str, problem: bool = False) -> None:
        self.message.setStyleSheet("color: #a50026;" if problem else "color: #1a6b32;")
        self.message.setText(text)

    def _update_buttons(self) -> None:
        has_store = self.store is not None
        self.publish_button.setEnabled(has_store)
        self.refresh_button.setEnabled(has_store)
        self.decide_button.setEnabled(has_store and self.selected_block() is not None)

    # ------------------------------------------------------------ the store

    def choose_geopackage(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a review GeoPackage", "", "GeoPackage (*.gpkg)")
        if path:
            self.open(path)

    def choose_postgres(self) -> None:
        from gui.main_window import app_settings
        from layers.review.pg_store import safe_conninfo

        settings = app_settings()
        dialog = PostgresDialog(self, str(settings.value("review/last_connection", "")))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            settings.setValue("review/last_connection", safe_conninfo(dialog.conninfo(with_password=False)))
            self.open(dialog.conninfo())

    def open(self, target: str) -> Task:
        """Open the store at ``target`` off the GUI thread (a remote server may be slow to answer)."""
        self.show_message("Connecting…")
        task = Task("Opening the review store", lambda _feedback: open_store(target))
        task.succeeded.connect(self.set_store)
        task.failed.connect(lambda exc: self.show_message(self._refusal(exc), problem=True))
        self.runner.start(task)
        return task

    def set_store(self, store: ReviewStore) -> None:
        if self.store is not None:
            self.store.close()
        self.store = store
        self.store_label.setText(f"Review store: <b>{store.location}</b> — you are <b>{store.user}</b>")
        self.storeChanged.emit(store.location)
        self.show_message("")
        self.refresh()

    def close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
            self.storeChanged.emit("")

    @staticmethod
    def _refusal(exc: BaseException) -> str:
        return str(exc) if isinstance(exc, KhanijError) else f"Unexpected error: {exc}"

    def _guarded(self, work):
        """Run ``work()``; a refusal or error of the store becomes the panel's message (None returned)."""
        try:
            return work()
        except KhanijError as exc:
            self.show_message(self._refusal(exc), problem=True)
            return None

    def choose_scores_to_publish(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Publish a score output", "", "GeoPackage (*.gpkg)")
        if path:
            self.publish(path)

    def publish(self, path: str, tranche: Optional[str] = None) -> Task:
        """Publish the score GeoPackage at ``path`` as ``tranche`` (default its name) off the GUI thread."""
        from layers.review.cli import read_scored_blocks

        name = tranche or Path(path).stem
        store = self.store

        def work(feedback):
            feedback.progress(0.0, f"reading {Path(path).name}")
            scores = read_scored_blocks(path)
            feedback.progress(0.3, f"publishing {len(scores):,} blocks")
            store.publish(scores, name, Path(path).name)
            return len(scores)

        task = Task(f"Publishing {Path(path).name}", work)
        task.succeeded.connect(lambda count: (self.refresh(name),
                                              self.show_message(f"Published {count:,} blocks as tranche {name}.")))
        task.failed.connect(lambda exc: self.show_message(self._refusal(exc), problem=True))
        self.runner.start(task)
        return task

    # ------------------------------------------------------------ listing

    def refresh(self, tranche: Optional[str] = None) -> None:
        """Reload the tranches (keeping the one shown, or showing ``tranche``) and their blocks."""
        if self.store is None:
            return
        tranches = self._guarded(self.store.tranches)
        if tranches is None:
            return
        keep = tranche or self.tranche_box.currentText()
        self.tranche_box.blockSignals(True)
        self.tranche_box.clear()
        for item in tranches:
            label = item.name + (f" (withdrawn by {item.withdrawn_by})" if item.withdrawn else "")
            self.tranche_box.addItem(label, item.name)
        index = max(0, self.tranche_box.findData(keep))
        self.tranche_box.setCurrentIndex(index)
        self.tranche_box.blockSignals(False)
        self.refresh_blocks()

    def current_tranche(self) -> Optional[str]:
        return self.tranche_box.currentData()

    def refresh_blocks(self) -> None:
        selected = self.selected_block()
        selected_id = None if selected is None else selected["block_id"]
        tranche = self.current_tranche()
        listing = self._guarded(lambda: self.store.blocks(tranche)) if self.store and tranche else None
        self.listing = listing if listing is not None else pd.DataFrame()
        table = self.blocks_table
        table.setSortingEnabled(False)
        table.setRowCount(len(self.listing))
        for row, block in enumerate(self.listing.itertuples(index=False)):
            cells = (block.block_id, _text(block.block_name), _text(block.readiness),
                     "" if pd.isna(block.score) else f"{block.score:.1f}", _text(block.decision) or "—",
                     str(block.version), _text(block.reviewer), _when(block.decided_at))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2 and text in READINESS_COLOURS:
                    item.setForeground(_colour(READINESS_COLOURS[text]))
                if column == 4 and text in DECISION_COLOURS:
                    item.setForeground(_colour(DECISION_COLOURS[text]))
                if column in (3, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
        if selected_id is not None:
            self.select_block(selected_id)
        self._show_selected()

    def select_block(self, block_id: str) -> None:
        matches = self.listing.index[self.listing["block_id"] == block_id] if len(self.listing) else []
        if len(matches):
            self.blocks_table.selectRow(int(matches[0]))

    def selected_block(self) -> Optional[pd.Series]:
        rows = self.blocks_table.selectionModel().selectedRows() if self.blocks_table.selectionModel() else []
        if not rows or not len(self.listing) or rows[0].row() >= len(self.listing):
            return None
        return self.listing.iloc[rows[0].row()]

    def _show_selected(self) -> None:
        block = self.selected_block()
        self._update_buttons()
        if block is None:
            self.block_label.setText("Select a block.")
            self.history_table.setRowCount(0)
            return
        last = f"{block['decision']} by {block['reviewer']}" if _text(block["decision"]) else "no decision yet"
        self.block_label.setText(f"<b>{block['block_id']}</b> {_text(block['block_name'])} — version "
                                 f"{block['version']}, {last}")
        history = self._guarded(lambda: self.store.history(self.current_tranche(), block["block_id"]))
        history = history if history is not None else pd.DataFrame(columns=["version"])
        self.history_table.setRowCount(len(history))
        for row, entry in enumerate(history.itertuples(index=False)):
            for column, text in enumerate((str(entry.version), entry.decision, entry.reviewer, _when(entry.decided_at),
                                           _text(entry.comment))):
                self.history_table.setItem(row, column, QTableWidgetItem(text))

    # ------------------------------------------------------------ deciding

    def record_decision(self) -> None:
        """Record the chosen decision on the version of the block shown; a stale version is refused and shown."""
        block = self.selected_block()
        if self.store is None or block is None:
            return
        block_id = block["block_id"]
        try:
            decision = self.store.decide(self.current_tranche(), block_id, self.decision_box.currentText(),
                                         self.comment_edit.toPlainText().strip(), int(block["version"]))
        except StaleDecision as stale:
            self.refresh_blocks()
            self.select_block(block_id)
            self.show_message(f"Not recorded: {stale} Your comment is kept.", problem=True)
            return
        except KhanijError as exc:
            self.show_message(f"Not recorded: {self._refusal(exc)}", problem=True)
            return
        self.comment_edit.clear()
        self.refresh_blocks()
        self.select_block(block_id)
        self.show_message(f"Recorded: {block_id} {decision.describe()}.")


def _colour(name: str):
    from PySide6.QtGui import QColor

    return QColor(name)
