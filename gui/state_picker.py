"""The state picker (toolbar): choose a state from the boundaries layer to zoom to it and show
only its deposits and blocks; "All India" clears the filter."""
from __future__ import annotations

from typing import Optional

import numpy as np
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
    """The column naming each feature's state: the ``state`` field, else the ``name`` field of a
    layer that has no ``district`` field (the names of a districts layer are districts)."""
    fields = layer.fields or {}
    keys = ("state",) if "district" in fields else ("state", "name")
    for key in keys:
        column = fields.get(key)
        if column and column in layer.data.columns:
            return column
    return None


def state_names(boundaries) -> list[tuple[str, list[int]]]:
    """(state name, frame positions) of every state of the boundaries layer, sorted by name: a
    state drawn as several features (districts, islands) is listed once, its positions together;
    spellings that differ only in case or "&"/"and" are one state."""
    if boundaries is None or not isinstance(boundaries.data, pd.DataFrame):
        return []
    column = _name_column(boundaries)
    if column is None:
        return []
    names = boundaries.data[column].astype("string").str.strip()
    present = names.notna() & (names != "")
    keys = state_key(names[present])
    grouped: dict[str, tuple[str, list[int]]] = {}
    for position, name, key in zip(np.flatnonzero(present.to_numpy()), names[present], keys):
        first_name, positions = grouped.setdefault(key, (str(name), []))
        positions.append(int(position))
    return sorted(grouped.values(), key=lambda pair: pair[0].casefold())


def matching_state_values(layer, state: str) -> Optional[list[str]]:
    """The layer's own spellings of ``state`` in its state field (None: the layer has no such field)."""
    column = (layer.fields or {}).get("state")
    if not column or not isinstance(layer.data, pd.DataFrame) or column not in layer.data.columns:
        return None
    values = pd.Series(layer.data[column].astype("string").str.strip().dropna().unique())
    wanted = state_key(pd.Series([state])).iloc[0]
    return sorted(str(value) for value in values[(state_key(values) == wanted).to_numpy(dtype=bool)])


class StatePicker(QComboBox):
    """Lists the states of the boundaries layer, each once; choosing one zooms and filters.

    The boundaries are the scoring set-up's State boundaries layer when it has one, else the top
    layer whose role is boundaries. The picker always shows the filter in force: after a project
    opens, :meth:`show_filter` names the state its layers are filtered to (a filter that is not
    one state of the list is removed, never left hidden).

    Signals
    -------
    stateChosen(name, boundaries_layer, positions)
        ``name`` is ``""`` for all of India; ``positions`` are the state's features.
    """

    stateChosen = Signal(str, object, object)

    def __init__(self, layer_list, parent: Optional[QWidget] = None, scoring_setup=None) -> None:
        super().__init__(parent)
        self.layer_list = layer_list
        self.scoring_setup = scoring_setup
        self.setMinimumContentsLength(22)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip("Zoom to a state and show only its deposits and blocks")
        self._boundaries = None
        self._positions: list[list[int]] = []
        self.activated.connect(self._on_activated)
        listen_while_alive(self, layer_list.events.changed, lambda _event=None: self.refresh())
        if scoring_setup is not None:
            listen_while_alive(self, scoring_setup.events.changed, lambda _event=None: self.refresh())
        self.refresh()

    def boundaries(self):
        if self.scoring_setup is not None:
            chosen = self.scoring_setup.layer_for("boundaries", self.layer_list)
            if chosen is not None:
                return chosen
        found = [layer for layer in self.layer_list if layer.role == "boundaries" and not layer.missing
                 and isinstance(layer.data, pd.DataFrame) and _name_column(layer) is not None]
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
        self.addItem(ALL_INDIA)
        states = state_names(boundaries)
        self._positions = [[]] + [positions for _name, positions in states]
        for name, _positions in states:
            self.addItem(name)
        self.setCurrentIndex(max(self.findText(current), 0))
        self.blockSignals(False)

    def _index_of(self, name: str) -> int:
        keys = state_key(pd.Series([self.itemText(i) for i in range(self.count())], dtype="string"))
        wanted = state_key(pd.Series([name], dtype="string")).iloc[0]
        return next((i for i, key in enumerate(keys) if key == wanted), -1)

    def choose(self, name: str) -> None:
        """Pick a state by name, in any case or spelling of "&" (or :data:`ALL_INDIA`), as if the user had."""
        index = self._index_of(name)
        if index < 0:
            raise ValueError(f"{name!r} is not a state of the boundaries layer")
        self.setCurrentIndex(index)
        self._on_activated(index)

    def _on_activated(self, index: int) -> None:
        name = "" if index <= 0 else self.itemText(index)
        self.apply_filter(name)
        self.stateChosen.emit(name, self._boundaries, self._positions[index] if index > 0 else [])

    def _filtered_layers(self) -> list:
        return [layer for layer in self.layer_list if layer.role in FILTERED_ROLES]

    def apply_filter(self, name: str) -> None:
        """Show only ``name``'s features on the deposit and block layers (all for ``""``)."""
        with self.layer_list.batch():
            for layer in self._filtered_layers():
                values = matching_state_values(layer, name) if name else None
                if values is not None or not name:
                    layer.set_filter_states(values)

    def show_filter(self) -> Optional[str]:
        """Show the state the deposit and block layers are filtered to (after a project opened).

        When every filtered layer shows exactly one state and it is in the list, the picker names
        it; any other filter is removed so none stays hidden. Returns a sentence for the user
        when a filter was removed, else None.
        """
        filtered = [layer for layer in self._filtered_layers() if layer.filter_mask is not None]
        states = {tuple(layer.filter_states() or ()) for layer in filtered}
        keys = {state_key(pd.Series(list(group), dtype="string")).iloc[0] for group in states if len(group) == 1}
        single = len(states) == 1 and len(next(iter(states))) == 1 and len(keys) == 1
        index = self._index_of(next(iter(states))[0]) if single else -1
        if not filtered:
            self.setCurrentIndex(0)
            return None
        if index > 0:
            self.setCurrentIndex(index)
            return None
        self.setCurrentIndex(0)
        self.apply_filter("")
        return (f"The filter on {', '.join(layer.name for layer in filtered)} was not one state of the "
                f"state picker's list; it was removed, so {ALL_INDIA} is shown.")
