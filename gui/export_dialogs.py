"""File → Export in the app: the map as HTML, PNG or SVG, the dossier PDF, a table.

Each export asks for a file (and, for images, the size), then runs on a worker thread through the
window's :class:`gui.workers.TaskRunner`, so the status bar shows its progress with Cancel; a
cancelled or failed export leaves no file (every write is atomic). The work is the same as the
command line's (:mod:`cli.export`): :func:`layers.html_map.write_html_map`,
:func:`gui.render.render_map`, :func:`assessment.report.build_dossier` with
:func:`gui.report_pdf.write_dossier_pdf`, and :func:`geo.tables.write_table`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLineEdit, QMenu, QSpinBox

from gui.workers import Task

MAP_FILTERS = {"html": "Offline HTML map (*.html)", "png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}
TABLE_FILTER = "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv);;GeoPackage (*.gpkg)"


@dataclass
class ImageOptions:
    """Size of an exported map image, in pixels, its resolution and title."""

    width: int = 1600
    height: int = 1100
    dpi: int = 150
    title: str = ""


class ImageOptionsDialog(QDialog):
    """Width, height, DPI and title of a PNG/SVG map."""

    def __init__(self, options: ImageOptions, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Map image")
        form = QFormLayout(self)
        self.width_box, self.height_box, self.dpi_box = QSpinBox(), QSpinBox(), QSpinBox()
        for box, value, top in ((self.width_box, options.width, 12000), (self.height_box, options.height, 12000),
                                (self.dpi_box, options.dpi, 1200)):
            box.setRange(72 if box is self.dpi_box else 200, top)
            box.setValue(value)
        self.title_edit = QLineEdit(options.title)
        form.addRow("Width (px)", self.width_box)
        form.addRow("Height (px)", self.height_box)
        form.addRow("Resolution (dpi)", self.dpi_box)
        form.addRow("Title", self.title_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def options(self) -> ImageOptions:
        return ImageOptions(self.width_box.value(), self.height_box.value(), self.dpi_box.value(),
                            self.title_edit.text().strip())


# ---------------------------------------------------------------- work (run on a worker thread)


def export_map_work(feedback, kind: str, layers, path: str, options: ImageOptions, extent, display_crs):
    if kind == "html":
        from layers.html_map import write_html_map

        return write_html_map(layers, path, title=options.title or None, feedback=feedback)
    from gui.render import render_map

    return render_map(layers, path, width=options.width, height=options.height, dpi=options.dpi,
                      title=options.title or None, extent=extent, display_crs=display_crs, feedback=feedback)


def export_report_work(feedback, scores, map_layers, path: str, block_ids, sources, inputs=None):
    from assessment.report import admin_layer, build_dossier
    from gui.report_pdf import infrastructure_distances, write_dossier_pdf

    vectors = [layer for layer in map_layers if layer.kind == "vector"]
    deposits, forest = (next((layer.data for layer in vectors if layer.role == role), None) for role in ("deposits", "forest"))
    admin = []
    for layer in vectors:
        if layer.role == "admin":
            try:
                admin.append(admin_layer(layer.data, source=layer.name))
            except ValueError as exc:
                feedback.warn(str(exc))
    dossier = build_dossier(scores, deposits, block_ids=block_ids, sources=sources, feedback=feedback.sub(0.0, 0.05),
                            forest=forest, admin=admin, inputs=inputs)
    return write_dossier_pdf(dossier, path, map_layers, infrastructure_distances(scores), feedback.sub(0.05, 1.0))


def export_table_work(feedback, frame, path: str, extra_sheets=None, sources=()):
    from assessment.score_table import is_score_output, write_scores
    from geo.tables import write_table

    if is_score_output(frame):
        return write_scores(frame, path, feedback, sources, extra_sheets)
    return write_table(frame, path, feedback, extra_sheets=extra_sheets)


# ---------------------------------------------------------------- the menu


class ExportActions(QObject):
    """The File → Export submenu of a main window and the exports it starts.

    Each ``export_*`` method takes the target path (asked with a file dialog when None) and
    returns the started :class:`Task`, or None when the user backed out or there is nothing to
    export.
    """

    def __init__(self, window, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.menu = menu
        self.image_options = ImageOptions()
        self.map_actions = {kind: menu.addAction(f"Map as {kind.upper()}…", lambda k=kind: self.export_map(k))
                            for kind in MAP_FILTERS}
        menu.addSeparator()
        self.report_action = menu.addAction("Dossier (PDF)…", self.export_report)
        self.table_action = menu.addAction("Table…", self.export_table)
        self.report_action.setStatusTip("Per-block dossier of the scored blocks (selected block, or all)")
        self.table_action.setStatusTip("The readiness scores, or the current layer's attributes, as XLSX/CSV/GeoPackage")

    # -- helpers ----------------------------------------------------------------------------------

    def _ask_path(self, caption: str, filters: str, suggested: str) -> Optional[str]:
        folder = self.window.settings.value("export/folder", str(Path.home()))
        path, _ = QFileDialog.getSaveFileName(self.window, caption, str(Path(folder) / suggested), filters)
        if path:
            self.window.settings.setValue("export/folder", str(Path(path).parent))
        return path or None

    def _start(self, title: str, function, *args) -> Task:
        task = Task(title, function, *args)
        task.failed.connect(lambda exc, t=title: self.window.show_problem(t, [("", str(exc))]))
        task.succeeded.connect(lambda target: self.window.statusBar().showMessage(f"Exported {target}", 8000))
        return self.window.runner.start(task)

    def _scores_layer(self):
        readiness = getattr(self.window, "readiness", None)
        layer = getattr(readiness, "scores_layer", None)
        return layer if layer is not None and any(layer is other for other in self.window.layer_list) else None

    def _tell(self, text: str) -> None:
        self.window.show_problem("Nothing to export", [("", text)])

    # -- exports ----------------------------------------------------------------------------------

    def export_map(self, kind: str, path: Optional[str] = None, options: Optional[ImageOptions] = None) -> Optional[Task]:
        """The map as it is shown (layers, styles, order, visibility; images at the current extent)."""
        if options is None and path is None and kind != "html":
            dialog = ImageOptionsDialog(self.image_options, self.window)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            self.image_options = dialog.options()
        options = options or self.image_options
        path = path or self._ask_path(f"Export the map as {kind.upper()}", MAP_FILTERS[kind], f"map.{kind}")
        if path is None:
            return None
        canvas = self.window.canvas
        return self._start(f"Exporting {Path(path).name}", export_map_work, kind, list(self.window.layer_list), path,
                           options, canvas.extent(), canvas.display_crs)

    def export_report(self, path: Optional[str] = None, block_ids: Optional[list[str]] = None) -> Optional[Task]:
        """The dossier of the scored blocks: ``block_ids`` when given, else the blocks selected on
        the map or in the table, else all; the file dialog says how many."""
        scores = self._scores_layer()
        if scores is None:
            self._tell("Score the blocks first (Tools → Auction readiness), then export their dossier.")
            return None
        if block_ids is None:
            block_ids = self.selected_block_ids(scores)
        count = len(block_ids) if block_ids else scores.feature_count
        which = f"{count} selected block{'s' if count != 1 else ''}" if block_ids else f"all {count} blocks"
        path = path or self._ask_path(f"Export the dossier of {which}", "PDF (*.pdf)", "dossier.pdf")
        if path is None:
            return None
        map_layers = [layer for layer in self.window.layer_list if layer.kind == "vector" and not layer.missing]
        sources = [Path(layer.source).name for layer in map_layers if layer.source]
        return self._start(f"Writing {Path(path).name} ({which})", export_report_work, scores.data, map_layers, path,
                           list(block_ids or []), sources, self._inputs_used())

    def selected_block_ids(self, scores) -> list[str]:
        """The ids of the scored blocks selected on the map (or in the readiness table)."""
        positions = self.window.canvas.selection(scores)
        column = scores.fields.get("block_id")
        if not len(positions) or column is None or column not in scores.data.columns:
            return []
        return [str(value) for value in scores.data[column].iloc[positions]]

    def export_table(self, path: Optional[str] = None) -> Optional[Task]:
        """The selected layer's table (the readiness scores when no layer is selected): its
        selected features only when some are selected; the file dialog says how many rows."""
        layer = self.window.layer_tree.current_layer() or self._scores_layer()
        if layer is None or layer.data is None or layer.kind == "raster":
            self._tell("Choose a vector layer or a table in the layer tree first.")
            return None
        selected = self.window.canvas.selection(layer)
        frame = layer.data.iloc[selected] if len(selected) else layer.data
        which = (f"{len(frame):,} selected row{'s' if len(frame) != 1 else ''}" if len(selected)
                 else f"all {len(frame):,} rows")
        path = path or self._ask_path(f"Export {which} of {layer.name}", TABLE_FILTER, f"{layer.name}.xlsx")
        if path is None:
            return None
        sources = [Path(other.source).name for other in self.window.layer_list if other.source and not other.missing]
        return self._start(f"Writing {Path(path).name} ({which})", export_table_work, frame, path,
                           self._scoring_inputs() if layer is self._scores_layer() else None, sources)

    def _inputs_used(self):
        """What the scores were computed from (layers with their fields, rules, as-of date) as
        ``khanij score --project`` records it, or None without a scoring set-up."""
        setup = getattr(self.window, "scoring_setup", None)
        return None if setup is None else setup.inputs_table(self.window.layer_list)

    def _scoring_inputs(self) -> Optional[dict]:
        """:meth:`_inputs_used` as the second sheet or layer of a score table."""
        from layers.scoring_setup import INPUTS_SHEET

        inputs = self._inputs_used()
        return None if inputs is None else {INPUTS_SHEET: inputs}
