"""The main window: map canvas in the centre, layer tree (left), attribute table and identify
results (bottom), state picker and tools in the toolbar, status bar with cursor, scale, CRS and
progress.

The window owns one :class:`layers.LayerList`; every panel is a view of it. Files and projects
load off the GUI thread (:mod:`gui.workers`); a file that fails is reported by name and the others
carry on.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional, Sequence

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QToolBar, QVBoxLayout,
    QWidget,
)

from geo.errors import KhanijError, describe_path
from layers.history import History
from layers.layer import Layer, LayerList
from layers.scoring_setup import PROJECT_KEY as SETUP_KEY, ScoringSetup

from gui.about import show_about
from gui.attribute_table import AttributeTable, FindFeatureDialog
from gui.canvas import MapCanvas
from gui.converter_dialog import ConverterDialog
from gui.export_dialogs import ExportActions
from gui.identify_panel import IdentifyPanel
from gui.layer_tree import LayerPanel
from gui.measure_panel import MeasurePanel
from gui.message_bar import MessageBar
from gui.model_links import listen_while_alive
from gui.readiness_panel import OUT_OF_DATE_TEXT, ReadinessPanel
from gui.layer_properties import LayerPropertiesDialog
from gui.review_panel import ProjectScores, ReviewPanel
from gui.scrolling import scrollable
from gui.state_picker import StatePicker
from gui.status_bar import StatusBar
from gui.style_dialog import StyleDialog
from gui.workbench import Workbench
from gui.workers import Task, TaskRunner

APP_NAME = "Khanij"
PROJECT_SUFFIX = ".khanij"
RESULTS_KEY = "readiness_results"
REVIEW_KEY = "review"  # the Review panel's store (a GeoPackage path or a connection string without password)
# Below this width the readiness panel shares the left dock with the layers (as tabs), so the
# map keeps most of a 1024-pixel screen.
COMPACT_WIDTH_PX = 1280
MAX_RECENT = 10
MAX_MESSAGE_LINES = 8
SAMPLE_BANNER = ("Illustrative sample atlas: the deposits, blocks, forest, protected areas and the magnetic "
                 "grid are made up for demonstration and are not official data. Open your own files with "
                 "Ctrl+O or drop them on the window.")
OPEN_FILTER = ("All supported files (*.khanij *.gpkg *.shp *.geojson *.json *.topojson *.kml *.kmz *.csv *.xlsx "
               "*.tif *.tiff);;Khanij projects (*.khanij);;Vector files (*.gpkg *.shp *.geojson *.json *.topojson "
               "*.kml *.kmz);;Tables with coordinates (*.csv *.xlsx);;Rasters (*.tif *.tiff);;All files (*)")
TOOLS = (("pan", "Pan", "Drag to move the map"),
         ("zoom_box", "Zoom box", "Drag a box to zoom in"),
         ("identify", "Identify", "Click a feature to see its attributes, or a raster for its value"),
         ("select", "Select", "Click or drag a box to select features of the current layer"),
         ("measure_distance", "Measure distance", "Click points; double-click to finish (geodesic km)"),
         ("measure_area", "Measure area", "Click corners; double-click to finish (geodesic hectares)"))


def load_layers(feedback, paths: Sequence[str], deliver) -> list[tuple[str, str]]:
    """Read each file (every layer of a multi-layer file) and hand its layers to ``deliver``.

    Runs on a worker thread. A file that fails does not stop the others: its error is kept and
    returned as ``(file name, problem)`` pairs. Cancelling stops before the next file.
    """
    from geo import read_all

    failures = []
    for number, path in enumerate(paths):
        part = feedback.sub(number / len(paths), (number + 1) / len(paths))
        part.progress(0.0, f"Opening {describe_path(path)} ({number + 1} of {len(paths)})")
        try:
            results = read_all(path, feedback=part)
            layers = [Layer.from_read_result(result) for result in results]
        except KhanijError as exc:
            failures.append((describe_path(path), str(exc)))
            continue
        feedback.check()
        deliver((path, layers))
        part.progress(1.0, f"Opened {describe_path(path)}")
    return failures


ROLE_DRAWING_ORDER = ("deposits", "blocks", "protected_areas", "forest", "infrastructure", "evidence", "boundaries")


def drawing_rank(layer) -> tuple[int, int]:
    """Where a new layer goes: points above lines above areas above rasters, and within each,
    deposits above blocks above constraints above infrastructure above boundaries. Lower ranks
    are drawn on top."""
    kind = 3 if layer.kind == "raster" else {"point": 0, "line": 1, "mixed": 1}.get(layer.geometry_kind, 2)
    role = ROLE_DRAWING_ORDER.index(layer.role) if layer.role in ROLE_DRAWING_ORDER else len(ROLE_DRAWING_ORDER)
    return kind, role


def app_settings() -> QSettings:
    """The app's settings store; ``KHANIJ_SETTINGS_ORG`` keeps tests away from the user's own."""
    return QSettings(os.environ.get("KHANIJ_SETTINGS_ORG", APP_NAME), APP_NAME)


class MainWindow(QMainWindow):
    """See the module docstring.

    Signals
    -------
    loadFinished()
        A batch of files or a project has finished loading (success, failure or cancel).
    """

    loadFinished = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layer_list = LayerList()
        self.scoring_setup = ScoringSetup()
        self.history = History(self.layer_list, self.scoring_setup)
        self.undo_stack = QUndoStack(self)
        # Edit ▸ Undo acts on the active stack: the map's, or the block edits' while editing (as QGIS
        # undoes the edits of the layer being edited).
        self.undo_group = QUndoGroup(self)
        self.undo_group.addStack(self.undo_stack)
        self.undo_group.setActiveStack(self.undo_stack)
        self.unsaved = False
        self.settings = app_settings()
        self.runner = TaskRunner(self)
        self.project_path: Optional[Path] = None
        self.messages: list[str] = []
        self._message_box: Optional[QMessageBox] = None
        self._converter: Optional[ConverterDialog] = None
        self._first_load = True

        self.canvas = MapCanvas(self.layer_list)
        self.sample_banner = QLabel(SAMPLE_BANNER)
        self.sample_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.sample_banner.setWordWrap(True)
        self.sample_banner.setStyleSheet("QLabel { background: #fff4ce; color: #3d3000; padding: 5px 10px;"
                                         " border-bottom: 1px solid #e0c97a; }")
        self.sample_banner.hide()
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.message_bar = MessageBar()
        self.message_bar.detailsRequested.connect(self.show_message_details)
        column.addWidget(self.sample_banner)
        column.addWidget(self.message_bar)
        column.addWidget(self.canvas, 1)
        self.setCentralWidget(centre)
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbars()
        self._connect()
        self.workbench = Workbench(self)
        self.readiness_dock.raise_()     # the first tab on the right, before Review and Live verdict
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self.update_title()
        self.status.show_crs(self.canvas.display_crs)
        self.resize(1400, 900)
        self._restore_settings()
        self._fit_screen()

    # --- construction ----------------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.layer_panel = LayerPanel(self.layer_list)
        self.layer_tree = self.layer_panel.tree
        self.layers_dock = self._dock("Layers", "layers_dock", self.layer_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.layer_panel.setMinimumWidth(300)
        self.table = AttributeTable()
        self.identify = IdentifyPanel()
        self.table_dock = self._dock("Attribute table", "table_dock", self.table, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.identify_dock = self._dock("Identify results", "identify_dock", self.identify,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        self.measure_panel = MeasurePanel(self.canvas)
        self.measure_dock = self._dock("Measure", "measure_dock", self.measure_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.table_dock, self.identify_dock)
        self.tabifyDockWidget(self.identify_dock, self.measure_dock)
        self.table_dock.hide()
        self.identify_dock.hide()
        self.measure_dock.hide()
        self.readiness = ReadinessPanel(self.layer_list, self.canvas, self.runner, self.scoring_setup)
        self.readiness_dock = self._dock("Auction readiness", "readiness_dock", scrollable(self.readiness),
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.review = ReviewPanel(self.runner, project_scores=self.project_scores,  # issue 15: the team's review
                                  project_folder=lambda: self.project_path.parent if self.project_path else None)
        self.review_dock = self._dock("Review", "review_dock", scrollable(self.review),
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.readiness_dock, self.review_dock)

    def project_scores(self) -> Optional[ProjectScores]:
        """The readiness scores shown (what the Review panel publishes), or None before the first run."""
        layer = self.readiness.scores_layer
        if layer is None:
            return None
        blocks = self.readiness.scored_blocks
        project = self.project_path.name if self.project_path else "unsaved project"
        source = f"{project}: {blocks.name if blocks is not None else layer.name}"
        tranche = self.project_path.stem if self.project_path else (blocks.name if blocks is not None else layer.name)
        return ProjectScores(layer.data, tranche, source, self.readiness.out_of_date)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text.replace("…", ""))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open,
                                        "Open data files or a project (several at once)")
        self.save_action = self._action("&Save project", self.save_project, "Ctrl+S")
        self.save_as_action = self._action("Save project &as…", self.save_project_as, "Ctrl+Shift+S")
        self.quit_action = self._action("&Quit", self.quit, "Ctrl+Q")
        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addActions([self.undo_action, self.redo_action])
        self.refresh_action = self._action("&Refresh map", self.refresh, "F5")
        self.find_action = self._action("&Find feature…", self.find_feature, "Ctrl+F",
                                        "Search the current layer's attributes and zoom to a feature")
        self.full_extent_action = self._action("Zoom to &full extent", self.canvas.zoom_to_full_extent, "Ctrl+Shift+F")
        self.zoom_layer_action = self._action("Zoom to &layer", self.zoom_to_current_layer)
        self.zoom_selection_action = self._action("Zoom to &selection", self.zoom_to_selection, "Ctrl+J")
        self.table_action = self._action("Open &attribute table", self.open_current_table, "F6")
        self.style_action = self._action("S&tyle…", self.style_current_layer)
        self.converter_action = self._action("UNFC ⇄ JORC &converter…", self.open_converter, "Ctrl+K",
                                             "Convert UNFC codes and JORC categories, one or a whole column")
        self.readiness_action = self._action("Auction &readiness…", self.open_readiness, "Ctrl+R",
                                             "Score the blocks for auction readiness (right panel)")
        self.tool_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for name, text, tip in TOOLS:
            action = QAction(text, self)
            action.setCheckable(True)
            action.setStatusTip(tip)
            action.setToolTip(f"{text}: {tip}")
            action.triggered.connect(lambda _checked=False, n=name: self.set_tool(n))
            group.addAction(action)
            self.tool_actions[name] = action
        self.tool_actions["pan"].setChecked(True)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addSeparator()
        self.exports = ExportActions(self, file_menu.addMenu("&Export"))
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit = self.edit_menu = bar.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        view = bar.addMenu("&View")
        for action in (self.full_extent_action, self.zoom_layer_action, self.zoom_selection_action,
                       self.refresh_action):
            view.addAction(action)
        view.addSeparator()
        for dock in (self.layers_dock, self.table_dock, self.identify_dock, self.measure_dock, self.readiness_dock,
                     self.review_dock):
            view.addAction(dock.toggleViewAction())
        layer = bar.addMenu("&Layer")
        for action in (self.table_action, self.style_action, self.find_action):
            layer.addAction(action)
        tools = bar.addMenu("&Tools")
        for action in self.tool_actions.values():
            tools.addAction(action)
        tools.addSeparator()
        tools.addAction(self.converter_action)
        tools.addAction(self.readiness_action)
        bar.addMenu("&Help").addAction(self._action("&About Khanij…", lambda: show_about(self), None,
                                                    "Version, and the attributions of the shipped data"))
        self._fill_recent_menu()

    def _build_toolbars(self) -> None:
        files = QToolBar("Files")
        files.setObjectName("files_toolbar")
        for action in (self.open_action, self.save_action):
            files.addAction(action)
        self.addToolBar(files)
        tools = QToolBar("Map tools")
        tools.setObjectName("map_toolbar")
        tools.addAction(self.full_extent_action)
        tools.addAction(self.zoom_selection_action)
        tools.addSeparator()
        for action in self.tool_actions.values():
            tools.addAction(action)
        self.addToolBar(tools)
        states = self.states_toolbar = QToolBar("State")
        states.setObjectName("state_toolbar")
        states.addWidget(QLabel(" State: "))
        self.state_picker = StatePicker(self.layer_list, scoring_setup=self.scoring_setup)
        states.addWidget(self.state_picker)
        states.addSeparator()
        states.addAction(self.converter_action)
        self.addToolBar(states)

    def _connect(self) -> None:
        canvas = self.canvas
        canvas.cursorMoved.connect(self.status.show_cursor)
        canvas.extentChanged.connect(lambda: self.status.show_scale(self.canvas.scale_denominator()))
        canvas.identified.connect(self._on_identified)
        canvas.selectionChanged.connect(self._on_canvas_selection)
        canvas.measured.connect(self._on_measured)
        self.table.selectionChanged.connect(lambda layer, positions: canvas.set_selection(layer, positions))
        self.table.zoomRequested.connect(lambda layer, positions: canvas.zoom_to_features(layer, positions))
        self.identify.featureActivated.connect(lambda layer, index: canvas.set_selection(layer, [index]))
        tree = self.layer_tree
        tree.currentLayerChanged.connect(self._on_current_layer)
        tree.zoomToLayer.connect(canvas.zoom_to_layer)
        tree.openTable.connect(self.open_table)
        tree.editStyle.connect(self.edit_style)
        tree.showProperties.connect(self.show_properties)
        self.state_picker.stateChosen.connect(self._on_state_chosen)
        listen_while_alive(self, self.layer_list.events.changed, lambda _event=None: self.mark_unsaved())
        listen_while_alive(self, self.scoring_setup.events.changed, lambda _event=None: self.mark_unsaved())
        listen_while_alive(self, self.history.events.recorded, lambda event: self.undo_stack.push(UndoStep(event.change)))
        self.readiness.untracked = self.history.suspended
        self.readiness.outOfDateChanged.connect(lambda _stale: self._mark_table())
        self.runner.taskStarted.connect(self.status.progress.follow)

    # --- layers and files ----------------------------------------------------------------------
    def add_layers(self, layers: Iterable) -> None:
        """Add layers in one batch (one redraw), each on top of the layers it cannot hide:
        points above lines above areas above rasters, newest first within each."""
        layers = list(layers)
        with self.layer_list.batch():
            for layer in reversed(sorted(layers, key=drawing_rank)):
                rank = drawing_rank(layer)
                position = next((i for i, other in enumerate(self.layer_list) if drawing_rank(other) >= rank),
                                len(self.layer_list))
                self.layer_list.insert(position, layer)
        if layers and self.layer_tree.current_layer() is None:
            self.layer_tree.set_current_layer(layers[0])

    def open_sample_atlas(self) -> None:
        """Show the embedded, illustrative sample atlas (small: read on the GUI thread)."""
        from layers.atlas import load_sample_atlas

        atlas = list(load_sample_atlas())
        self.add_layers(atlas)
        self.scoring_setup.adopt_roles(atlas)
        self._first_load = False
        self.undo_stack.clear()
        self.mark_saved()
        self.canvas.zoom_to_full_extent()

    def open_paths(self, paths: Sequence[str]) -> Optional[Task]:
        """Open files and projects; data files load on a worker with progress and Cancel."""
        paths = [str(p) for p in paths]
        projects = [p for p in paths if p.lower().endswith(PROJECT_SUFFIX)]
        data = [p for p in paths if not p.lower().endswith(PROJECT_SUFFIX)]
        if projects:
            return self.open_project(projects[0])
        if not data:
            return None
        opened: list = []
        task = Task(f"Opening {len(data)} file{'s' if len(data) > 1 else ''}", load_layers, data, produces=True)
        task.produced.connect(lambda item: self._add_opened(*item, opened))
        task.succeeded.connect(lambda failures: self._report_opened(opened, failures))
        task.failed.connect(lambda exc: self.show_problem("Could not open the files", [("", str(exc))]))
        task.cancelled.connect(lambda: self.status.showMessage("Opening cancelled; files already open are kept.", 8000))
        task.cancelled.connect(lambda: self._report_opened(opened, []))
        task.finished.connect(self._after_load)
        return self.runner.start(task)

    def _add_opened(self, path: str, layers: list, opened: list) -> None:
        """Show a file's layers as soon as it is read, and list it under Open recent (a file that
        failed is never listed)."""
        opened.extend(layers)
        self.add_layers(layers)
        self.remember_recent(path)

    def _report_opened(self, layers: list, failures: list) -> None:
        """One message per batch: the files that failed, then what to know about the ones that opened."""
        notes = [("", note) for note in self.opening_notes(layers)]
        if failures:
            self.show_problem("Some files could not be opened", [*failures, *notes])
        elif notes:
            self.show_problem("Opened, with notes", notes, QMessageBox.Icon.Information)

    def opening_notes(self, layers: Sequence[Layer]) -> list[str]:
        """What the user must know about layers just opened, in sentences that name the file.

        The read's own notes (CRS unknown or assumed, rows without geometry, invalid geometries,
        a guessed text encoding, a raster of nodata ...), then why a layer is not drawn on the map.
        """
        notes: list[str] = []
        for layer in layers:
            messages = layer.read_result.messages if layer.read_result is not None else []
            notes.extend(message for message in messages if message not in notes)
        not_drawn = self.canvas.skipped_reasons()
        for layer in layers:
            if layer.id in not_drawn:
                reason = not_drawn[layer.id].removeprefix(f"{layer.name}: ")
                notes.append(f"{_layer_place(layer)}: not drawn on the map: {reason}")
        return notes

    def _after_load(self) -> None:
        if self._first_load and len(self.layer_list):
            self._first_load = False
            self.canvas.zoom_to_full_extent()
        self.loadFinished.emit()

    def show_problem(self, title: str, problems: Sequence[tuple[str, str]],
                     icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> None:
        """Tell the user what failed, one line per file, without stopping anything: the message
        bar over the map says it in one line; Details… opens every line in a non-modal box.

        Past :data:`MAX_MESSAGE_LINES` lines the box shows the first ones and keeps them all under
        "Show Details…", so many files at once never make a box taller than the screen.
        """
        lines = [f"{name}: {problem}" if name and not problem.startswith(name) else problem
                 for name, problem in problems]
        self.messages.extend(lines)
        shown = lines[:MAX_MESSAGE_LINES]
        if len(lines) > len(shown):
            shown.append(f"… and {len(lines) - len(shown)} more: see Show Details.")
        if self._message_box is not None:   # the previous details: gone now, or when the user closes them
            if self._message_box.isVisible():
                self._message_box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            else:
                self._message_box.deleteLater()
        box = QMessageBox(icon, title, "\n\n".join(shown), QMessageBox.StandardButton.Ok, self)
        if len(lines) > MAX_MESSAGE_LINES:
            box.setDetailedText("\n\n".join(lines))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowModality(Qt.WindowModality.NonModal)
        self._message_box = box
        self.message_bar.show_problems(title, lines, "info" if icon == QMessageBox.Icon.Information else "warning")

    def show_message_details(self) -> None:
        """The message bar's Details…: every line of the last problem in a non-modal box."""
        if self._message_box is not None:
            self._message_box.show()
            self._message_box.raise_()

    def open_dialog(self) -> None:
        start = str(self.settings.value("last_dir", str(Path.home())))
        paths, _filter = QFileDialog.getOpenFileNames(self, "Open data files or a project", start, OPEN_FILTER)
        if paths:
            self.settings.setValue("last_dir", str(Path(paths[0]).parent))
            self.open_paths(paths)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    # --- recent files --------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def remember_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        recent = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", recent[:MAX_RECENT])
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for path in recent:
            self.recent_menu.addAction(describe_path(path), lambda p=path: self.open_paths([p])).setToolTip(path)
        self.recent_menu.setEnabled(bool(recent))

    # --- projects ------------------------------------------------------------------------------
    def open_project(self, path: str) -> Task:
        """Replace the open layers with a project's (read on a worker)."""
        from layers.project import load_project

        task = Task(f"Opening project {describe_path(path)}", lambda feedback: load_project(path))
        task.succeeded.connect(lambda project: self._show_project(Path(path), project))
        task.failed.connect(lambda exc: self.show_problem("Could not open the project",
                                                          [(describe_path(path), str(exc))]))
        task.finished.connect(self.loadFinished.emit)
        return self.runner.start(task)

    def _show_project(self, path: Path, project) -> None:
        with self.layer_list.batch():
            while len(self.layer_list):
                self.layer_list.pop()
            for layer in project.layers:
                self.layer_list.append(layer)
        if project.display_crs:
            self.canvas.set_display_crs(project.display_crs)
            self.status.show_crs(self.canvas.display_crs)
        if project.extent is not None:
            self.canvas.set_extent(project.extent)
        else:
            self.canvas.zoom_to_full_extent()
        self._first_load = False
        self.project_path = path
        self.remember_recent(str(path))
        self.update_title()
        notes = self.readiness.restore_setup(project.extra.get(SETUP_KEY) or {}, self.layer_list, relative_to=path.parent)
        if project.scores is not None:
            results = project.extra.get(RESULTS_KEY) or {}
            self.readiness.restore_scores(project.scores, self.layer_list.find(results.get("blocks_name") or "")
                                          or self.scoring_setup.layer_for("blocks", self.layer_list),
                                          out_of_date=bool(results.get("out_of_date") or notes))
        self.review.restore_store(project.extra.get(REVIEW_KEY), relative_to=path.parent)
        problems = [*project.messages, *(f"Scoring set-up: {note}" for note in notes)]
        picker_note = self.state_picker.show_filter()
        if picker_note:
            problems.append(picker_note)
        if problems:
            self.show_problem(f"{describe_path(path)} opened with notes", [("", problem) for problem in problems])
        self.undo_stack.clear()
        self.mark_saved()

    def save_project(self) -> bool:
        if self.project_path is None:
            return self.save_project_as()
        return self.write_project(self.project_path)

    def save_project_as(self) -> bool:
        start = str(self.project_path or Path(str(self.settings.value("last_dir", str(Path.home())))) / "project.khanij")
        path, _filter = QFileDialog.getSaveFileName(self, "Save project", start, "Khanij projects (*.khanij)")
        if not path:
            return False
        if not path.lower().endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        return self.write_project(Path(path))

    def write_project(self, path: Path) -> bool:
        """Save the layers, styles, order, visibility, the map extent and the scoring set-up; the
        scores and added columns go to the GeoPackage beside it (both written atomically)."""
        from layers.project import companion_path, save_project

        scores = self.readiness.scores_layer
        layers = [layer for layer in self.layer_list if layer is not scores]
        extra = {SETUP_KEY: self.readiness.setup(relative_to=Path(path).parent)}
        if scores is not None:
            blocks = self.readiness.scored_blocks
            extra[RESULTS_KEY] = {"out_of_date": self.readiness.out_of_date,
                                  "blocks_name": blocks.name if blocks is not None else None}
        review = self.review.saved_store(relative_to=Path(path).parent)
        if review is not None:
            extra[REVIEW_KEY] = review
        try:
            save_project(path, layers, extent=self.canvas.extent(), display_crs=self.display_crs_text(), extra=extra,
                         scores=scores.data if scores is not None else None)
        except KhanijError as exc:
            self.show_problem("Could not save the project", [(describe_path(path), str(exc))])
            return False
        self.project_path = Path(path)
        self.remember_recent(str(path))
        self.mark_saved()
        beside = f" (scores in {companion_path(path).name})" if scores is not None else ""
        self.status.showMessage(f"Saved {describe_path(path)}{beside}", 10000)
        return True

    def mark_unsaved(self) -> None:
        self.unsaved = True
        self.update_title()

    def mark_saved(self) -> None:
        self.unsaved = False
        self.update_title()

    def confirm_discard(self) -> bool:
        """Ask before unsaved work is lost: Save (then go on if it saved), Discard, or Cancel."""
        if not self.unsaved or not len(self.layer_list):
            return True
        box = QMessageBox(QMessageBox.Icon.Question, APP_NAME, "The project has unsaved changes. Save them?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        self._message_box = box
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save_project()
        return answer == QMessageBox.StandardButton.Discard

    def display_crs_text(self) -> str:
        crs = self.canvas.display_crs
        authority = crs.to_authority() if hasattr(crs, "to_authority") else None
        return f"{authority[0]}:{authority[1]}" if authority else str(crs)

    # --- map and panels ------------------------------------------------------------------------
    def set_tool(self, name: str) -> None:
        self.tool_actions[name].setChecked(True)
        self.canvas.set_tool(name)
        if name != "measure_distance" and name != "measure_area":
            self.status.measure.clear()

    def refresh(self) -> None:
        self.canvas.set_extent(self.canvas.extent())

    def _on_current_layer(self, layer) -> None:
        self.canvas.set_selection_layer(layer)
        if self.table_dock.isVisible() and layer is not self.table.layer:
            self.table.set_layer(layer)
            self.table.select_positions(self.canvas.selection(layer) if layer is not None else [])

    def open_current_table(self) -> None:
        layer = self.layer_tree.current_layer()
        if layer is not None:
            self.open_table(layer)

    def open_table(self, layer) -> None:
        self.table.set_layer(layer)
        self._mark_table()
        self._show_bottom_dock(self.table_dock)
        self.table.select_positions(self.canvas.selection(layer))

    def _mark_table(self) -> None:
        """The attribute table of the readiness scores says so when they are out of date."""
        scores = self.readiness.scores_layer
        stale = scores is not None and self.table.layer is scores and self.readiness.out_of_date
        self.table.set_note(OUT_OF_DATE_TEXT if stale else "")

    def _show_bottom_dock(self, dock: QDockWidget) -> None:
        """Show a bottom dock at a readable height (a third of the window) the first time."""
        first = not dock.isVisible()
        dock.show()
        dock.raise_()
        if first:
            self.resizeDocks([dock], [max(240, self.height() // 3)], Qt.Orientation.Vertical)

    def _on_canvas_selection(self, layer, indices) -> None:
        if layer is self.table.layer:
            self.table.select_positions(indices)
        self.status.showMessage(f"{len(indices):,} selected in {layer.name}", 4000)

    def _on_identified(self, hits: list) -> None:
        self.identify.show_hits(hits)
        first = next((hit for hit in hits if hasattr(hit, "index")), None)
        self.canvas.show_identified(first.layer if first else None, first.index if first else None)
        self._show_bottom_dock(self.identify_dock)

    def _on_measured(self, text: str) -> None:
        what = "Distance" if self.canvas.tools.tool == "measure_distance" else "Area"
        self.status.measure.setText(f"{what}: {text}" if text else "")
        if text:
            self._show_bottom_dock(self.measure_dock)

    def _on_state_chosen(self, name: str, boundaries, positions) -> None:
        if name and boundaries is not None:
            self.canvas.zoom_to_features(boundaries, positions)
        else:
            self.canvas.zoom_to_full_extent()

    def zoom_to_current_layer(self) -> None:
        layer = self.layer_tree.current_layer()
        if layer is not None:
            self.canvas.zoom_to_layer(layer)

    def zoom_to_selection(self) -> None:
        layer = self.layer_tree.current_layer()
        if layer is not None and len(self.canvas.selection(layer)):
            self.canvas.zoom_to_features(layer, self.canvas.selection(layer))

    def style_current_layer(self) -> None:
        layer = self.layer_tree.current_layer()
        if layer is not None:
            self.edit_style(layer)

    def show_properties(self, layer) -> LayerPropertiesDialog:
        """The layer's properties: reader report, CRS, encoding, field mapping, relink."""
        dialog = LayerPropertiesDialog(layer, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def edit_style(self, layer) -> StyleDialog:
        dialog = StyleDialog(layer, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def find_feature(self) -> Optional[FindFeatureDialog]:
        layer = self.layer_tree.current_layer()
        if layer is None or layer.kind == "raster" or layer.data is None:
            self.status.showMessage("Choose a vector layer in the layer tree first.", 5000)
            return None
        dialog = FindFeatureDialog(layer, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.featureChosen.connect(self._go_to_feature)
        dialog.show()
        return dialog

    def _go_to_feature(self, layer, position: int) -> None:
        self.canvas.set_selection(layer, [position])
        self.canvas.zoom_to_features(layer, [position])

    def open_converter(self) -> ConverterDialog:
        if self._converter is None:
            self._converter = ConverterDialog(self.layer_list, self)
            self._converter.column.columnsAdded.connect(self._on_columns_added)
        self._converter.column.refresh_layers(self.layer_tree.current_layer())
        self._converter.show()
        self._converter.raise_()
        return self._converter

    def open_readiness(self) -> None:
        self.readiness_dock.show()
        self.readiness_dock.raise_()

    def _on_columns_added(self, layer, names: list) -> None:
        if layer is self.table.layer:
            self.table.refresh()
        self.status.showMessage(f"Added {', '.join(names)} to {layer.name}", 6000)

    # --- window state --------------------------------------------------------------------------
    def update_title(self) -> None:
        name = (self.project_path.stem if self.project_path else "untitled project") + ("*" if self.unsaved else "")
        sample = any(getattr(layer, "illustrative", False) for layer in self.layer_list)
        self.sample_banner.setVisible(sample)
        suffix = " — sample atlas (illustrative sample, not official data)" if sample else ""
        self.setWindowTitle(f"{APP_NAME} — {name}{suffix}")

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
            self.workbench.dock.hide()   # a session that ended while editing: no editing now
            self.workbench.toolbar.hide()
        mode = self.settings.value("layer_tree/mode", "order")
        index = self.layer_panel.mode.findData(mode)
        if index >= 0:
            self.layer_panel.mode.setCurrentIndex(index)

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("layer_tree/mode", self.layer_panel.mode.currentData())
        self.settings.sync()

    def quit(self) -> bool:
        """File ▸ Quit: asks first when there is unsaved work; returns whether the window closed."""
        if not (self.workbench.stop_editing() and self.confirm_discard()):
            return False
        self.unsaved = False
        return self.close()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.fit_docks()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Fit the docks to the width; a window that fitted the screen and grew past it on its own
        (a panel's contents, a long progress text) is put back to its size."""
        super().resizeEvent(event)
        screen = self.screen().availableGeometry().size() if self.screen() is not None else None
        old, new = event.oldSize(), event.size()
        if screen is not None and old.isValid() and old.width() <= screen.width() and old.height() <= screen.height() \
                and (new.width() > screen.width() or new.height() > screen.height()):
            QTimer.singleShot(0, lambda: self.resize(old))
        self.fit_docks()

    def _fit_screen(self) -> None:
        """Never open larger than the screen (a default or a remembered size from a bigger one)."""
        screen = self.screen()
        if screen is None:
            return
        available = screen.availableGeometry().size()
        if self.width() > available.width() or self.height() > available.height():
            self.resize(min(self.width(), available.width()), min(self.height(), available.height()))

    def fit_docks(self) -> None:
        """On a narrow window, tab the right-hand panels (readiness, review, live verdict) with
        the layers (left) and put the state picker's toolbar on a second row; the map keeps the rest."""
        if self.width() >= COMPACT_WIDTH_PX or self.readiness_dock.isFloating():
            return
        if self.readiness_dock in self.tabifiedDockWidgets(self.layers_dock):
            return
        workbench = getattr(self, "workbench", None)     # fit_docks may run before it is built
        for dock in (self.readiness_dock, self.review_dock, *((workbench.dock,) if workbench else ())):
            if not dock.isFloating():
                self.tabifyDockWidget(self.layers_dock, dock)
        self.layers_dock.raise_()
        if not self.toolBarBreak(self.states_toolbar):
            self.insertToolBarBreak(self.states_toolbar)     # the state picker on a second row

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """The window's close button asks about unsaved block edits and unsaved work, as Quit
        does (a close by the program itself asks nothing)."""
        if event.spontaneous() and not (self.workbench.stop_editing() and self.confirm_discard()):
            event.ignore()
            return
        self.workbench.stop_editing(save=False)
        self.runner.cancel_all()
        self.runner.wait(5000)
        self.save_settings()
        super().closeEvent(event)

    def wait_until_rendered(self, timeout_ms: int = 15000) -> None:
        """Process events until loading is done and the canvas has painted (for screenshots)."""
        from PySide6.QtCore import QEventLoop, QElapsedTimer
        from PySide6.QtWidgets import QApplication

        clock = QElapsedTimer()
        clock.start()
        while self.runner.active and clock.elapsed() < timeout_ms:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        rendered = []
        self.canvas.rendered.connect(lambda: rendered.append(True))
        QTimer.singleShot(0, self.refresh)
        while not rendered and clock.elapsed() < timeout_ms:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        self.canvas.grab_map_image()          # draws rasters now instead of after their delay
        QApplication.processEvents()


class UndoStep(QUndoCommand):
    """A model change (:class:`layers.history.Change`) on the window's QUndoStack. It has already
    happened when pushed, so the stack's first redo does nothing."""

    def __init__(self, change) -> None:
        super().__init__(change.text)
        self.change = change
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.change.redo()

    def undo(self) -> None:
        self.change.undo()


def _layer_place(layer: Layer) -> str:
    """Where a layer comes from, as messages name it: the file, and the layer inside it when the
    file holds several ("india.json, layer 'states'")."""
    if layer.source is None:
        return layer.name
    file_name = describe_path(layer.source)
    return file_name if layer.name == Path(layer.source).stem else f"{file_name}, layer '{layer.name}'"
