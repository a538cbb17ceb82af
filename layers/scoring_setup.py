"""The scoring set-up: what a readiness score is computed from, chosen by the user (no Qt).

napari keeps its ViewerModel free of Qt; the set-up is the same kind of model. It holds which
layer plays each scoring role (one layer for blocks, deposits, forest, protected areas and state
boundaries; several for infrastructure and evidence rasters), the rules file and the as-of date.
Each layer's field mapping lives on the layer (``layer.fields``, saved with it in the project) and
is applied here when the inputs are built. The readiness panel is a view of this object; the
command line scores a project through the same :meth:`ScoringSetup.score_inputs`, so the GUI and
``khanij score --project`` compute the same table.

Opening a file never changes the set-up: a layer whose guessed role is a scoring role and that
the set-up does not use is a *proposal* (:meth:`ScoringSetup.proposals`) until the user accepts
or dismisses it. :meth:`ScoringSetup.inputs_key` summarises everything a score depends on, so a
view can say when results are out of date.

Examples
--------
>>> setup = ScoringSetup()
>>> log = []
>>> _ = setup.events.changed.connect(lambda event: log.append(event.what))
>>> setup.as_of = "2024-06-01"
>>> log, setup.as_of_text()
(['as_of'], '2024-06-01')
"""
from __future__ import annotations

import datetime
import functools
import os
from pathlib import Path
from typing import Any, Iterable, Optional

import pandas as pd

from assessment.fields import guess_fields
from assessment.rules import DEFAULT_RULES_PATH, Rules, load_rules
from geo.errors import KhanijError, describe_path
from geo.feedback import ensure_feedback
from layers.evented import EmitterGroup
from layers.layer import Layer, LayerList, crs_text
from layers.project import source_path, stored_path

# (role, label): the roles that take one layer, in the order the panel shows them.
SINGLE_ROLES = (("blocks", "Blocks"), ("deposits", "Deposits"), ("forest", "Forest"),
                ("protected_areas", "Protected areas"), ("boundaries", "State boundaries"))
# (set-up list, layer role, label): the roles that take several layers.
LIST_ROLES = (("infrastructure", "infrastructure", "Infrastructure"), ("rasters", "evidence", "Evidence rasters"))
ROLE_LABELS = {**dict(SINGLE_ROLES), **{role: label for _key, role, label in LIST_ROLES}}
_LABEL_ROLES = {label: role for role, label in ROLE_LABELS.items()}
PROJECT_KEY = "readiness"
INPUTS_SHEET = "scoring_inputs"


def _layer_ref(layer: Optional[Layer]) -> Optional[dict]:
    """How a saved set-up names a layer: its id (kept by projects) and its name (a fallback)."""
    return None if layer is None else {"id": layer.id, "name": layer.name}


def _find_layer(ref, layer_list: Iterable[Layer]) -> Optional[Layer]:
    if not isinstance(ref, dict):
        return None
    layers = list(layer_list)
    by_id = next((layer for layer in layers if layer.id == ref.get("id")), None)
    return by_id if by_id is not None else next((layer for layer in layers if layer.name == ref.get("name")), None)


def _ref_name(ref) -> str:
    return repr(ref.get("name")) if isinstance(ref, dict) else repr(ref)


def _parse_date(value) -> Optional[datetime.date]:
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"the as-of date {value!r} is not a date (YYYY-MM-DD)") from None


def raster_path(layer: Layer) -> Optional[str]:
    """The file a raster layer reads (rasters are scored from their files)."""
    path = getattr(layer.data, "path", None) or layer.source
    return str(path) if path is not None else None


def mapped_frame(frame: pd.DataFrame, fields: dict[str, str], role: str) -> pd.DataFrame:
    """``frame`` with the user's field mapping made visible to the scoring, which finds fields by
    name: a column the user mapped to a field the guess would not give it is renamed to the
    field's own name (a column already holding that name becomes ``<name>_unmapped``).

    A mapping equal to the guess leaves the frame as it is, so the output keeps the file's names.
    """
    renames = _mapping_renames([str(column) for column in frame.columns], fields, role)
    if not renames:
        return frame
    clashing = {field: f"{field}_unmapped" for field in renames.values()
                if field in frame.columns and field not in renames}
    return frame.rename(columns={**clashing, **renames})


