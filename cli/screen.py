"""``khanij screen``: tessellate a state into candidate cells, score each, write them ranked.

The work is :func:`assessment.screening.screen`; this module reads the layers (the command line
fills in the sample atlas's for those not given), writes the ranked cells atomically as a
GeoPackage or GeoParquet (cancelling leaves no file) and prints a one-line summary.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

from cli.common import UsageError, stderr_feedback
from cli.score import as_of_date, fill_sample_layers
from geo.errors import DataWriteError, describe_path
from geo.feedback import Feedback, ensure_feedback

OUTPUT_SUFFIXES = (".gpkg", ".parquet")


def cmd_screen(args: argparse.Namespace) -> int:
    """The ``screen`` handler: the cell size checked (a usage error), the sample atlas's layers for
    those not given."""
    from assessment.screening import parse_cell_size

    try:
        parse_cell_size(args.cell)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    fill_sample_layers(args)
    return run_screen(args, stderr_feedback())


def run_screen(args: argparse.Namespace, feedback: Optional[Feedback] = None) -> int:
    """Screen ``args.state`` and write ``args.output``; returns the exit code (0)."""
    from assessment.rules import load_rules
    from assessment.score_inputs import check_raster, read_layer
    from assessment.screening import parse_cell_size, screen

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
    """The ranked cells as a GeoPackage (one layer, ``cells``) or a GeoParquet file."""
    from geo.atomic import atomic_path
    from geo.tables import write_table

    if output.suffix.lower() == ".gpkg":
        write_table(cells, output, feedback, sheet_name="cells")
        return
    with atomic_path(output) as tmp:
        cells.to_parquet(tmp, index=False)  # atomic_path says why an OSError stopped it


def add_parsers(sub) -> None:
    """``khanij screen`` on the main parser's subparsers."""
    p = sub.add_parser("screen", help="tessellate a state into candidate cells and score every cell")
    p.add_argument("--state", required=True, help="the state to screen, as named in the boundaries layer")
    p.add_argument("--cell", default="1km", help="cell size, e.g. 1km or 500m (default 1km)")
    p.add_argument("--boundaries", metavar="S", help="state boundaries (default: the sample atlas's)")
    p.add_argument("--deposits", metavar="D", help="deposits (default: the sample atlas's)")
    p.add_argument("--forest", metavar="F", help="forest land polygons (default: the sample atlas's)")
    p.add_argument("--protected", metavar="P",
                   help="national parks, sanctuaries and ESZs; NP/WS and their 1 km zone are cut out of the cells "
                        "(default: the sample atlas's)")
    p.add_argument("--infra", metavar="I", action="append", default=[],
                   help="infrastructure layer (repeatable; default: the sample atlas's stations)")
    p.add_argument("--raster", metavar="R", action="append", default=[],
                   help="evidence raster (repeatable; default: the sample atlas's magnetic grid)")
    p.add_argument("--rules", metavar="R.toml", help="a rules file of your own (default: the shipped rules)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", dest="as_of", type=as_of_date,
                   help="apply the rules in force on this date (default: today)")
    p.add_argument("--dask", metavar="SCHEDULER",
                   help="score the cells on a Dask cluster: a scheduler address, or local[:N] (as for score)")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help=".gpkg or .parquet (GeoParquet)")
    p.set_defaults(handler=cmd_screen)
