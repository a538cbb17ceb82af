"""The layer tree (left dock): a thin Qt view over the Qt-free :class:`layers.LayerList`.

The tree never holds state of its own: it is rebuilt from the model after each change (once per
batch, on the next turn of the event loop), and every user action (a checkbox, a drag, a menu
entry) is a change made to the model, which the canvas and the tree then both follow. Changes that
touch several layers are made inside ``layer_list.batch()`` so the canvas redraws once.

Three views of the same list: drawing order (drag to reorder), grouped by role, and grouped by
state (deposit and block layers split into one entry per state, each with its own checkbox that
filters the layer's features).
"""
from __future__ import annotations

import copy
import html
from typing import Optional

import numpy as np
import pandas as pd
from PySide6.QtCore import QPoint, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QInputDialog, QLabel, QMenu, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from assessment.fields import ROLES, guess_fields
from layers.style import CategorisedStyle, DrawnClass, default_style_for, drawn_classes

from gui.geometry_paths import colormap_for
from gui.render import paint_swatch
from gui.model_links import listen_while_alive

LAYER, LEGEND, GROUP, STATE_ENTRY = "layer", "legend", "group", "state"
MODES = (("Drawing order", "order"), ("Grouped by role", "role"), ("Grouped by state", "state"))
ROLE_TITLES = {"deposits": "Deposits", "blocks": "Auction blocks", "forest": "Forest",
               "protected_areas": "Protected areas", "infrastructure": "Infrastructure",
               "boundaries": "Boundaries", "evidence": "Evidence rasters", "admin": "Administrative areas",
               None: "Other layers"}
STATE_ROLES = ("deposits", "blocks")
KIND_ROLE = Qt.ItemDataRole.UserRole
PAYLOAD_ROLE = Qt.ItemDataRole.UserRole + 1


def swatch(drawn: DrawnClass, geometry_kind: Optional[str], size: int = 16) -> QIcon:
    """A legend symbol of a class as the map draws it (:func:`gui.render.paint_swatch`)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_swatch(painter, drawn, geometry_kind, QRectF(2.5, 2.5, size - 5, size - 5))
    painter.end()
    return QIcon(pixmap)


def ramp_icon(colormap: str, size: int = 16) -> QIcon:
    """A small vertical colour ramp for a raster layer (the canvas's own colour map)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    lookup = colormap_for(colormap).getLookupTable(nPts=size - 4, mode="qcolor")
    for row, colour in enumerate(reversed(list(lookup))):
        painter.setPen(QColor(colour))
        painter.drawLine(3, 2 + row, size - 3, 2 + row)
    painter.end()
    return QIcon(pixmap)


def state_positions(layer) -> dict[str, np.ndarray]:
    """Frame positions of the layer's features per state (from its ``state`` field), by name."""
    column = layer.fields.get("state") if layer.fields else None
    frame = layer.data
    if not column or not isinstance(frame, pd.DataFrame) or column not in frame.columns:
        return {}
    names = frame[column].astype("string").str.strip().fillna("state not given")
    codes, uniques = pd.factorize(names, sort=True)
    order = np.argsort(codes, kind="stable")
    splits = np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1]
    return dict(zip((str(u) for u in uniques), np.split(order, splits)))


def _tooltip(layer) -> str:
    """Escaped rich text (Qt would otherwise guess whether a name is HTML)."""
    lines = [layer.name]
    if getattr(layer, "illustrative", False):
        lines.append("Illustrative sample data, not official records")
    if getattr(layer, "missing", False):
        lines.append("Source file missing")
    if layer.source is not None:
        lines.append(f"Source: {layer.source}")
    if layer.role:
        lines.append(f"Role: {ROLE_TITLES.get(layer.role, layer.role)}")
    if isinstance(layer.data, pd.DataFrame):
        lines.append(f"{len(layer.data):,} features")
    if layer.crs is not None:
        lines.append(f"CRS: {layer.crs.to_string()}")
    return "<p style='white-space:pre'>" + "<br>".join(html.escape(str(line)) for line in lines) + "</p>"


