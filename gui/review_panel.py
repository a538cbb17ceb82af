"""The Review panel: a tranche's blocks with their latest decision, recording a decision, a block's history.

A view on :mod:`layers.review` (the same functions as ``khanij review``): the store is a
GeoPackage (``review.gpkg`` beside the project unless the user picks another) or a PostgreSQL
database chosen with :class:`PostgresDialog`. An owner publishes the project's current scores
(those of the Auction readiness panel, with their rules version, hash and as-of date) or a score
GeoPackage. Each decision is sent with the version of the block the reviewer was looking at; when
someone else decided meanwhile the store refuses it, the panel says who and when, shows the new
state and history, and keeps the comment typed so the reviewer can decide again. Refusals by the
database are shown in words.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
    QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSplitter, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from geo.errors import KhanijError
from layers.review import DECISIONS, ReviewStore, StaleDecision, format_time, is_postgres, open_store
from layers.style import READINESS_COLOURS

from gui.workers import Task, TaskRunner

# What a reviewer scans first comes first (the dock is narrow); the name, long, stretches last.
LISTING_HEADINGS = ("Block", "Decision", "Version", "Readiness", "Score", "Reviewer", "When", "Name")
HISTORY_HEADINGS = ("Version", "Decision", "By, when", "Comment")  # who and when on two lines: room for the comment
DECISION_COLOURS = {"approved": "#1a9850", "rejected": "#d73027", "needs information": "#e08214",
                    "proposed": "#4575b4", "withdrawn": "#7f7f7f"}


@dataclass(frozen=True)
class ProjectScores:
    """The project's current scores as the Auction readiness panel holds them, ready to publish."""

    frame: Any          # the score GeoDataFrame (every column the scorer wrote, with the blocks' shapes)
    tranche: str        # the tranche name proposed: the project's name, else the blocks layer's
    source: str         # where the run came from, recorded with it ("jharkhand.khanij: blocks")
    out_of_date: bool   # the inputs changed since the scores were computed