def _mapping_renames(columns: list[str], fields: dict[str, str], role: str) -> dict[str, str]:
    """Column → field name for the mapped columns the guess would not find (see :func:`mapped_frame`)."""
    guessed = guess_fields(columns, role)
    return {column: field for field, column in fields.items()
            if column in columns and guessed.get(field) != column and column != field}


def read_fields(layer: Layer, role: str) -> tuple[tuple[str, str], ...]:
    """The ``(field, column)`` pairs a score finds by name in ``layer`` playing ``role``: its
    columns as :func:`mapped_frame` shows them to the scoring, guessed as the scoring guesses.

    A column the scoring does not find (the converter's results, notes) is not among them, so
    adding one leaves a score current; a column that becomes found (a remapped field, a new
    column with a field's name) changes them.
    """
    if not isinstance(layer.data, pd.DataFrame):
        return ()
    return _found_fields(tuple(Layer.columns_of(layer.data)), tuple(layer.fields.items()), role)


@functools.lru_cache(maxsize=256)
def _found_fields(columns: tuple[str, ...], fields: tuple[tuple[str, str], ...], role: str) -> tuple:
    """:func:`read_fields` of a layer's columns and mapping (asked on every edit while a block is
    drawn: the same few layers each time, so the guesses are kept)."""
    renames = _mapping_renames(list(columns), dict(fields), role)
    return tuple(guess_fields([renames.get(column, column) for column in columns], role).items())


