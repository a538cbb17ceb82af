"""The state picker (toolbar): choose a state from the boundaries layer to zoom to it and show
only its deposits and blocks; "All India" clears the filter."""
from __future__ import annotations

from typing import Optional

import pandas as pd
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from gui.model_links import listen_while_alive

ALL_INDIA = "All India"
FILTERED_ROLES = ("deposits", "blocks")


def state_key(names: pd.Series) -> pd.Series:
    """State names reduced to a comparable key: case, "&"/"and", spaces and punctuation ignored
    ("Jammu & Kashmir" and "JAMMU AND KASHMIR" match)."""
    text = names.astype("string").str.casefold().str.replace("&", " and ", regex=False)
    return text.str.replace(r"[^0-9a-z\u0900-\u097f]+", "", regex=True)


def _name_column(layer) -> Optional[str]:
    fields = layer.fields or {}
    for key in ("state", "name"):
        column = fields.get(key)
        if column and column in layer.data.columns:
            return column
    return None


def state_names(boundaries) -> list[tuple[str, int]]:
    """(state name, frame position) of every boundary feature, sorted by name."""
    if boundaries is None or not isinstance(boundaries.data, pd.DataFrame):
        return []
    column = _name_column(boundaries)
    if column is None:
        return []
    names = boundaries.data[column].astype("string")
    pairs = [(str(name), position) for position, name in enumerate(names) if not pd.isna(name)]
    return sorted(pairs, key=lambda pair: pair[0].casefold())


def matching_state_values(layer, state: str) -> Optional[list[str]]:
    """The layer's own spellings of ``state`` in its state field (None: the layer has no such field)."""
    column = (layer.fields or {}).get("state")
    if not column or not isinstance(layer.data, pd.DataFrame) or column not in layer.data.columns:
        return None
    values = pd.Series(layer.data[column].astype("string").str.strip().dropna().unique())
    wanted = state_key(pd.Series([state])).iloc[0]
    return sorted(str(value) for value in values[(state_key(values) == wanted).to_numpy(dtype=bool)])


class StatePicker(QComboBox):
    """Lists the states of the boundaries layer; choosing one zooms and filters.

    Signals
    -------
    stateChosen(name, boundaries_layer, position)
        ``name`` is ``""`` for all of India.
    """

    stateChosen = Signal(str, object, int)

    def __init__(self, layer_list, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layer_list = layer_list
        self.setMinimumContentsLength(22)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip("Zoom to a state and show only its deposits and blocks")
        self._boundaries = None
        self.activated.connect(self._on_activated)
        listen_while_alive(self, layer_list.events.changed, lambda _event=None: self.refresh())
        self.refresh()

    def boundaries(self):
        found = [layer for layer in self.layer_list if layer.role == "boundaries"]
        return found[0] if found else None

    def refresh(self) -> None:
        """Re-list the states when the boundaries layer changed (kept otherwise)."""
        boundaries = self.boundaries()
        if boundaries is self._boundaries and self.count():
            return
        self._boundaries = boundaries
        current = self.currentText()
        self.blockSignals(True)
        self.clear()
        self.addItem(ALL_INDIA, -1)
        for name, position in state_names(boundaries):
            self.addItem(name, position)
        self.setCurrentIndex(max(self.findText(current), 0))
        self.blockSignals(False)

    def choose(self, name: str) -> None:
        """Pick a state by name, in any case or spelling of "&" (or :data:`ALL_INDIA`), as if the user had."""
        keys = state_key(pd.Series([self.itemText(i) for i in range(self.count())]))
        wanted = state_key(pd.Series([name])).iloc[0]
        matches = [i for i, key in enumerate(keys) if key == wanted]
        index = matches[0] if matches else -1
        if index < 0:
            raise ValueError(f"{name!r} is not a state of the boundaries layer")
        self.setCurrentIndex(index)
        self._on_activated(index)

    def _on_activated(self, index: int) -> None:
        position = int(self.itemData(index))
        name = "" if position < 0 else self.itemText(index)
        self.apply_filter(name)
        self.stateChosen.emit(name, self._boundaries, position)

    def apply_filter(self, name: str) -> None:
        """Show only ``name``'s features on the deposit and block layers (all for ``""``)."""
        with self.layer_list.batch():
            for layer in self.layer_list:
                if layer.role not in FILTERED_ROLES:
                    continue
                values = matching_state_values(layer, name) if name else None
                if values is not None or not name:
                    layer.set_filter_states(values)
