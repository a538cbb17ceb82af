"""The attribute table (bottom dock): a lazy Qt model over a layer's GeoDataFrame.

It stays fast on 100k rows because nothing is done per row in Python: ``data()`` formats only
the cells on screen, sorting is a cached numpy argsort of the column, and filtering is a
vectorised pandas mask. As in QGIS, the table lists all features, those shown on the map (the
layer's state filter and legend classes) or the selected ones: a numpy mask over the frame. Cell
text is always plain text (imported attributes are untrusted).
"""
from __future__ import annotations

import html
import operator
import re
from typing import Any, Optional

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel, QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QPushButton, QTableView, QVBoxLayout, QWidget,
)

ALL_COLUMNS = "All columns"
#: What the table lists (the chooser's text → its key), as QGIS's "Show All Features" chooser.
SHOW_ALL = "All features"
SHOW_ON_MAP = "Features shown on the map"
SHOW_SELECTED = "Selected features"
SHOW_NO_GEOMETRY = "Rows without geometry"
SHOW_CHOICES = {SHOW_ALL: "all", SHOW_ON_MAP: "map", SHOW_SELECTED: "selected", SHOW_NO_GEOMETRY: "no_geometry"}
FILTER_DELAY_MS = 250
HIGHLIGHT = QColor("#ffe08a")
MAX_FIT_COLUMN_PX = 400
#: Cells with text longer than this also show it whole in a tooltip (the column may elide it).
TOOLTIP_MIN_CHARS = 30
_COMPARISON = re.compile(r"^\s*(>=|<=|!=|=|>|<)\s*(.+?)\s*$")
_OPERATORS = {">=": operator.ge, "<=": operator.le, "!=": operator.ne, "=": operator.eq,
              ">": operator.gt, "<": operator.lt}


def format_cell(value: Any) -> str:
    """One attribute value as the table shows it: missing values blank, floats without noise."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        return f"{value:.10g}"
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` exactly: escaped rich text (Qt guesses whether a tooltip is
    HTML, so an attribute such as ``<b>x</b>`` would otherwise be rendered)."""
    return f"<p style='white-space:pre'>{html.escape(text)}</p>"


def blank_mask(series: pd.Series) -> np.ndarray:
    """Empty cells: missing values and text that is empty or only spaces."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return missing
    return missing | (series.astype("string").fillna("").str.strip() == "").to_numpy(dtype=bool)


def sort_order(series: pd.Series, descending: bool = False) -> np.ndarray:
    """Positions that sort the column (ascending, or ``descending``), empty cells last in both
    directions (stable)."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        order = np.argsort(series.to_numpy(dtype="float64", na_value=np.nan), kind="stable")
    else:
        text = series.astype("string").fillna("").str.casefold().to_numpy(dtype=object)
        order = np.argsort(text.astype(str), kind="stable")
    blank = blank_mask(series)[order]
    present = order[~blank]
    return np.concatenate([present[::-1] if descending else present, order[blank]])


def filter_mask(frame: pd.DataFrame, text: str, column: Optional[str] = None) -> np.ndarray:
    """Which rows match a filter, computed on whole columns.

    ``text`` is either a comparison on a numeric column (``> 5``, ``<= 2.5``, ``= 331``, ``!= 0``)
    or text that the cell must contain (case-insensitive). ``column=None`` searches every
    attribute column.
    """
    text = text.strip()
    if not text:
        return np.ones(len(frame), dtype=bool)
    columns = [column] if column else [c for c in frame.columns if c != _geometry_name(frame)]
    match = _COMPARISON.match(text)
    if match and column and pd.api.types.is_numeric_dtype(frame[column]):
        try:
            number = float(match.group(2))
        except ValueError:
            pass
        else:
            compare = _OPERATORS[match.group(1)]
            values = frame[column].to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                return np.asarray(compare(values, number), dtype=bool)
    needle = text.casefold()
    mask = np.zeros(len(frame), dtype=bool)
    for name in columns:
        found = frame[name].astype("string").str.casefold().str.contains(needle, regex=False)
        mask |= found.fillna(False).to_numpy(dtype=bool)
    return mask


