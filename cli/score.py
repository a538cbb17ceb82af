"""``khanij score``: read the layers named on the command line (or a project's scoring set-up),
score the blocks, write the table.

The work is :func:`assessment.scoring.score` (or, with ``--dask``, the same scoring in spatial
partitions on a Dask cluster: :mod:`assessment.distributed`; with ``--project``,
:func:`layers.scoring_setup.score_project`); this module only reads the inputs
(:mod:`assessment.score_inputs`, naming the file in every error), writes the output atomically
(.gpkg, .csv or .xlsx; cancelling leaves no file) and prints a one-line summary.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from cli.common import UsageError, refuse_overwriting_inputs, stderr_feedback
from geo.errors import DataWriteError, describe_path
from geo.feedback import Feedback, ensure_feedback

OUTPUT_SUFFIXES = (".gpkg", ".csv", ".xlsx")


def as_of_date(text: str):
    """``--as-of`` as a date (argparse turns a ValueError into a usage error, exit 2)."""
    from assessment.scoring import parse_as_of

    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def fill_sample_layers(args: argparse.Namespace) -> None:
    """The sample atlas's deposits, forest, protected areas, stations, magnetic grid and state
    boundaries for each of those layers not given on the command line."""
    roles = sample_role_paths()
    args.deposits = args.deposits or roles["deposits"]
    args.forest = args.forest or roles["forest"]
    args.protected = args.protected or roles["protected_areas"]
    args.infra = args.infra or list(roles["infrastructure"])
    args.raster = args.raster or list(roles["evidence"])
    args.boundaries = args.boundaries or roles["boundaries"]


def sample_role_paths() -> dict:
    from layers.atlas import sample_role_paths as paths

    return paths()


def cmd_score(args: argparse.Namespace) -> int:
    """The ``score`` handler: a project, the sample atlas or the layers given (usage errors first)."""
    if args.project:
        own_layers = [flag for flag, given in (("--sample", args.sample), ("--blocks", args.blocks),
                      ("--deposits", args.deposits), ("--forest", args.forest), ("--protected", args.protected),
                      ("--infra", args.infra), ("--raster", args.raster), ("--boundaries", args.boundaries),
                      ("--rules", args.rules)) if given]
        if own_layers:
            raise UsageError(f"score --project takes its layers and rules from the project's scoring set-up; "
                             f"drop {', '.join(own_layers)}")
        return run_score_project(args, stderr_feedback())
    if args.sample:
        fill_sample_layers(args)
        args.blocks = args.blocks or sample_role_paths()["blocks"]
    if not (args.blocks and args.deposits):
        raise UsageError("score needs --project, --sample, or --blocks and --deposits")
    refuse_overwriting_inputs(args)
    return run_score(args, stderr_feedback())


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
    from assessment.scoring import CONDITIONAL, NOT_READY, READY

    feedback.progress(0.9, f"writing {describe_path(output)}")
    write_score_table(table, output, feedback.sub(0.9, 1.0), sources, extra_sheets)
    feedback.progress(1.0, "done")
    counts = table["readiness"].value_counts()
    print(f"{len(table)} blocks scored as of {table['as_of'].iloc[0]}: {counts.get(READY, 0)} {READY}, {counts.get(CONDITIONAL, 0)} {CONDITIONAL}, "
          f"{counts.get(NOT_READY, 0)} {NOT_READY} → {output}")


def run_score(args: argparse.Namespace, feedback: Optional[Feedback] = None) -> int:
    """Score the blocks of ``args`` and write ``args.output``; returns the exit code (0)."""
    from assessment.rules import load_rules
    from assessment.score_inputs import check_raster, read_layer
    from assessment.scoring import score

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


def run_score_project(args, feedback=None) -> int:
    """``khanij score --project P [--dask SCHEDULER] -o OUT``: score the project's set-up and write
    the table, with what it used in a second sheet or layer (``scoring_inputs``; not in a CSV).

    What of the set-up could not be restored is printed to stderr before the summary.
    """
    from layers.scoring_setup import INPUTS_SHEET, score_project

    feedback = ensure_feedback(feedback)
    output = check_output(args.output)
    as_of = getattr(args, "as_of", None)
    if getattr(args, "dask", None):
        from assessment.distributed import dask_client

        with dask_client(args.dask) as client:
            table, notes, inputs = score_project(args.project, feedback.sub(0.0, 0.9), as_of=as_of, client=client)
    else:
        table, notes, inputs = score_project(args.project, feedback.sub(0.0, 0.9), as_of=as_of)
    for note in notes:
        print(f"khanij score: {describe_path(args.project)}: {note}", file=sys.stderr)
    write_scores(table, output, feedback, extra_sheets={INPUTS_SHEET: inputs})
    return 0


def add_parsers(sub) -> None:
    """``khanij score`` on the main parser's subparsers."""
    p = sub.add_parser("score", help="score blocks for auction readiness")
    p.add_argument("--sample", action="store_true", help="score the embedded sample atlas")
    p.add_argument("--project", metavar="P.khanij",
                   help="score a project as its scoring set-up says (what the app's Run scores)")
    p.add_argument("--blocks", metavar="B", help="candidate blocks (polygons)")
    p.add_argument("--deposits", metavar="D", help="deposits (points or polygons) with unfc/stage, tonnage")
    p.add_argument("--forest", metavar="F", help="forest land polygons")
    p.add_argument("--protected", metavar="P", help="national parks, sanctuaries and eco-sensitive zones")
    p.add_argument("--infra", metavar="I", action="append", default=[],
                   help="infrastructure layer to measure distances to (repeatable)")
    p.add_argument("--raster", metavar="R", action="append", default=[],
                   help="evidence raster summarised over each block (repeatable)")
    p.add_argument("--boundaries", metavar="S", help="state boundaries for the state gate")
    p.add_argument("--rules", metavar="R.toml", help="a rules file of your own (default: the shipped rules)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", dest="as_of", type=as_of_date,
                   help="apply the rules in force on this date (default: the rules file's as_of, today)")
    p.add_argument("--dask", metavar="SCHEDULER",
                   help="score in spatial partitions on a Dask cluster: a scheduler address (tcp://host:8786), "
                        "or local[:N] for a cluster of N worker processes on this machine (default N: one per core); "
                        "the result is identical to the run without it")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help=".gpkg, .csv or .xlsx")
    p.set_defaults(handler=cmd_score)