class LayerTree(QTreeWidget):
    """The tree widget; see the module docstring.

    Signals
    -------
    currentLayerChanged(layer)
        The highlighted layer (or ``None``).
    zoomToLayer(layer), openTable(layer), editStyle(layer), showProperties(layer)
        Context-menu requests the main window carries out.
    """

    currentLayerChanged = Signal(object)
    zoomToLayer = Signal(object)
    openTable = Signal(object)
    editStyle = Signal(object)
    showProperties = Signal(object)

    def __init__(self, layer_list, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layer_list = layer_list
        self.mode = "order"
        self.rebuild_count = 0
        self._building = False
        self._collapsed: set[str] = set()
        self._current_id: Optional[str] = None
        self.setHeaderHidden(True)
        self.setIndentation(16)
        self.setUniformRowHeights(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.customContextMenuRequested.connect(self._context_menu)
        self.itemChanged.connect(self._on_item_changed)
        self.itemExpanded.connect(lambda item: self._collapsed.discard(self._key(item)))
        self.itemCollapsed.connect(lambda item: self._collapsed.add(self._key(item)))
        self.currentItemChanged.connect(self._on_current_item)
        self.itemDoubleClicked.connect(self._on_double_click)
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.rebuild)
        listen_while_alive(self, layer_list.events.changed, self._schedule_rebuild)
        self._apply_drag_mode()
        self.rebuild()

    # --- model → tree --------------------------------------------------------------------------
    def _schedule_rebuild(self, _event=None) -> None:
        self._pending.start()

    def flush(self) -> None:
        """Apply a pending rebuild now (normally done on the next turn of the event loop)."""
        if self._pending.isActive():
            self.rebuild()

    def set_mode(self, mode: str) -> None:
        """Show the layers in drawing order ("order"), by role ("role") or by state ("state")."""
        self.mode = mode
        self._apply_drag_mode()
        self.rebuild()

    def _apply_drag_mode(self) -> None:
        draggable = self.mode == "order"
        self.setDragEnabled(draggable)
        self.setAcceptDrops(draggable)
        self.setDropIndicatorShown(draggable)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove if draggable
                             else QAbstractItemView.DragDropMode.NoDragDrop)

    def rebuild(self) -> None:
        """Recreate every item from the model (a few dozen items: cheap, and never out of date)."""
        self._pending.stop()
        self._building = True
        self.rebuild_count += 1
        scroll = self.verticalScrollBar().value()
        self.clear()
        if self.mode == "role":
            self._build_by_role()
        elif self.mode == "state":
            self._build_by_state()
        else:
            for layer in self.layer_list:
                self.addTopLevelItem(self._layer_item(layer))
        self._restore_expansion()
        self._building = False
        self._restore_current()
        self.verticalScrollBar().setValue(scroll)

    def _build_by_role(self) -> None:
        for role in (*ROLES, None):
            members = [layer for layer in self.layer_list if layer.role == role]
            if members:
                group = self._group_item(ROLE_TITLES.get(role, str(role)), f"role:{role}", members)
                group.addChildren([self._layer_item(layer) for layer in members])
                self.addTopLevelItem(group)

    def _build_by_state(self) -> None:
        split = {layer.id: state_positions(layer) for layer in self.layer_list
                 if layer.role in STATE_ROLES}
        states = sorted({state for groups in split.values() for state in groups})
        for state in states:
            entries = [(layer, split[layer.id][state]) for layer in self.layer_list
                       if state in split.get(layer.id, {})]
            group = self._group_item(state, f"state:{state}", [])
            group.setData(0, PAYLOAD_ROLE, entries)
            group.addChildren([self._state_entry(layer, state, positions) for layer, positions in entries])
            group.setCheckState(0, _combined(group))
            self.addTopLevelItem(group)
        rest = [layer for layer in self.layer_list if not split.get(layer.id)]
        if rest:
            group = self._group_item("Other layers", "state:other", rest)
            group.addChildren([self._layer_item(layer) for layer in rest])
            self.addTopLevelItem(group)

    def _group_item(self, title: str, key: str, members: list) -> QTreeWidgetItem:
        item = QTreeWidgetItem([title])
        item.setData(0, KIND_ROLE, GROUP)
        item.setData(0, PAYLOAD_ROLE, members)
        item.setData(0, Qt.ItemDataRole.UserRole + 2, key)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        if members:
            shown = sum(bool(layer.visible) for layer in members)
            item.setCheckState(0, Qt.CheckState.Checked if shown == len(members) else
                               Qt.CheckState.Unchecked if shown == 0 else Qt.CheckState.PartiallyChecked)
        return item

    def _layer_item(self, layer) -> QTreeWidgetItem:
        title = layer.name + (" (source missing)" if getattr(layer, "missing", False) else "")
        item = QTreeWidgetItem([title])
        item.setData(0, KIND_ROLE, LAYER)
        item.setData(0, PAYLOAD_ROLE, layer)
        item.setData(0, Qt.ItemDataRole.UserRole + 2, f"layer:{layer.id}")
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable \
            | Qt.ItemFlag.ItemIsEditable
        if self.mode == "order":
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        item.setFlags(flags)
        item.setCheckState(0, Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
        item.setToolTip(0, _tooltip(layer))
        if getattr(layer, "missing", False):
            item.setForeground(0, QBrush(QColor("#a50026")))
        self._add_legend(item, layer)
        return item

    def _add_legend(self, item: QTreeWidgetItem, layer) -> None:
        style = layer.style
        if style is None:
            return
        if layer.kind == "raster":
            item.setIcon(0, ramp_icon(getattr(style, "colormap", "viridis")))
            return
        classes = drawn_classes(layer)
        if not isinstance(style, CategorisedStyle):
            item.setIcon(0, swatch(classes[0], layer.geometry_kind))
            return
        for index, drawn in enumerate(classes):
            child = QTreeWidgetItem([drawn.label])
            child.setData(0, KIND_ROLE, LEGEND)
            child.setData(0, PAYLOAD_ROLE, (layer, index))
            child.setIcon(0, swatch(drawn, layer.geometry_kind))
            child.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            child.setCheckState(0, Qt.CheckState.Checked if drawn.visible else Qt.CheckState.Unchecked)
            item.addChild(child)

    def _state_entry(self, layer, state: str, positions: np.ndarray) -> QTreeWidgetItem:
        item = QTreeWidgetItem([f"{layer.name} ({len(positions):,})"])
        item.setData(0, KIND_ROLE, STATE_ENTRY)
        item.setData(0, PAYLOAD_ROLE, (layer, positions))
        item.setData(0, Qt.ItemDataRole.UserRole + 2, f"state:{state}:{layer.id}")
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        mask = layer.filter_mask
        shown = layer.visible and (mask is None or bool(np.asarray(mask)[positions].any()))
        item.setCheckState(0, Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)
        item.setToolTip(0, _tooltip(layer))
        if layer.kind == "vector" and layer.style is not None:
            item.setIcon(0, swatch(drawn_classes(layer)[0], layer.geometry_kind))
        return item

    @staticmethod
    def _key(item: QTreeWidgetItem) -> str:
        return str(item.data(0, Qt.ItemDataRole.UserRole + 2) or "")

    def _restore_expansion(self) -> None:
        for item in self._all_items():
            if item.childCount():
                item.setExpanded(self._key(item) not in self._collapsed)

    def _restore_current(self) -> None:
        for item in self._all_items():
            if item.data(0, KIND_ROLE) == LAYER and item.data(0, PAYLOAD_ROLE).id == self._current_id:
                self.setCurrentItem(item)
                return

    def _all_items(self):
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop()
            yield item
            stack.extend(item.child(i) for i in range(item.childCount()))

    def layer_items(self) -> list[QTreeWidgetItem]:
        """The items that stand for a whole layer, top to bottom."""
        self.flush()
        items = [item for item in self._all_items() if item.data(0, KIND_ROLE) == LAYER]
        order = {layer.id: i for i, layer in enumerate(self.layer_list)}
        return sorted(items, key=lambda item: order[item.data(0, PAYLOAD_ROLE).id])

    def item_for(self, layer) -> Optional[QTreeWidgetItem]:
        return next((item for item in self.layer_items() if item.data(0, PAYLOAD_ROLE) is layer), None)

    # --- tree → model --------------------------------------------------------------------------
    def _on_item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        if self._building:
            return
        kind, payload = item.data(0, KIND_ROLE), item.data(0, PAYLOAD_ROLE)
        checked = item.checkState(0) == Qt.CheckState.Checked
        if kind == LAYER:
            self._on_layer_item_changed(item, payload, checked)
        elif kind == LEGEND:
            self._set_category_visible(*payload, checked)
        elif kind == GROUP:
            self._set_group_checked(item, checked)
        elif kind == STATE_ENTRY:
            self.show_state_features([payload], checked)

    def _on_layer_item_changed(self, item: QTreeWidgetItem, layer, checked: bool) -> None:
        name = item.text(0)
        if name and name != layer.name and not getattr(layer, "missing", False):
            layer.name = name
        if bool(layer.visible) != checked:
            layer.visible = checked

    def _set_group_checked(self, item: QTreeWidgetItem, checked: bool) -> None:
        payload = item.data(0, PAYLOAD_ROLE) or []
        with self.layer_list.batch():
            if payload and isinstance(payload[0], tuple):
                self.show_state_features(payload, checked)
            else:
                for layer in payload:
                    layer.visible = checked

    def show_state_features(self, entries, shown: bool) -> None:
        """Show or hide the features at these positions, one ``(layer, positions)`` per layer."""
        with self.layer_list.batch():
            for layer, positions in entries:
                mask = layer.filter_mask
                mask = np.ones(len(layer.data), dtype=bool) if mask is None else np.array(mask, dtype=bool)
                mask[positions] = shown
                layer.filter_mask = None if mask.all() else mask
                if shown and not layer.visible:
                    layer.visible = True

    def _set_category_visible(self, layer, index: int, visible: bool) -> None:
        style = copy.deepcopy(layer.style)
        if index < len(style.categories):
            style.categories[index].visible = visible
        else:
            style.other_visible = visible
        layer.style = style

    def move_layer(self, layer, index: int) -> None:
        """Put ``layer`` at ``index`` of the drawing order (0 = drawn on top)."""
        source = self.layer_list.index(layer)
        self.layer_list.move(source, max(0, min(index, len(self.layer_list) - 1)))

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Turn a drag into one move in the model instead of moving tree items."""
        dragged = self.currentItem()
        target = self.itemAt(event.position().toPoint())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if dragged is None or dragged.data(0, KIND_ROLE) != LAYER:
            return
        layer = dragged.data(0, PAYLOAD_ROLE)
        if target is None:
            self.move_layer(layer, len(self.layer_list) - 1)
            return
        while target.parent() is not None:
            target = target.parent()
        below = self.dropIndicatorPosition() in (QAbstractItemView.DropIndicatorPosition.BelowItem,
                                                  QAbstractItemView.DropIndicatorPosition.OnItem)
        self.move_layer(layer, drop_index(self.layer_list, layer, target.data(0, PAYLOAD_ROLE), below))

    # --- current layer, context menu -----------------------------------------------------------
    def current_layer(self):
        self.flush()
        item = self.currentItem()
        while item is not None and item.data(0, KIND_ROLE) not in (LAYER, STATE_ENTRY):
            item = item.parent()
        if item is None:
            return None
        payload = item.data(0, PAYLOAD_ROLE)
        return payload[0] if item.data(0, KIND_ROLE) == STATE_ENTRY else payload

    def set_current_layer(self, layer) -> None:
        item = self.item_for(layer)
        if item is not None:
            self.setCurrentItem(item)

    def _on_current_item(self, *_args) -> None:
        if self._building:
            return
        layer = self.current_layer()
        self._current_id = None if layer is None else layer.id
        self.currentLayerChanged.emit(layer)

    def _on_double_click(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, KIND_ROLE) == LAYER:
            self.editStyle.emit(item.data(0, PAYLOAD_ROLE))

    def _context_menu(self, point: QPoint) -> None:
        item = self.itemAt(point)
        if item is None:
            return
        self.setCurrentItem(item)
        layer = self.current_layer()
        if layer is None:
            return
        self.layer_menu(layer, item).exec(self.viewport().mapToGlobal(point))

    def layer_menu(self, layer, item: Optional[QTreeWidgetItem] = None) -> QMenu:
        """The context menu of one layer (built on demand; tests trigger its actions)."""
        menu = QMenu(self)
        menu.addAction("Zoom to layer", lambda: self.zoomToLayer.emit(layer))
        table = menu.addAction("Open attribute table", lambda: self.openTable.emit(layer))
        table.setEnabled(isinstance(layer.data, pd.DataFrame))
        menu.addAction("Style…", lambda: self.editStyle.emit(layer))
        menu.addSeparator()
        menu.addAction("Rename…", lambda: self.rename(layer))
        roles = menu.addMenu("Set role")
        for role in ROLES:
            action = QAction(ROLE_TITLES[role], roles)
            action.setCheckable(True)
            action.setChecked(layer.role == role)
            action.triggered.connect(lambda _checked=False, r=role: self.set_role(layer, r))
            roles.addAction(action)
        menu.addSeparator()
        menu.addAction("Remove layer", lambda: self.layer_list.remove(layer))
        menu.addSeparator()
        menu.addAction("Properties…", lambda: self.showProperties.emit(layer))
        return menu

    def rename(self, layer) -> None:
        name, ok = QInputDialog.getText(self, "Rename layer", "Layer name:", text=layer.name)
        if ok and name.strip():
            layer.name = name.strip()

    def set_role(self, layer, role: str) -> None:
        """Give the layer a role, re-guess its fields for that role and restyle it accordingly."""
        with self.layer_list.batch():
            layer.role = role
            if isinstance(layer.data, pd.DataFrame):
                layer.fields = guess_fields([str(c) for c in layer.data.columns], role)
            layer.style = default_style_for(layer)


def drop_index(layer_list, dragged, target, below: bool) -> int:
    """Where ``dragged`` ends in the drawing order when dropped above/below ``target``."""
    source, destination = layer_list.index(dragged), layer_list.index(target)
    if below:
        destination += 1
    return destination - 1 if source < destination else destination


def _combined(group: QTreeWidgetItem) -> Qt.CheckState:
    states = {group.child(i).checkState(0) for i in range(group.childCount())}
    if states == {Qt.CheckState.Checked}:
        return Qt.CheckState.Checked
    if states == {Qt.CheckState.Unchecked}:
        return Qt.CheckState.Unchecked
    return Qt.CheckState.PartiallyChecked


class LayerPanel(QWidget):
    """The dock's content: a "Show" chooser above the tree."""

    def __init__(self, layer_list, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.tree = LayerTree(layer_list)
        self.mode = QComboBox()
        for text, value in MODES:
            self.mode.addItem(text, value)
        self.mode.currentIndexChanged.connect(lambda _i: self.tree.set_mode(self.mode.currentData()))
        row = QHBoxLayout()
        row.addWidget(QLabel("Show:"))
        row.addWidget(self.mode, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.tree)
