"""The model of what the user works with (no Qt): layers, the evented layer list, styles as data,
the project file and the embedded sample atlas.

The public API is imported lazily, like :mod:`geo`'s, so ``import layers`` stays cheap.
"""
from __future__ import annotations

from geo.lazy_api import lazy_api

_API = {
    "Layer": "layers.layer",
    "LayerList": "layers.layer",
    "EventedList": "layers.evented",
    "EventEmitter": "layers.evented",
    "Category": "layers.style",
    "CategorisedStyle": "layers.style",
    "SingleStyle": "layers.style",
    "RasterStyle": "layers.style",
    "UNFC_STAGE_COLOURS": "layers.style",
    "READINESS_COLOURS": "layers.style",
    "unfc_stage_style": "layers.style",
    "readiness_style": "layers.style",
    "default_style_for": "layers.style",
    "style_from_dict": "layers.style",
    "Project": "layers.project",
    "save_project": "layers.project",
    "load_project": "layers.project",
    "ATLAS_DIR": "layers.atlas",
    "sample_role_paths": "layers.atlas",
    "load_sample_atlas": "layers.atlas",
    "write_sample_atlas": "layers.atlas",
}

__all__, __getattr__, __dir__ = lazy_api("layers", _API)