def _geometry_name(frame: pd.DataFrame) -> Optional[str]:
    try:
        return frame.geometry.name  # type: ignore[union-attr]
    except AttributeError:
        return None


class FrameModel(QAbstractTableModel):
    """A read-only table model over a (Geo)DataFrame's attribute columns.

    Rows on screen map to positions in the frame through ``rows`` (the subset, then the text
    filter, then the sort): the one mapping that selection, sorting and filtering use, so a
    selection is always reported as frame positions (what the canvas and the layer use).
    """

    def __init__(self, frame: Optional[pd.DataFrame] = None, parent=None) -> None:
        super().__init__(parent)
        self._frame = pd.DataFrame()
        self._columns: list[str] = []
        self._values: dict[int, np.ndarray] = {}
        self._orders: dict[int, np.ndarray] = {}
        self._text_mask: np.ndarray = np.zeros(0, dtype=bool)
        self._subset: Optional[np.ndarray] = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._highlight: Optional[np.ndarray] = None
        self.rows = np.zeros(0, dtype=np.int64)
        if frame is not None:
            self.set_frame(frame)

    # --- content -----------------------------------------------------------------------------
    def set_frame(self, frame: pd.DataFrame) -> None:
        self.beginResetModel()
        self._frame = frame
        geometry = _geometry_name(frame)
        self._columns = [str(c) for c in frame.columns if c != geometry]
        self._values.clear()
        self._orders.clear()
        self._text_mask = np.ones(len(frame), dtype=bool)
        self._subset = None
        self._sort = None
        self._highlight = None
        self.rows = np.arange(len(frame), dtype=np.int64)
        self.endResetModel()

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def set_highlight(self, rows: Optional[np.ndarray]) -> None:
        """Paint these frame positions (a bool array over the frame) with a highlight background."""
        self._highlight = None if rows is None else np.asarray(rows, dtype=bool)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                  [Qt.ItemDataRole.BackgroundRole])

    def _column_values(self, column: int) -> np.ndarray:
        values = self._values.get(column)
        if values is None:
            values = self._frame[self._columns[column]].to_numpy()
            self._values[column] = values
        return values

    # --- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        position = int(self.rows[index.row()])
        if role == Qt.ItemDataRole.DisplayRole:
            return format_cell(self._column_values(index.column())[position])
        if role == Qt.ItemDataRole.ToolTipRole:
            text = format_cell(self._column_values(index.column())[position])
            return plain_tooltip(text) if len(text) > TOOLTIP_MIN_CHARS else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            value = self._column_values(index.column())[position]
            if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self._highlight is not None and self._highlight[position]:
            return QBrush(HIGHLIGHT)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section]
        return str(int(self.rows[section]) + 1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order) if 0 <= column < len(self._columns) else None
        self._rebuild_rows()
        self.layoutChanged.emit()

    # --- filter and mapping ------------------------------------------------------------------
    def set_filter(self, text: str, column: Optional[str] = None) -> int:
        """Show only the rows matching ``text`` (see :func:`filter_mask`); returns how many."""
        self.beginResetModel()
        self._text_mask = filter_mask(self._frame, text, column)
        self._rebuild_rows()
        self.endResetModel()
        return len(self.rows)

    def set_subset(self, mask: Optional[np.ndarray]) -> int:
        """List only the features of ``mask`` (bool over the frame; ``None``: all), the text filter
        applying within them; returns how many rows are listed."""
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (len(self._frame),):
                raise ValueError(f"a subset of {mask.size} values does not fit {len(self._frame)} rows")
        self.beginResetModel()
        self._subset = mask
        self._rebuild_rows()
        self.endResetModel()
        return len(self.rows)

    def _rebuild_rows(self) -> None:
        if self._sort is None:
            order = np.arange(len(self._frame), dtype=np.int64)
        else:
            key = self._sort
            order = self._orders.get(key)
            if order is None:
                column, direction = key
                order = sort_order(self._frame[self._columns[column]], direction == Qt.SortOrder.DescendingOrder)
                self._orders[key] = order
        keep = self._text_mask if self._subset is None else self._text_mask & self._subset
        self.rows = order[keep[order]]

    def positions_of_rows(self, view_rows) -> np.ndarray:
        """Frame positions of rows on screen."""
        return np.asarray(self.rows[np.sort(np.asarray(view_rows, dtype=np.int64))], dtype=np.int64)

    def rows_of_positions(self, positions) -> np.ndarray:
        """Rows on screen showing these frame positions (those filtered out are left out)."""
        wanted = np.zeros(len(self._frame), dtype=bool)
        wanted[np.asarray(positions, dtype=np.int64)] = True
        return np.flatnonzero(wanted[self.rows])


