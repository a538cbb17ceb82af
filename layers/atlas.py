"""The embedded sample atlas (DESIGN.md §9): illustrative layers shipped inside the package.

The files in :data:`ATLAS_DIR` are built by ``sample_atlas/build_sample_atlas.py`` from the
permissively licensed sources committed beside it; ``sample_atlas/README.md`` gives every source,
licence and the design of the blocks (which block exercises which gate).

Examples
--------
>>> from layers.atlas import load_sample_atlas, sample_role_paths
>>> [layer.name for layer in load_sample_atlas()][:2]
['Deposits (illustrative)', 'Candidate blocks (illustrative)']
>>> sorted(sample_role_paths())[:3]
['blocks', 'boundaries', 'deposits']
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from geo.atomic import atomic_path
from geo.errors import DataWriteError, describe_path
from geo.feedback import ensure_feedback
from layers.layer import Layer, LayerList

ATLAS_DIR = Path(__file__).resolve().parent / "sample_atlas"
README = "README.md"

# (role, file, layer name) in drawing order, top first (index 0 is the top of the layer list).
ATLAS_LAYERS = (
    ("deposits", "deposits.gpkg", "Deposits (illustrative)"),
    ("blocks", "blocks.gpkg", "Candidate blocks (illustrative)"),
    ("infrastructure", "railway_stations.gpkg", "Railway stations (illustrative)"),
    ("protected_areas", "protected_areas.gpkg", "Protected areas (illustrative)"),
    ("forest", "forest.gpkg", "Forest (illustrative)"),
    ("evidence", "magnetic_anomaly.tif", "Magnetic anomaly (illustrative)"),
    ("boundaries", "states.gpkg", "States (illustrative)"),
)
_LIST_ROLES = ("infrastructure", "evidence")  # roles that may hold several layers


def sample_role_paths() -> dict:
    """The atlas files by scoring role: one path (str) per role, a list of paths for
    ``infrastructure`` and ``evidence``."""
    paths: dict = {role: [] for role in _LIST_ROLES}
    for role, file_name, _ in ATLAS_LAYERS:
        path = str(ATLAS_DIR / file_name)
        if role in _LIST_ROLES:
            paths[role].append(path)
        else:
            paths[role] = path
    return paths


def load_sample_atlas(feedback=None) -> LayerList:
    """Every atlas layer read, role set, default style, marked illustrative, in drawing order.

    Raises
    ------
    DataReadError
        An atlas file is missing or unreadable (a broken installation); the message names it.
    """
    feedback = ensure_feedback(feedback)
    layers = []
    for number, (role, file_name, name) in enumerate(ATLAS_LAYERS):
        feedback.progress(number / len(ATLAS_LAYERS), f"reading {name}")
        layers.append(Layer.from_file(ATLAS_DIR / file_name, role=role, name=name, illustrative=True))
    feedback.progress(1.0, "sample atlas read")
    return LayerList(layers)


def write_sample_atlas(outdir: os.PathLike | str) -> list[Path]:
    """Copy the atlas files and its README into ``outdir`` (created if needed), each atomically.

    Returns the paths written, layers in drawing order then the README.

    Raises
    ------
    DataWriteError
        ``outdir`` cannot be created or a file in it cannot be written.
    """
    outdir = Path(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataWriteError(f"cannot write the sample atlas to {outdir}: the folder cannot be created "
                             f"({exc.strerror or exc})") from exc
    written = []
    for file_name in [file_name for _, file_name, _ in ATLAS_LAYERS] + [README]:
        target = outdir / file_name
        with atomic_path(target) as tmp:
            try:
                shutil.copyfile(ATLAS_DIR / file_name, tmp)
            except OSError as exc:
                raise DataWriteError(f"{describe_path(target)}: cannot write: {exc.strerror or exc}") from exc
        written.append(target)
    return written