class ScoringSetup:
    """See the module docstring.

    Events: ``changed(what)`` after any change (``what``: the role, "infrastructure",
    "rasters", "rules", "as_of", "dismissed").
    """

    def __init__(self) -> None:
        self.events = EmitterGroup(self, ("changed",))
        self.roles: dict[str, Optional[str]] = {role: None for role, _label in SINGLE_ROLES}
        self.lists: dict[str, list[str]] = {key: [] for key, _role, _label in LIST_ROLES}
        self.dismissed: set[str] = set()
        self.rules: Rules = load_rules()
        self._as_of: Optional[datetime.date] = None

    # -- choices ---------------------------------------------------------------------------------
    def layer_for(self, role: str, layer_list: Iterable[Layer]) -> Optional[Layer]:
        """The layer playing a single role (None when none is chosen or it is not open: a layer
        removed from the map keeps its place in the set-up, so undoing the removal restores it)."""
        wanted = self.roles[role]
        return next((layer for layer in layer_list if layer.id == wanted), None)

    def layers_for(self, key: str, layer_list: Iterable[Layer]) -> list[Layer]:
        """The layers of a list role ("infrastructure" or "rasters"), in layer-list order."""
        wanted = set(self.lists[key])
        return [layer for layer in layer_list if layer.id in wanted]

    def assign(self, role: str, layer: Optional[Layer]) -> None:
        """Make ``layer`` play ``role`` (a single role, or the list key "infrastructure"/"rasters"
        to add it); ``None`` clears a single role."""
        if role in self.lists:
            if layer is not None and layer.id not in self.lists[role]:
                self.lists[role].append(layer.id)
                self._changed(role)
            return
        if role not in self.roles:
            raise ValueError(f"unknown scoring role {role!r}")
        layer_id = layer.id if layer is not None else None
        if self.roles[role] != layer_id:
            self.roles[role] = layer_id
            self._changed(role)

    def set_list(self, key: str, layers: Iterable[Layer]) -> None:
        """The layers of a list role, replacing the previous ones."""
        ids = [layer.id for layer in layers]
        if ids != self.lists[key]:
            self.lists[key] = ids
            self._changed(key)

    def uses(self, layer: Layer) -> bool:
        return layer.id in self.roles.values() or any(layer.id in ids for ids in self.lists.values())

    @property
    def as_of(self) -> Optional[datetime.date]:
        """The date whose rules apply; ``None`` means the day the score is run."""
        return self._as_of

    @as_of.setter
    def as_of(self, value) -> None:
        value = _parse_date(value)
        if value != self._as_of:
            self._as_of = value
            self._changed("as_of")

    def as_of_text(self) -> str:
        return (self._as_of or datetime.date.today()).isoformat()

    def set_rules(self, path: os.PathLike | str | None) -> None:
        """Use the rules file at ``path`` (None: the shipped rules); it is loaded and checked first.

        Raises
        ------
        KhanijError
            The file is missing or invalid; the set-up keeps its rules.
        """
        rules = load_rules(path) if path is not None else load_rules()
        self.rules = rules
        self._changed("rules")

    def shipped_rules(self) -> bool:
        return Path(self.rules.path).resolve() == DEFAULT_RULES_PATH.resolve()

    def _changed(self, what: str) -> None:
        self.events.changed.emit(what=what)

    def state(self) -> tuple:
        """Everything the set-up holds, as a value (for undo)."""
        return (dict(self.roles), {key: list(ids) for key, ids in self.lists.items()}, frozenset(self.dismissed),
                self.rules, self._as_of)

    def set_state(self, state: tuple) -> None:
        """Go back to a :meth:`state` (undo, redo); emits ``changed("restored")``."""
        roles, lists, dismissed, self.rules, self._as_of = state
        self.roles, self.lists, self.dismissed = dict(roles), {key: list(ids) for key, ids in lists.items()}, set(dismissed)
        self._changed("restored")

    # -- proposals -------------------------------------------------------------------------------
    def proposals(self, layer_list: Iterable[Layer]) -> list[tuple[Layer, str]]:
        """``(layer, role)`` for each open layer whose guessed role is a scoring role it does not
        play yet, unless the user dismissed it: what the panel offers to accept."""
        found = []
        for layer in layer_list:
            if layer.missing or layer.data is None or layer.role is None or layer.id in self.dismissed:
                continue
            if not self.uses(layer) and self.role_key(layer.role) is not None:
                found.append((layer, layer.role))
        return found

    @staticmethod
    def role_key(role: str) -> Optional[str]:
        """The set-up slot of a layer role: the role itself, or the list key for list roles."""
        if role in dict(SINGLE_ROLES):
            return role
        return next((key for key, list_role, _label in LIST_ROLES if list_role == role), None)

    def accept(self, layer: Layer, role: Optional[str] = None) -> None:
        """Accept a proposal: ``layer`` plays ``role`` (default its guessed role)."""
        key = self.role_key(role or layer.role)
        if key is None:
            raise ValueError(f"{layer.name}: {role or layer.role!r} is not a scoring role")
        self.dismissed.discard(layer.id)
        self.assign(key, layer)

    def dismiss(self, layer: Layer) -> None:
        """The user does not want ``layer`` in the scoring; it is no longer proposed."""
        if layer.id not in self.dismissed:
            self.dismissed.add(layer.id)
            self._changed("dismissed")

    @classmethod
    def from_roles(cls, layer_list: Iterable[Layer]) -> "ScoringSetup":
        """A set-up taking every layer in its role (the top layer for a single role): how the
        shipped sample atlas, whose roles are known, is set up."""
        setup = cls()
        setup.adopt_roles(layer_list)
        return setup

    def adopt_roles(self, layer_list: Iterable[Layer]) -> None:
        """Fill empty roles from the layers' roles (see :meth:`from_roles`)."""
        layers = list(layer_list)
        for role, _label in SINGLE_ROLES:
            if self.roles[role] is None:
                self.assign(role, next((layer for layer in layers if layer.role == role and not layer.missing), None))
        for key, role, _label in LIST_ROLES:
            for layer in layers:
                if layer.role == role and not layer.missing:
                    self.assign(key, layer)

    # -- inputs of a score -----------------------------------------------------------------------
    def used_layers(self, layer_list: Iterable[Layer]) -> list[tuple[str, Layer]]:
        """``(role label, layer)`` for every layer the score reads, once each, in panel order."""
        layers = list(layer_list)
        used = [(label, layer) for role, label in SINGLE_ROLES
                if (layer := self.layer_for(role, layers)) is not None]
        used += [(label, layer) for key, _role, label in LIST_ROLES for layer in self.layers_for(key, layers)]
        return used

    def _frame(self, role: str, layer_list) -> Optional[pd.DataFrame]:
        layer = self.layer_for(role, layer_list)
        if layer is None or layer.data is None:
            return None
        frame = layer.data
        if role == "blocks" and layer.filter_mask is not None:
            frame = frame[layer.filter_mask]
        return mapped_frame(frame, layer.fields, role)

    def score_inputs(self, layer_list: Iterable[Layer]) -> dict[str, Any]:
        """The keyword arguments of :func:`assessment.scoring.score` for this set-up.

        The blocks are those the blocks layer's filter shows (all without a filter); the other
        layers are read whole, so a protected area across a state border still counts. Each
        layer's field mapping is applied (:func:`mapped_frame`).
        """
        layers = list(layer_list)
        return {
            "blocks": self._frame("blocks", layers), "deposits": self._frame("deposits", layers),
            "forest": self._frame("forest", layers), "protected": self._frame("protected_areas", layers),
            "boundaries": self._frame("boundaries", layers),
            "infrastructure": [(layer.name, mapped_frame(layer.data, layer.fields, "infrastructure"))
                               for layer in self.layers_for("infrastructure", layers) if layer.data is not None],
            "rasters": [(layer.name, raster_path(layer)) for layer in self.layers_for("rasters", layers)
                        if raster_path(layer) is not None],
            "rules": self.rules,
            "as_of": self.as_of_text(),
        }

    def inputs_key(self, layer_list: Iterable[Layer], blocks: bool = True) -> tuple:
        """Everything a score depends on, comparable: a key that differs from the one of the last
        run means the results are out of date (a layer assigned, a field remapped, a CRS
        assigned, features or values changed (:attr:`Layer.data_version`), a column the score
        reads added or gone (:func:`read_fields`), the blocks' filter, the rules or the as-of
        date); columns the score does not read may come and go. ``blocks=False``
        leaves the blocks layer out: what a live verdict of edited blocks depends on."""
        layers = list(layer_list)
        blocks_layer = None if blocks else self.layer_for("blocks", layers)

        def layer_key(label: str, layer: Layer) -> tuple:
            mask = layer.filter_mask
            return (label, layer.id, layer.data_version, read_fields(layer, _LABEL_ROLES[label]),
                    tuple(sorted(layer.fields.items())), crs_text(layer.crs) if layer.crs is not None else None,
                    None if mask is None else mask.tobytes())
        return (tuple(layer_key(label, layer) for label, layer in self.used_layers(layers)
                      if blocks_layer is None or layer is not blocks_layer),
                self.rules.sha256, self.as_of_text())

    def inputs_table(self, layer_list: Iterable[Layer]) -> pd.DataFrame:
        """What a score of this set-up uses, one row each (``item``, ``name``, ``source``,
        ``detail``): every layer with its role and field mapping, the rules and the as-of date;
        written beside the scores so a table says what it was computed from."""
        rows = []
        for label, layer in self.used_layers(layer_list):
            source = str(layer.source) if layer.source is not None else "made in Khanij"
            fields = "; ".join(f"{field} = {column}" for field, column in layer.fields.items())
            rows.append((label, layer.name, source, f"fields: {fields}" if fields else ""))
        rows.append(("Rules", f"{self.rules.name} version {self.rules.version}", str(self.rules.path),
                     f"SHA-256 {self.rules.sha256}"))
        rows.append(("As of", self.as_of_text(), "", "the rules in force on this date are applied"))
        return pd.DataFrame(rows, columns=["item", "name", "source", "detail"])

    # -- saving ----------------------------------------------------------------------------------
    def to_dict(self, layer_list: Iterable[Layer], relative_to: Optional[os.PathLike | str] = None) -> dict:
        """The set-up as JSON data for the project file.

        ``roles`` maps each single role to its layer (``{"id", "name"}`` or None);
        ``infrastructure`` and ``rasters`` list layers; ``rules`` is None for the shipped rules,
        else the file's path relative to ``relative_to`` where one exists; ``rules_sha256`` shows
        later whether the file changed; ``as_of`` is an ISO date or None ("the day it is run");
        ``dismissed`` lists the proposals the user turned down.
        """
        layers = list(layer_list)
        return {
            "roles": {role: _layer_ref(self.layer_for(role, layers)) for role, _label in SINGLE_ROLES},
            **{key: [_layer_ref(layer) for layer in self.layers_for(key, layers)] for key, _r, _l in LIST_ROLES},
            "rules": None if self.shipped_rules() else stored_path(self.rules.path, relative_to),
            "rules_sha256": self.rules.sha256,
            "as_of": self._as_of.isoformat() if self._as_of else None,
            "dismissed": sorted(layer.id for layer in layers if layer.id in self.dismissed),
        }

    def restore(self, saved, layer_list: Iterable[Layer], relative_to: Optional[os.PathLike | str] = None) -> list[str]:
        """Make the choices of a saved :meth:`to_dict` again; layers are found by id, else by name.

        Returns what could not be restored, in sentences: a layer not open or whose file is
        missing, a rules file gone, invalid (the shipped rules are used) or changed since.
        """
        layers = [layer for layer in layer_list if not layer.missing and layer.data is not None]
        if not isinstance(saved, dict):
            return ["The saved scoring set-up is damaged; no layer is scored until one is chosen."]
        notes: list[str] = []
        with self.events.changed.blocker():
            for role, label in SINGLE_ROLES:
                ref = (saved.get("roles") or {}).get(role)
                layer = _find_layer(ref, layers)
                if ref is not None and layer is None:
                    notes.append(f"{label}: the layer {_ref_name(ref)} is not open or its file is missing; "
                                 "none is chosen.")
                self.roles[role] = layer.id if layer is not None else None
            for key, _role, label in LIST_ROLES:
                refs = saved.get(key) if isinstance(saved.get(key), list) else []
                found = [(ref, _find_layer(ref, layers)) for ref in refs]
                self.lists[key] = [layer.id for _ref, layer in found if layer is not None]
                lost = [_ref_name(ref) for ref, layer in found if layer is None]
                if lost:
                    notes.append(f"{label}: {', '.join(lost)} not open or the file is missing; left out.")
            self.dismissed = {str(item) for item in saved.get("dismissed") or []}
            try:
                self._as_of = _parse_date(saved.get("as_of"))
            except ValueError as exc:
                notes.append(f"As of: {exc}; today is used.")
                self._as_of = None
            notes += self._restore_rules(saved.get("rules"), saved.get("rules_sha256"), relative_to)
        self._changed("restored")
        return notes

    def _restore_rules(self, stored, sha256, relative_to) -> list[str]:
        path = DEFAULT_RULES_PATH if stored is None else source_path(str(stored), relative_to)
        try:
            self.rules = load_rules(path)
        except KhanijError as exc:
            self.rules = load_rules()
            return [f"Rules: {exc}; the shipped rules are used."]
        if sha256 is not None and sha256 != self.rules.sha256:
            return [f"Rules: {self.rules.name} has changed since the project was saved (its SHA-256 differs); "
                    f"version {self.rules.version} as it is now is used."]
        return []


