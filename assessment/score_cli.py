"""``khanij score``: read the layers named on the command line, score the blocks, write the table.

The work is :func:`assessment.scoring.score` (or, with ``--dask``, the same scoring in spatial
partitions on a Dask cluster: :mod:`assessment.distributed`); this module only reads the inputs (naming the file
in every error), writes the output atomically (.gpkg, .csv or .xlsx; cancelling leaves no file)
and prints a one-line summary.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional, Sequence

import geopandas as gpd

from assessment.rules import load_rules
from assessment.scoring import CONDITIONAL, NOT_READY, READY, require_polygons, score
from geo.errors import CrsError, DataReadError, DataWriteError, describe_path
from geo.feedback import Feedback, ensure_feedback

OUTPUT_SUFFIXES = (".gpkg", ".csv", ".xlsx")


def read_layer(path: str, role: str, polygons: bool = False) -> gpd.GeoDataFrame:
    """One vector layer for ``role``, with a CRS (and only polygons if ``polygons``); errors name the file."""
    from geo import read

    result = read(path)
    if result.kind == "raster" or not isinstance(result.data, gpd.GeoDataFrame):
        raise DataReadError(f"{describe_path(path)}: the {role} layer must be a vector layer with geometries")
    if result.data.crs is None:
        raise CrsError(f"{describe_path(path)}: the {role} layer has no CRS; assign one (e.g. add a .prj) before scoring")
    layer = result.data
    usable = ~(layer.geometry.isna() | layer.geometry.is_empty)
    if len(layer) and not usable.any():
        raise DataReadError(f"{describe_path(path)}: the {role} layer has no usable geometry (none of its "
                            f"{len(layer)} feature(s) has one{'; see khanij info' if result.rejected_rows else ''})")
    if polygons:
        require_polygons(layer, f"{describe_path(path)}: the {role} layer")
    layer.attrs["name"] = Path(path).stem
    return layer


def check_raster(path: str) -> str:
    """The path of a readable raster (errors name the file)."""
    from geo import read

    if read(path).kind != "raster":
        raise DataReadError(f"{describe_path(path)}: --raster needs a raster file (GeoTIFF or any GDAL raster)")
    return path


def check_output(path) -> Path:
    """The output path of a score table, refused early when its format is not one we write."""
    output = Path(path)
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise DataWriteError(f"{describe_path(output)}: the output must end in {', '.join(OUTPUT_SUFFIXES)}")
    return output


def write_scores(table, output: Path, feedback: Feedback, extra_sheets=None, sources: Sequence[str] = ()) -> None:
    """Write a score table atomically (ranked with units and a metadata sheet where it is a table
    for people, see :func:`assessment.score_table.write_scores`; ``extra_sheets`` as further
    sheets or layers) and print the one-line summary."""
    from assessment.score_table import write_scores as write_score_table

    feedback.progress(0.9, f"writing {describe_path(output)}")
    write_score_table(table, output, feedback.sub(0.9, 1.0), sources, extra_sheets)
    feedback.progress(1.0, "done")
    counts = table["readiness"].value_counts()
    print(f"{len(table)} blocks scored as of {table['as_of'].iloc[0]}: {counts.get(READY, 0)} {READY}, {counts.get(CONDITIONAL, 0)} {CONDITIONAL}, "
          f"{counts.get(NOT_READY, 0)} {NOT_READY} → {output}")


def run_score(args: argparse.Namespace, feedback: Optional[Feedback] = None) -> int:
    """Score the blocks of ``args`` and write ``args.output``; returns the exit code (0)."""
    feedback = ensure_feedback(feedback)
    output = check_output(args.output)
    rules = load_rules(args.rules) if args.rules else load_rules()
    feedback.progress(0.0, "reading the layers")
    blocks = read_layer(args.blocks, "blocks", polygons=True)
    deposits = read_layer(args.deposits, "deposits")
    forest = read_layer(args.forest, "forest", polygons=True) if args.forest else None
    protected = read_layer(args.protected, "protected areas", polygons=True) if args.protected else None
    boundaries = read_layer(args.boundaries, "boundaries", polygons=True) if getattr(args, "boundaries", None) else None
    infrastructure = [(Path(path).stem, read_layer(path, "infrastructure")) for path in args.infra]
    rasters = [(Path(path).stem, check_raster(path)) for path in args.raster]
    layers = dict(forest=forest, protected=protected, infrastructure=infrastructure, rasters=rasters, rules=rules,
                  feedback=feedback.sub(0.05, 0.9), boundaries=boundaries, as_of=getattr(args, "as_of", None))
    if getattr(args, "dask", None):
        from assessment.distributed import dask_client, score_distributed

        with dask_client(args.dask) as client:
            table = score_distributed(client, blocks, deposits, **layers)
    else:
        table = score(blocks, deposits, **layers)
    sources = [Path(p).name for p in (args.blocks, args.deposits, args.forest, args.protected,
                                      getattr(args, "boundaries", None), *args.infra, *args.raster) if p]
    write_scores(table, output, feedback, sources=sources)
    return 0
