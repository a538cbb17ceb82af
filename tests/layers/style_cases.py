"""Real layers covering every way a class is drawn, for the tests that compare each drawer with
:func:`layers.style.drawn_classes`: the sample atlas (stage-classed deposits with graduated sizes
and blocks, single-colour forest and stations, outline-only states), a readiness-classed copy of
the blocks with "Not ready" switched off, and PMGSY road-proposal lines; some at a layer opacity
below 1."""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from layers.atlas import load_sample_atlas
from layers.layer import Layer, LayerList
from layers.style import READINESS_COLOURS, SingleStyle, readiness_style

ROADS = "datameet-pmgsy-geosadak/data/Proposals/Jharkhand/Proposals.shp"


def style_case_layers(external: Path) -> LayerList:
    """One layer per case, named by it (index 0 on top, as in the app)."""
    atlas = {layer.role: layer for layer in load_sample_atlas() if layer.kind == "vector"}
    deposits = atlas["deposits"]
    graduated = copy.deepcopy(deposits.style)
    graduated.size_field = "tonnage_mt"
    deposits.style = graduated
    deposits.opacity = 0.7
    blocks = atlas["blocks"]
    blocks.opacity = 0.5
    scored = blocks.data.copy()
    names = list(READINESS_COLOURS) + ["unscored"]
    scored["readiness"] = [names[i % len(names)] for i in range(len(scored))]
    scored["score"] = np.linspace(10.0, 90.0, len(scored))
    by_readiness = readiness_style()
    by_readiness.categories[2].visible = False
    readiness = Layer("readiness", scored, role="blocks", style=by_readiness)
    roads = Layer.from_file(external / ROADS, role="infrastructure")
    roads.style = SingleStyle(colour="#b15928", line_width=2.5)
    roads.opacity = 0.6
    layers = {"deposits": deposits, "stations": atlas["infrastructure"], "roads": roads, "blocks": blocks,
              "readiness": readiness, "forest": atlas["forest"], "states": atlas["boundaries"]}
    for name, layer in layers.items():
        layer.name = name
    return LayerList(list(layers.values()))