def load_project_setup(path: os.PathLike | str, feedback=None):
    """A project file's layers and its scoring set-up: ``(project, setup, notes)``.

    ``notes`` say what of the set-up could not be restored (see :meth:`ScoringSetup.restore`).
    """
    from layers.project import load_project

    project = load_project(path, feedback)
    setup = ScoringSetup()
    saved = project.extra.get(PROJECT_KEY)
    notes = (["The project has no scoring set-up; choose the layers in the Auction readiness panel and save it."]
             if saved is None else setup.restore(saved, project.layers, relative_to=Path(path).resolve().parent))
    return project, setup, notes


def score_project(path: os.PathLike | str, feedback=None, as_of=None, client=None) -> tuple[Any, list[str], pd.DataFrame]:
    """Score a project as its scoring set-up says: what the GUI's Run computes for that project.

    ``as_of`` (a date or ISO text), when given, replaces the set-up's as-of date. With a Dask
    ``client`` the blocks are scored in spatial partitions on its cluster (the same table).

    Returns ``(table, notes, inputs)``: the score table, what of the set-up could not be restored,
    and :meth:`ScoringSetup.inputs_table` (what the score used).

    Raises
    ------
    DataReadError
        The project cannot be read, or its set-up has no blocks layer.
    CrsError
        A layer used has no CRS.
    """
    from assessment.scoring import score
    from geo.errors import DataReadError

    feedback = ensure_feedback(feedback)
    project, setup, notes = load_project_setup(path, feedback.sub(0.0, 0.2))
    if setup.layer_for("blocks", project.layers) is None:
        raise DataReadError(f"{describe_path(path)}: the scoring set-up has no blocks layer"
                            + (f" ({' '.join(notes)})" if notes else ""))
    if as_of is not None:
        setup.as_of = as_of
    inputs = setup.score_inputs(project.layers)
    if client is not None:
        from assessment.distributed import score_distributed

        table = score_distributed(client, feedback=feedback.sub(0.2, 1.0), **inputs)
    else:
        table = score(feedback=feedback.sub(0.2, 1.0), **inputs)
    return table, notes, setup.inputs_table(project.layers)


def read_scoring_inputs(path):
    """What a score GeoPackage records it was computed from (its ``scoring_inputs`` layer, written
    by ``khanij score --project`` and the app's table export), or None where it records nothing."""
    from geo import list_layers, read

    if Path(path).suffix.lower() != ".gpkg" or INPUTS_SHEET not in list_layers(path):
        return None
    return read(path, INPUTS_SHEET).data
