"""``khanij screen``: tessellate a state into candidate cells, score each, write them ranked.

The work is :func:`assessment.screening.screen`; this module reads the layers (the command line
fills in the sample atlas's for those not given), writes the ranked cells atomically as a
GeoPackage or GeoParquet (cancelling leaves no file) and prints a one-line summary.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

from assessment.score_cli import check_raster, read_layer
from assessment.screening import parse_cell_size, screen
from geo.errors import DataWriteError, describe_path
from geo.feedback import Feedback, ensure_feedback

OUTPUT_SUFFIXES = (".gpkg", ".parquet")


def run_screen(args: argparse.Namespace, feedback: Optional[Feedback] = None) -> int:
    """Screen ``args.state`` and write ``args.output``; returns the exit code (0)."""
    from assessment.rules import load_rules

    feedback = ensure_feedback(feedback)
    output = Path(args.output)
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise DataWriteError(f"{describe_path(output)}: the output must end in {', '.join(OUTPUT_SUFFIXES)}")
    cell_m = parse_cell_size(args.cell)
    rules = load_rules(args.rules) if args.rules else load_rules()
    feedback.progress(0.0, "reading the layers")
    layers = dict(
        boundaries=read_layer(args.boundaries, "boundaries", polygons=True),
        deposits=read_layer(args.deposits, "deposits"),
        forest=read_layer(args.forest, "forest", polygons=True) if args.forest else None,
        protected=read_layer(args.protected, "protected areas", polygons=True) if args.protected else None,
        infrastructure=[(Path(p).stem, read_layer(p, "infrastructure")) for p in args.infra],
        rasters=[(Path(p).stem, check_raster(p)) for p in args.raster],
        rules=rules, as_of=args.as_of, feedback=feedback.sub(0.05, 0.9))
    if args.dask:
        from assessment.distributed import dask_client

        with dask_client(args.dask) as client:
            cells = screen(args.state, cell_m, client=client, **layers)
    else:
        cells = screen(args.state, cell_m, **layers)
    feedback.progress(0.9, f"writing {describe_path(output)}")
    write_cells(cells, output, feedback.sub(0.9, 1.0))
    feedback.progress(1.0, "done")
    best = cells.iloc[0] if len(cells) else None
    print(f"{len(cells):,} cells of {args.state} ({args.cell}) scored as of {cells['as_of'].iloc[0]}"
          + (f"; best {best['block_id']} ({best['score']:.1f}, {best['readiness']})" if best is not None else "")
          + f" → {output}")
    return 0


def write_cells(cells, output: Path, feedback: Feedback) -> None:
    """The ranked cells as a GeoPackage (one layer named after the file) or a GeoParquet file."""
    from geo.atomic import atomic_path
    from geo.tables import write_table

    if output.suffix.lower() == ".gpkg":
        write_table(cells, output, feedback)
        return
    with atomic_path(output) as tmp:
        try:
            cells.to_parquet(tmp, index=False)
        except OSError as exc:
            raise DataWriteError(f"{describe_path(output)}: cannot write: {exc.strerror or exc}") from exc