NO_PROJECT_SCORES = "The project has no scores yet: run the scoring in the Auction readiness panel, then publish."
STALE_PROJECT_SCORES = ("The project's scores are out of date (the scoring inputs changed since they were computed): "
                        "run the scoring again in the Auction readiness panel, then publish.")


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

    def __init__(self, runner: TaskRunner, parent: Optional[QWidget] = None,
                 project_scores: Optional[Callable[[], Optional[ProjectScores]]] = None,
                 project_folder: Optional[Callable[[], Optional[Path]]] = None):
        super().__init__(parent)
        self.runner = runner
        self.project_scores = project_scores or (lambda: None)
        self.project_folder = project_folder or (lambda: None)
        self.store: Optional[ReviewStore] = None
        self.listing = pd.DataFrame()
        self.publishing: Optional[Task] = None
        self.remembered_connection = ""  # the project's PostgreSQL store, to fill the dialog if it needs a password

        self.store_label = QLabel("No review store open.")
        self.store_label.setWordWrap(True)
        open_gpkg = QPushButton("GeoPackage…")
        open_gpkg.setToolTip("Open a review GeoPackage, or make one (default: review.gpkg beside the project)")
        open_gpkg.clicked.connect(self.choose_geopackage)
        connect_pg = QPushButton("PostgreSQL…")
        connect_pg.setToolTip("Connect to a shared review database (PostgreSQL + PostGIS)")
        connect_pg.clicked.connect(self.choose_postgres)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.publish_project_button = QPushButton("Publish project scores…")
        self.publish_project_button.setToolTip("Put the scores of the Auction readiness panel into the store as a "
                                               "tranche, with their rules version, hash and as-of date (owners only)")
        self.publish_project_button.clicked.connect(self.choose_project_publish)
        self.publish_button = QPushButton("Publish a score file…")
        self.publish_button.setToolTip("Put a score GeoPackage written by 'khanij score' into the store as a tranche "
                                       "(owners only)")
        self.publish_button.clicked.connect(self.choose_scores_to_publish)
        store_row = QGridLayout()   # two a row, so the dock stays narrow beside the map
        for position, button in enumerate((open_gpkg, connect_pg, self.publish_project_button, self.publish_button,
                                           self.refresh_button)):
            store_row.addWidget(button, position // 2, position % 2)

        self.tranche_box = QComboBox()
        self.run_label = QLabel()  # what the scores under review were computed from
        self.run_label.setWordWrap(True)
        self.run_label.setStyleSheet("color: #555;")
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
        # The comment is what a reviewer reads: it takes the width left and wraps, never hidden off the side.
        self.history_table.horizontalHeader().setSectionResizeMode(len(HISTORY_HEADINGS) - 1,
                                                                  QHeaderView.ResizeMode.Stretch)
        self.history_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history_table.setWordWrap(True)
        history_box = QGroupBox("History of the block")
        QVBoxLayout(history_box).addWidget(self.history_table)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(decide_box)
        lower_layout.addWidget(self.message)  # under the button that caused it: a refusal is never below the fold
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
        layout.addWidget(self.run_label)
        layout.addWidget(splitter, 1)
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
        for button in (self.publish_project_button, self.publish_button):
            button.setEnabled(has_store and self.publishing is None)
        self.refresh_button.setEnabled(has_store)
        self.decide_button.setEnabled(has_store and self.selected_block() is not None)

    # ------------------------------------------------------------ the store

    def default_geopackage(self) -> str:
        """``review.gpkg`` beside the project (the embedded default store), or in the current folder."""
        folder = self.project_folder()
        return str(Path(folder) / "review.gpkg") if folder else "review.gpkg"

    def choose_geopackage(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Open or make a review GeoPackage", self.default_geopackage(),
                                              "GeoPackage (*.gpkg)",
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.open(path, create=True)

    def choose_postgres(self) -> None:
        from gui.main_window import app_settings
        from layers.review.pg_store import safe_conninfo

        settings = app_settings()
        dialog = PostgresDialog(self, self.remembered_connection or str(settings.value("review/last_connection", "")))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            settings.setValue("review/last_connection", safe_conninfo(dialog.conninfo(with_password=False)))
            self.open(dialog.conninfo())

    def open(self, target: str, create: bool = False) -> Task:
        """Open the store at ``target`` off the GUI thread (a remote server may be slow to answer).

        ``create`` makes a GeoPackage store that does not exist yet (the tables are added to an
        existing GeoPackage, such as the tranche's own score file).
        """
        self.show_message("Connecting…")
        task = Task("Opening the review store", lambda _feedback: open_store(target, create=create))
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

    def saved_store(self, relative_to: Optional[Path] = None) -> Optional[dict]:
        """What a project keeps of the open store (:meth:`ReviewStore.target`: never a password), or None."""
        return None if self.store is None else {"store": self.store.target(relative_to)}

    def restore_store(self, saved, relative_to: Optional[Path] = None) -> Optional[Task]:
        """Open the store a project kept (:meth:`saved_store`); PostgreSQL takes the password from libpq's sources."""
        target = saved.get("store") if isinstance(saved, dict) else None
        if not isinstance(target, str) or not target:
            return None
        if is_postgres(target):
            self.remembered_connection = target
            return self.open(target)
        from layers.project import source_path

        return self.open(str(source_path(target, relative_to)))

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
        from layers.review import read_scored_blocks

        return self._start_publish(read_scored_blocks, path, tranche or Path(path).stem, Path(path).name)

    def choose_project_publish(self) -> None:
        current = self._publishable_project_scores()
        if current is None:
            return
        name, accepted = QInputDialog.getText(self, "Publish the project's scores", "Tranche name:", text=current.tranche)
        if accepted and name.strip():
            self.publish_project_scores(name.strip())

    def _publishable_project_scores(self) -> Optional[ProjectScores]:
        """The project's scores, or None with the reason shown (none yet, or out of date)."""
        current = self.project_scores()
        if current is None or current.out_of_date:
            self.show_message(NO_PROJECT_SCORES if current is None else STALE_PROJECT_SCORES, problem=True)
            return None
        return current

    def publish_project_scores(self, tranche: Optional[str] = None) -> Optional[Task]:
        """Publish the project's current scores as ``tranche`` (default: the project's name) off the GUI thread.

        Out-of-date scores are refused: a tranche under review must be what the inputs give now.
        """
        current = self._publishable_project_scores()
        if current is None:
            return None
        return self._start_publish(lambda frame: frame, current.frame, tranche or current.tranche, current.source)

    def _start_publish(self, load: Callable[[Any], Any], what, tranche: str, source: str) -> Task:
        """Publish ``load(what)`` as ``tranche`` on a worker thread, through a connection of its own.

        The panel's connection stays free for the reviewer's decisions meanwhile (a decision must
        not join the publish's transaction).
        """
        store = self.store

        def work(feedback):
            feedback.progress(0.0, f"reading {source}")
            scores = load(what)
            with store.reopen() as own:
                own.publish(scores, tranche, source, feedback.sub(0.2, 0.95))
            feedback.settle(f"tranche {tranche} stored")   # committed: a Cancel from now on changes nothing
            return len(scores)

        task = Task(f"Publishing {source} as tranche {tranche}", work)
        task.succeeded.connect(lambda count: (self.refresh(tranche), self.show_message(
            f"Published {count:,} blocks of {source} as tranche {tranche}."
            + (" The Cancel came after the tranche was stored: nothing was cancelled." if task.feedback.cancelled
               else ""))))
        task.failed.connect(lambda exc: self.show_message(f"Not published: {self._refusal(exc)}", problem=True))
        task.cancelled.connect(lambda: self.show_message(f"Publishing cancelled: tranche {tranche} was not changed."))
        task.finished.connect(self._publish_finished)
        self.publishing = task
        self._update_buttons()
        self.show_message(f"Publishing {source} as tranche {tranche}…")
        self.runner.start(task)
        return task

    def _publish_finished(self) -> None:
        self.publishing = None
        self._update_buttons()

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
        run = self._guarded(lambda: self.store.latest_run(tranche)) if listing is not None else None
        self.run_label.setText("" if run is None else f"Scores: {run.describe()}.")
        self.listing = listing if listing is not None else pd.DataFrame()
        table = self.blocks_table
        table.setSortingEnabled(False)
        table.setRowCount(len(self.listing))
        for row, block in enumerate(self.listing.itertuples(index=False)):
            cells = {"Block": block.block_id, "Decision": _text(block.decision) or "—", "Version": str(block.version),
                     "Readiness": _text(block.readiness), "Score": "" if pd.isna(block.score) else f"{block.score:.1f}",
                     "Reviewer": _text(block.reviewer), "When": _when(block.decided_at), "Name": _text(block.block_name)}
            for column, heading in enumerate(LISTING_HEADINGS):
                text = cells[heading]
                item = QTableWidgetItem(text)
                colour = (READINESS_COLOURS if heading == "Readiness" else DECISION_COLOURS).get(text)
                if colour is not None and heading in ("Readiness", "Decision"):
                    item.setForeground(_colour(colour))
                if heading in ("Score", "Version"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if heading == "Name":
                    item.setToolTip(text)
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
            for column, text in enumerate((str(entry.version), entry.decision,
                                           f"{entry.reviewer}\n{_when(entry.decided_at)}", _text(entry.comment))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.history_table.setItem(row, column, item)

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
