"""The score output's columns as docs/score-columns.md documents them (the contract tests read)."""
from __future__ import annotations

import re
from pathlib import Path

from assessment.rules import CRITERIA

COLUMNS_DOC = Path(__file__).resolve().parents[2] / "docs" / "score-columns.md"
GATES = ("stage", "protected", "state")
_ROW = re.compile(r"^\| `(?P<column>[^`]+)` \|(?P<repeats>[^|]*)\|")


def documented_columns(layers=(), rasters=()) -> list[str]:
    """The documented columns in order, with the repeating ones spelled out for ``layers`` and
    ``rasters`` (in the order given) and for every gate and criterion."""
    rows = [m.groupdict() for m in map(_ROW.match, COLUMNS_DOC.read_text(encoding="utf-8").splitlines()) if m]
    repeats = {"per layer": ("<layer>", list(layers)), "per raster": ("<raster>", list(rasters)),
               "per gate": ("<gate>", list(GATES)), "per criterion": ("<criterion>", list(CRITERIA))}
    columns, position = [], 0
    while position < len(rows):
        kind = rows[position]["repeats"].strip()
        if not kind:
            columns.append(rows[position]["column"])
            position += 1
            continue
        group = []
        while position < len(rows) and rows[position]["repeats"].strip() == kind:
            group.append(rows[position]["column"])
            position += 1
        placeholder, values = repeats[kind]
        columns += [column.replace(placeholder, value) for value in values for column in group]
    return columns
