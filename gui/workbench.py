"""The block workbench in the main window: File ▸ New ▸ Blocks layer…, the Edit menu (toggle
editing, draw, edit vertices, move, delete, attributes, block from pillars, save edits, undo and
redo) and the "Live verdict" dock.

The live verdict scores against the window's current scoring set-up (the layers chosen in the
auction-readiness panel, its rules), prepared once per editing session by
:class:`assessment.live.LiveVerdict`.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import geopandas as gpd
from PySide6 import QtCore, QtGui, QtWidgets

from assessment.live import LiveVerdict
from geo.errors import KhanijError
from gui.edit_tools import BlockEditor
from gui.live_verdict_panel import LiveVerdictPanel, VerdictOverlay, one_block
from gui.model_links import listen_while_alive
from gui.pillar_dialog import PillarDialog
from gui.scrolling import scrollable
from layers.editing import FORM_FIELDS, AddBlock, EditSession, SetAttribute, new_blocks_layer
from layers.layer import Layer
from layers.scoring_setup import mapped_frame

EDIT_MODES = (("draw", "&Draw block", "Click the corners; double-click or Enter to finish, Backspace undoes a "
                                      "corner, Esc cancels"),
              ("vertex", "Edit &vertices", "Drag a corner; double-click an edge to add one; right-click a corner "
                                           "to delete it"),
              ("move", "&Move block", "Drag a block to move it; Delete removes the selected block"))


class Workbench(QtCore.QObject):
    """The editing actions, the undo stack and the live verdict of one main window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.undo_stack = QtGui.QUndoStack(self)
        self.editor: Optional[BlockEditor] = None
        self.session: Optional[EditSession] = None
        self.layer: Optional[Layer] = None
        self.live: Optional[LiveVerdict] = None
        self._live_key: Optional[tuple] = None
        self._dragged: Optional[tuple] = None  # (fid, polygon) of a drag waiting to be rescored
        self.last_verdict: Optional[dict] = None
        self.panel = LiveVerdictPanel()
        # In a scroll area: a longer finding wraps instead of widening the dock, which would shift
        # the map under a block being dragged.
        self.dock = window._dock("Live verdict", "live_verdict_dock", scrollable(self.panel),
                                 QtCore.Qt.DockWidgetArea.RightDockWidgetArea)
        window.tabifyDockWidget(window.readiness_dock, self.dock)
        self.dock.hide()   # shown when editing starts
        self.overlay = VerdictOverlay(window.canvas)
        listen_while_alive(self.panel, window.scoring_setup.events.changed,
                           lambda _event: QtCore.QTimer.singleShot(0, self, self.refresh_verdict))
        listen_while_alive(self.panel, window.layer_list.events.layer_changed, self._on_layer_changed)
        self._build_actions()
        self._update_actions()

    # ------------------------------------------------------------ actions and menus

    def _build_actions(self) -> None:
        w = self.window
        self.new_layer_action = w._action("&Blocks layer…", self.new_layer_dialog, None,
                                          "A new GeoPackage of candidate blocks with the block fields")
        self.toggle_action = w._action("Toggle &editing", self.toggle_editing, "Ctrl+E",
                                       "Edit the current blocks layer (the file is written only when you save)")
        self.toggle_action.setCheckable(True)
        self.mode_actions: dict[str, QtGui.QAction] = {}
        group = QtGui.QActionGroup(self)
        for mode, text, tip in EDIT_MODES:
            action = w._action(text, lambda m=mode: self.set_mode(m), None, tip)
            action.setCheckable(True)
            group.addAction(action)
            self.mode_actions[mode] = action
        self.delete_action = w._action("Delete &block", self.delete_block, None, "Delete the selected block")
        self.attributes_action = w._action("Block &attributes…", self.edit_attributes, None,
                                           "Block id, name, state, licence, stage and commodity of the selected block")
        self.pillars_action = w._action("Block from &pillars…", self.add_from_pillars, None,
                                        "Type or paste the boundary pillars of a block")
        self.import_pillars_action = w._action("&Import pillar table…", self.import_pillars_dialog, None,
                                               "Blocks from a CSV/XLSX pillar table (block id, order, latitude, "
                                               "longitude); bad rows are listed by row")
        self.export_pillars_action = w._action("E&xport pillar table…", self.export_pillars_dialog, None,
                                               "The pillar table of the current blocks layer (BP number, DMS and "
                                               "decimal, WGS 84, area, toposheets) to CSV or XLSX")
        self.save_edits_action = w._action("&Save edits", self.save_edits, None,
                                           "Write the edited layer (a shapefile is saved to a GeoPackage beside it)")
        self.save_edits_as_action = w._action("Save edits &as…", self.save_edits_as_dialog, None,
                                              "Write the edited layer to a GeoPackage of your choice")
        # Ctrl+Z / Ctrl+Shift+Z are the window's: its undo group makes the block edits' stack the
        # active one while editing.
        self.undo_action, self.redo_action = w.undo_action, w.redo_action
        w.undo_group.addStack(self.undo_stack)
        file_menu = w.menuBar().actions()[0].menu()
        new_menu = QtWidgets.QMenu("&New", file_menu)
        new_menu.addAction(self.new_layer_action)
        file_menu.insertMenu(file_menu.actions()[0], new_menu)
        edit = self.edit_menu = w.edit_menu
        for action in (None, self.toggle_action, *self.mode_actions.values(),
                       None, self.delete_action, self.attributes_action, self.pillars_action,
                       self.import_pillars_action, self.export_pillars_action, None, self.save_edits_action,
                       self.save_edits_as_action):
            edit.addSeparator() if action is None else edit.addAction(action)
        # The editing tools on a row of their own, shown while editing (Edit ▸ Toggle editing, Ctrl+E).
        toolbar = self.toolbar = QtWidgets.QToolBar("Editing")
        toolbar.setObjectName("editing_toolbar")
        for action in (self.toggle_action, *self.mode_actions.values(), self.delete_action, self.pillars_action,
                       self.save_edits_action):
            toolbar.addAction(action)
        w.addToolBarBreak()
        w.addToolBar(toolbar)

    def _update_actions(self) -> None:
        editing = self.editor is not None
        self.toggle_action.setChecked(editing)
        self.toolbar.setVisible(editing)
        for action in (*self.mode_actions.values(), self.delete_action, self.attributes_action,
                       self.pillars_action, self.import_pillars_action, self.save_edits_action,
                       self.save_edits_as_action):
            action.setEnabled(editing)

    # ------------------------------------------------------------ starting and stopping

    def blocks_layer(self) -> Optional[Layer]:
        """The layer to edit: the current layer when it is a polygon layer, else the top blocks layer."""
        current = self.window.layer_tree.current_layer()
        if current is not None and current.kind == "vector" and current.geometry_kind in ("polygon", None) \
                and current.data is not None:
            return current
        found = self.window.layer_list.by_role("blocks")
        return found[0] if found else None

    def new_layer_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "New blocks layer", "blocks.gpkg",
                                                        "GeoPackage (*.gpkg)")
        if path:
            self.new_layer(Path(path))

    def new_layer(self, path: Path) -> Layer:
        """Create an empty blocks GeoPackage, add it to the map and start editing it."""
        new_blocks_layer(path)
        layer = Layer.from_file(path, role="blocks")
        self.window.add_layers([layer])
        self.window.layer_tree.set_current_layer(layer)
        self.start_editing(layer)
        return layer

    def toggle_editing(self) -> None:
        if self.editor is None:
            self.start_editing()
        else:
            self.stop_editing()

    def start_editing(self, layer: Optional[Layer] = None) -> bool:
        layer = layer or self.blocks_layer()
        if layer is None:
            self._update_actions()
            self.window.status.showMessage("Choose a blocks (polygon) layer to edit, or make one with File ▸ New.", 6000)
            return False
        self.session = EditSession(layer.data, source=layer.source, layer=layer.layer_name)
        self._original = layer.data
        self.layer = layer
        boundaries = self.window.layer_list.by_role("boundaries")
        self.editor = BlockEditor(self.window.canvas, layer, self.session, self.undo_stack,
                                  boundaries=boundaries[0].data if boundaries else None)
        self.editor.measured.connect(lambda text: self.window.status.showMessage(text))
        self.editor.blockChanged.connect(self._on_block_changed)
        self.editor.drafted.connect(self._on_drafted)
        self.editor.dragged.connect(self._on_dragged)
        self.live = None
        if len(layer.data):
            self.live_verdict().warm_up(layer.data)
        self.undo_stack.clear()
        self.window.undo_group.setActiveStack(self.undo_stack)
        self.dock.show()
        self.dock.raise_()
        self._update_actions()
        self.set_mode("draw")
        return True

    def stop_editing(self, save: Optional[bool] = None) -> bool:
        """Leave editing; with unsaved edits ask (``save`` answers without asking: True saves,
        False discards). Returns False, still editing, when the user cancels or the edits could
        not be saved."""
        if self.editor is None:
            return True
        if self.session.modified:
            if save is None:
                answer = QtWidgets.QMessageBox.question(
                    self.window, "Stop editing", f"Save the edits of {self.layer.name}?",
                    QtWidgets.QMessageBox.StandardButton.Save | QtWidgets.QMessageBox.StandardButton.Discard
                    | QtWidgets.QMessageBox.StandardButton.Cancel)
                if answer == QtWidgets.QMessageBox.StandardButton.Cancel:
                    self._update_actions()
                    return False
                save = answer == QtWidgets.QMessageBox.StandardButton.Save
            if save and self.save_edits() is None:  # not saved (refused, or no file chosen): keep editing
                self._update_actions()
                return False
            if not save:
                self.layer.data = self._original
        self.editor.close()
        self.editor = self.session = None
        self.undo_stack.clear()
        self.window.undo_group.setActiveStack(self.window.undo_stack)
        self.overlay.clear()
        self.panel.clear()
        self._update_actions()
        for action in self.mode_actions.values():
            action.setChecked(False)
        return True

    def set_mode(self, mode: str) -> None:
        if self.editor is None:
            return
        self.editor.set_mode(mode)
        self.mode_actions[mode].setChecked(True)
        self.window.canvas.view.setFocus()

    # ------------------------------------------------------------ edits

    def delete_block(self) -> None:
        if self.editor is not None:
            self.editor.delete_current()

    def edit_attributes(self) -> Optional["AttributeForm"]:
        if self.editor is None or self.editor.current_fid is None:
            return None
        form = AttributeForm(self.session.frame.loc[self.editor.current_fid], self.window)
        if form.exec() == QtWidgets.QDialog.DialogCode.Accepted:
            self.apply_attributes(self.editor.current_fid, form.values())
        return form

    def apply_attributes(self, fid: int, values: dict) -> None:
        """One undoable command per changed field (an undo macro for the form)."""
        frame = self.session.frame
        changed = {k: v for k, v in values.items() if k not in frame.columns or _text(frame.at[fid, k]) != v}
        if not changed:
            return
        self.undo_stack.beginMacro("edit attributes")
        for column, value in changed.items():
            self.editor.push(SetAttribute(fid, column, value or None))
        self.undo_stack.endMacro()

    def add_from_pillars(self) -> Optional[PillarDialog]:
        if self.editor is None:
            return None
        dialog = PillarDialog(self.window)
        if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
            self.add_pillar_block(dialog)
        return dialog

    def add_pillar_block(self, dialog: PillarDialog) -> Optional[int]:
        polygon = dialog.polygon()
        if polygon is None:
            return None
        geometry = gpd.GeoSeries([polygon], crs="EPSG:4326").to_crs(self.session.frame.crs).iloc[0]
        fid = self.editor.push(AddBlock(geometry, dialog.attributes()))
        self.editor.set_current(fid)
        self.window.canvas.zoom_to_features(self.layer, [self.editor.position_of(fid)])
        return fid

    def import_pillars_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Import pillar table", "",
                                                        "Pillar tables (*.csv *.xlsx)")
        if path:
            problems = self.import_pillars(Path(path))
            if problems:
                QtWidgets.QMessageBox.information(self.window, "Import pillar table", "\n".join(problems[:40]))

    def import_pillars(self, path: Path) -> list[str]:
        """Add the blocks of a pillar table (one undo step); returns the bad rows and rejected
        blocks in words (the same lines ``khanij blocks from-pillars`` prints)."""
        from geo.pillars import pillars_to_blocks, read_pillar_source

        try:
            lists, problems = read_pillar_source(path)
        except KhanijError as problem:
            return [str(problem)]
        blocks, findings = pillars_to_blocks(lists, crs=self.session.frame.crs)
        if len(blocks):
            self.undo_stack.beginMacro(f"import {len(blocks)} block(s) from pillars")
            for _, row in blocks.iterrows():
                attributes = {k: v for k, v in row.items() if k != "geometry" and v is not None and v == v}
                self.editor.push(AddBlock(row.geometry, attributes))
            self.undo_stack.endMacro()
            self.window.canvas.zoom_to_layer(self.layer)
        return problems + findings

    def export_pillars_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "Export pillar table", "pillars.xlsx",
                                                        "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            problems = self.export_pillars(Path(path))
            if problems:
                QtWidgets.QMessageBox.information(self.window, "Export pillar table", "\n".join(problems[:40]))

    def export_pillars(self, path: Path) -> list[str]:
        """Write the pillar table of the edited (or current) blocks layer; returns the blocks
        that have no pillar list, in words."""
        from geo.pillars import pillar_table
        from geo.tables import write_table

        layer = self.layer if self.editor is not None else self.blocks_layer()
        if layer is None:
            return ["Choose a blocks layer first."]
        table, problems = pillar_table(layer.data)
        try:
            write_table(table, path, sheet_name="pillars")
        except KhanijError as problem:
            return [str(problem)]
        self.window.status.showMessage(f"{len(table)} pillars of {layer.name} written to {path}", 6000)
        return problems

    def save_edits_as_dialog(self) -> Optional[Path]:
        if self.session is None:
            return None
        if self.session.source is None or self.session.shipped:
            start = str(Path(str(self.window.settings.value("last_dir", str(Path.home())))) / "blocks.gpkg")
        else:
            start = str(self.session.save_target())
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "Save edits as", start, "GeoPackage (*.gpkg)")
        return self.save_edits(Path(path)) if path else None

    def save_edits(self, target: Optional[Path] = None) -> Optional[Path]:
        """Write the edits atomically: to ``target``, else back into the source GeoPackage (a
        shapefile or other source to a GeoPackage beside it, see ``EditSession.save_target``)."""
        if self.session is None:
            return None
        if target is None and (self.session.source is None or self.session.shipped):
            return self.save_edits_as_dialog()  # the sample atlas is never written: ask where
        try:
            path = self.session.save(target)
        except KhanijError as problem:
            QtWidgets.QMessageBox.warning(self.window, "Save edits", str(problem))
            return None
        self.layer.source, self.layer.layer_name = path, self.session.layer
        self._original = self.layer.data
        self.window.status.showMessage(f"Saved {self.layer.name} to {path}", 6000)
        return path

    # ------------------------------------------------------------ the live verdict

    def live_verdict(self) -> LiveVerdict:
        """The scorer of the current scoring set-up — the layers playing each role with their
        field mappings, the rules and the as-of date, as ``khanij score --project`` reads them —
        made again whenever anything but the blocks changed in it."""
        setup, layers = self.window.scoring_setup, self.window.layer_list
        key = setup.inputs_key(layers, blocks=False)
        if self.live is None or key != self._live_key:
            inputs = setup.score_inputs(layers)
            inputs.pop("blocks", None)
            self.live, self._live_key = LiveVerdict(inputs.pop("deposits"), **inputs), key
        return self.live

    def _on_layer_changed(self, event) -> None:
        """A layer's field mapping or CRS changes what a score reads (its data changes on every
        edit of the blocks and are not the set-up's)."""
        if event.what in ("fields", "crs"):
            QtCore.QTimer.singleShot(0, self, self.refresh_verdict)

    def refresh_verdict(self) -> None:
        """Rescore the current block (the scoring set-up changed while editing)."""
        if self.editor is not None and self.editor.current_fid is not None:
            self._on_block_changed(self.editor.current_fid)

    def _on_block_changed(self, fid) -> None:
        self._dragged = None  # the edit is made: a drag's preview waiting to be rescored is stale
        if fid is None or self.session is None or fid not in self.session.frame.index:
            self.overlay.clear()
            self.panel.clear("The block was deleted.")
            return
        self.rescore(self.session.frame.loc[[fid]], self._label(fid))

    def _label(self, fid: int) -> str:
        """"Block <id>" (its position + 1 without one), as the panel titles it."""
        frame = self.session.frame
        block_id = _text(frame.at[fid, "block_id"]) if "block_id" in frame.columns else ""
        return f"Block {block_id or fid + 1}"

    def _on_drafted(self, polygon) -> None:
        self.rescore(one_block(polygon, self.session.frame.crs, {}), "Block being drawn")

    def _on_dragged(self, fid, polygon) -> None:
        """Rescore the block as it is dragged, at most once per pass of the event loop: the
        latest position waits while a rescoring runs, older ones are dropped."""
        pending = self._dragged is not None
        self._dragged = (fid, polygon)
        if not pending:
            QtCore.QTimer.singleShot(0, self, self._rescore_dragged)

    def _rescore_dragged(self) -> None:
        if self._dragged is None or self.session is None:
            return
        (fid, polygon), self._dragged = self._dragged, None
        if fid in self.session.frame.index:
            blocks = self.session.frame.loc[[fid]].set_geometry(
                gpd.GeoSeries([polygon], index=[fid], crs=self.session.frame.crs))
            self.rescore(blocks, self._label(fid) + " (moving)")

    def rescore(self, blocks: gpd.GeoDataFrame, label: str) -> Optional[dict]:
        """Score one block with the live verdict and show it (and its zones) beside the map.
        The block's fields are read through the edited layer's field mapping, as a score does."""
        blocks = mapped_frame(blocks, self.layer.fields, "blocks")
        try:
            live = self.live_verdict()
            start = time.perf_counter()
            row = live.score(blocks).iloc[0]
            elapsed = (time.perf_counter() - start) * 1000
            self.overlay.show(live.overlays(blocks, self.window.canvas.display_crs))
        except KhanijError as problem:
            self.panel.clear(f"No live verdict: {problem}")
            return None
        self.last_verdict = dict(row)
        self.panel.show_row(row, label, elapsed)
        return self.last_verdict


def _text(value) -> str:
    return "" if value is None or value != value else str(value)


class AttributeForm(QtWidgets.QDialog):
    """The block's fields (block id, name, state, licence, stage, commodity) in a form."""

    def __init__(self, row, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Block attributes")
        layout = QtWidgets.QFormLayout(self)
        self.edits: dict[str, QtWidgets.QWidget] = {}
        for field in FORM_FIELDS:
            current = _text(row.get(field)) if hasattr(row, "get") else ""
            if field == "licence":
                edit = QtWidgets.QComboBox()
                edit.addItems(["", "ML", "CL", "EL"])
                edit.setEditable(True)
                edit.setCurrentText(current)
            else:
                edit = QtWidgets.QLineEdit(current)
            layout.addRow(field.replace("_", " ").capitalize(), edit)
            self.edits[field] = edit
        box = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                         | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addRow(box)

    def values(self) -> dict:
        return {field: (edit.currentText() if isinstance(edit, QtWidgets.QComboBox) else edit.text()).strip()
                for field, edit in self.edits.items()}