def fit_columns(view: QTableView, max_px: int = MAX_FIT_COLUMN_PX) -> None:
    """Columns as wide as their contents, but none wider than ``max_px`` (a long text is elided,
    and its header stays in sight; the user can still widen the column)."""
    view.resizeColumnsToContents()
    for column in range(view.model().columnCount()):
        if view.columnWidth(column) > max_px:
            view.setColumnWidth(column, max_px)


def _row_ranges(rows: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive runs of sorted row numbers as (first, last) pairs."""
    if len(rows) == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) != 1)
    starts = np.concatenate([[rows[0]], rows[breaks + 1]])
    ends = np.concatenate([rows[breaks], [rows[-1]]])
    return list(zip(starts.tolist(), ends.tolist()))


class AttributeTable(QWidget):
    """The table of one layer, what it lists (all, shown on the map, selected), a filter box, and
    selection linked to the map.

    Signals
    -------
    selectionChanged(layer, positions)
        The user selected rows; ``positions`` are frame positions.
    zoomRequested(layer, positions)
        "Zoom to selected" was pressed.
    """

    selectionChanged = Signal(object, object)
    zoomRequested = Signal(object, object)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layer = None
        self.model = FrameModel(parent=self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setDefaultSectionSize(120)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection)
        self.view.doubleClicked.connect(lambda _index: self._zoom_to_selected())

        self.show_features = QComboBox()
        for text, key in SHOW_CHOICES.items():
            self.show_features.addItem(text, key)
        self.show_features.setToolTip("List all features, those shown on the map (state filter and "
                                      "legend classes), or the selected ones")
        self.show_features.currentIndexChanged.connect(lambda _i: self._apply_subset())
        # The list of selected features follows a selection made in the table once the click is
        # handled (resetting the model inside the view's own selection change is not safe).
        self._subset_update = QTimer(self)
        self._subset_update.setSingleShot(True)
        self._subset_update.setInterval(0)
        self._subset_update.timeout.connect(self._apply_subset)

        self.title = QLabel("No layer")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.count = QLabel()
        self.column = QComboBox()
        self.column.setMinimumContentsLength(12)
        self.column.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: text to find, or > 5, <= 2.5, = 331 on a number column")
        self.filter.setClearButtonEnabled(True)
        # Filter as you type (after a short pause, so a large table is not filtered per key).
        self._filter_delay = QTimer(self)
        self._filter_delay.setSingleShot(True)
        self._filter_delay.setInterval(FILTER_DELAY_MS)
        self._filter_delay.timeout.connect(self.apply_filter)
        self.filter.returnPressed.connect(self.apply_filter)
        self.filter.textChanged.connect(lambda _text: self._filter_delay.start())
        self.column.currentIndexChanged.connect(lambda _i: self.apply_filter())
        zoom = QPushButton("Zoom to selected")
        zoom.clicked.connect(self._zoom_to_selected)
        clear = QPushButton("Clear selection")
        clear.clicked.connect(self.view.clearSelection)

        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addSpacing(12)
        bar.addWidget(self.show_features)
        bar.addWidget(self.column)
        bar.addWidget(self.filter, 1)
        bar.addWidget(zoom)
        bar.addWidget(clear)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("QLabel { background: #fde0c5; color: #5a2a00; padding: 3px; }")
        self.note.hide()
        layout.addWidget(self.note)
        layout.addWidget(self.view)
        self._syncing = False
        #: The last filter of each layer's table, by layer id: (text, column, show choice).
        self._filters: dict[str, tuple[str, str, str]] = {}
        #: Frame positions of the layer's selected features (from the map or the table).
        self._selection = np.empty(0, dtype=np.int64)

    def set_layer(self, layer) -> None:
        """Show this layer's attributes (``None`` or a raster clears the table); the filter it
        had when last shown comes back."""
        self._remember_filter()
        self._follow_layer_events(self.layer, False)
        self.layer = layer
        self._follow_layer_events(layer, True)
        frame = getattr(layer, "data", None) if layer is not None else None
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame()
        self._selection = np.empty(0, dtype=np.int64)
        self.model.set_frame(frame)
        self.model.set_subset(self._subset())
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.title.setText(layer.name if layer is not None else "No layer")
        self._syncing = True
        self.column.clear()
        self.column.addItem(ALL_COLUMNS)
        self.column.addItems(self.model.columns)
        self._syncing = False
        self._restore_filter(layer)
        if len(frame) <= 2000:
            fit_columns(self.view)
        self._update_count()

    def set_note(self, text: str) -> None:
        """A line above the rows (e.g. "out of date" on the readiness scores); empty hides it."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _remember_filter(self) -> None:
        if self.layer is not None:
            self._filters[self.layer.id] = (self.filter.text(), self.column.currentText(),
                                            self.show_features.currentData())

    def _restore_filter(self, layer) -> None:
        """The filter, column and "show" choice the layer's table had when last shown."""
        text, column, mode = self._filters.get(layer.id, ("", ALL_COLUMNS, "all")) if layer is not None \
            else ("", ALL_COLUMNS, "all")
        self._syncing = True
        self.column.setCurrentIndex(max(self.column.findText(column), 0))
        self.show_features.setCurrentIndex(max(self.show_features.findData(mode), 0))
        self.filter.setText(text)
        self._syncing = False
        self._filter_delay.stop()
        self.apply_filter()
        self._apply_subset()

    def _follow_layer_events(self, layer, follow: bool) -> None:
        """(Dis)connect the layer's filter and style events, which change what the map shows."""
        if layer is None:
            return
        for emitter in (layer.events.filter, layer.events.style):
            if follow:
                emitter.connect(self._on_layer_shown_changed)
            else:
                emitter.disconnect(self._on_layer_shown_changed)

    def _on_layer_shown_changed(self, _event=None) -> None:
        if self.show_features.currentData() == "map":
            self._apply_subset()

    def _subset(self) -> Optional[np.ndarray]:
        """The frame positions the chosen "show" lists, as a bool mask (``None``: all)."""
        mode = self.show_features.currentData()
        count = len(self.model.frame)
        if mode == "map" and self.layer is not None and self.layer.feature_count == count:
            return self.layer.shown_mask()
        if mode == "no_geometry":
            geometry = getattr(self.model.frame, "geometry", None) if _geometry_name(self.model.frame) else None
            if geometry is None:
                return np.ones(count, dtype=bool)
            return (geometry.isna() | geometry.is_empty).to_numpy(dtype=bool)
        if mode == "selected":
            mask = np.zeros(count, dtype=bool)
            mask[self._selection[self._selection < count]] = True
            return mask
        return None

    def _apply_subset(self) -> None:
        self.model.set_subset(self._subset())
        self._show_selection()

    def refresh(self) -> None:
        """Re-read the layer's frame (after columns were added to it)."""
        self.set_layer(self.layer)

    def apply_filter(self) -> None:
        if self._syncing:
            return
        column = self.column.currentText()
        self.model.set_filter(self.filter.text(), None if column in ("", ALL_COLUMNS) else column)
        self._show_selection()

    def selected_rows(self) -> np.ndarray:
        """Rows on screen that are selected, sorted, from the selection's ranges (not one Python
        object per row, so selecting all of 100k rows stays fast)."""
        ranges = [np.arange(part.top(), part.bottom() + 1) for part in self.view.selectionModel().selection()]
        return np.unique(np.concatenate(ranges)) if ranges else np.empty(0, dtype=np.int64)

    def selected_positions(self) -> np.ndarray:
        """Frame positions of the selected rows."""
        return self.model.positions_of_rows(self.selected_rows())

    def select_positions(self, positions) -> None:
        """Select these frame positions in the table (from the map) and scroll to the first."""
        self._selection = np.unique(np.asarray(positions, dtype=np.int64))
        if self.show_features.currentData() == "selected":
            self.model.set_subset(self._subset())
        rows = self._show_selection()
        if len(rows):
            self.view.scrollTo(self.model.index(int(rows[0]), 0))

    def _show_selection(self) -> np.ndarray:
        """Select the rows of the selected features (after the rows changed); returns those rows."""
        rows = self.model.rows_of_positions(self._selection)
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for first, end in _row_ranges(rows):
            selection.select(self.model.index(first, 0), self.model.index(end, last))
        self._syncing = True
        self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._syncing = False
        self._update_count()
        return rows

    def _on_view_selection(self, *_args) -> None:
        if not self._syncing and self.layer is not None:
            self._selection = self.selected_positions()
            self.selectionChanged.emit(self.layer, self._selection.copy())
            if self.show_features.currentData() == "selected":
                self._subset_update.start()
        self._update_count()

    def _zoom_to_selected(self) -> None:
        positions = self.selected_positions()
        if self.layer is not None and len(positions):
            self.zoomRequested.emit(self.layer, positions)

    def _update_count(self) -> None:
        total = len(self.model.frame)
        shown = self.model.rowCount()
        selected = len(self._selection)
        self.count.setText(f"{shown:,} of {total:,} shown · {selected:,} selected")


class FindFeatureDialog(QDialog):
    """Ctrl+F: search one layer's attributes; choosing a hit zooms to it and selects it.

    Signals
    -------
    featureChosen(layer, position)
    """

    featureChosen = Signal(object, int)
    MAX_HITS = 500

    def __init__(self, layer, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.setWindowTitle(f"Find feature — {layer.name}")
        self.text = QLineEdit()
        self.text.setPlaceholderText("Text to find in any attribute (e.g. a deposit or block name)")
        self.text.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.status = QLabel()
        self.text.textChanged.connect(self.search)
        self.text.returnPressed.connect(self._choose_first)
        self.results.itemActivated.connect(self._choose)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self.resize(460, 360)

    def search(self, text: str) -> None:
        self.results.clear()
        frame = self.layer.data
        if not text.strip():
            self.status.setText("")
            return
        positions = np.flatnonzero(filter_mask(frame, text))
        columns = [c for c in frame.columns if c != _geometry_name(frame)][:3]
        for position in positions[:self.MAX_HITS]:
            row = frame.iloc[int(position)]
            item = QListWidgetItem(" · ".join(format_cell(row[c]) for c in columns))
            item.setData(Qt.ItemDataRole.UserRole, int(position))
            self.results.addItem(item)
        more = f" (first {self.MAX_HITS} listed)" if len(positions) > self.MAX_HITS else ""
        self.status.setText(f"{len(positions):,} found{more}. Enter or double-click zooms to the feature.")

    def _choose_first(self) -> None:
        if self.results.count():
            self._choose(self.results.item(0))

    def _choose(self, item: QListWidgetItem) -> None:
        self.featureChosen.emit(self.layer, int(item.data(Qt.ItemDataRole.UserRole)))
