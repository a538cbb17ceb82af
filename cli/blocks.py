"""``khanij blocks from-pillars`` and ``khanij blocks pillars``: the command-line twins of the
pillar table dialog and the pillar table export.

``from-pillars`` reads a pillar table (CSV/XLSX, one row per pillar with a block id and an order
column) or a text file pasted from a tender document (one block), checks every ring and writes
the blocks that are correct to a GeoPackage with the block fields of DESIGN.md §3.2; every bad
row and every rejected block is printed with its row number and reason (``--strict``: any
problem writes nothing, exit 3). ``pillars`` writes the pillar table of a blocks layer (BP
number, DMS and decimal degrees on WGS 84, area, perimeter and toposheets) to CSV or XLSX.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.errors import DataReadError, DataWriteError, describe_path
from geo.exit_codes import EXIT_OK

TABLE_OUTPUTS = (".csv", ".xlsx")


def run_from_pillars(args: argparse.Namespace) -> int:
    from geo.pillars import pillars_to_blocks, read_pillar_source
    from layers.editing import BLOCK_FIELDS, EditSession

    source, output = Path(args.input), Path(args.output)
    if output.suffix.lower() != ".gpkg":
        raise DataWriteError(f"{describe_path(output)}: blocks are written to a GeoPackage (.gpkg)")
    lists, problems = read_pillar_source(source)
    blocks, findings = pillars_to_blocks(lists)
    for line in problems + findings:
        print(line, file=sys.stderr)
    rejected = sum(1 for f in findings if f.endswith("was not made (its pillars need correcting)."))
    if not len(blocks):
        raise DataReadError(f"{describe_path(source)}: no block could be made from the pillars")
    if args.strict and (problems or rejected):
        raise DataReadError(f"{describe_path(source)}: {len(problems)} bad row(s) and {rejected} rejected block(s); "
                            "nothing written (--strict)")
    columns = [*BLOCK_FIELDS, *[c for c in blocks.columns if c not in BLOCK_FIELDS and c != "geometry"]]
    for column in columns:
        if column not in blocks.columns:
            blocks[column] = None
    EditSession(blocks[[*columns, "geometry"]]).save(output)
    print(f"{len(blocks)} block(s) from {len(lists)} pillar list(s) → {output}"
          + (f"; {len(problems)} bad row(s), {rejected} block(s) rejected (listed above)" if problems or rejected else ""))
    return EXIT_OK


def run_pillars(args: argparse.Namespace) -> int:
    from geo.pillars import pillar_table
    from geo.reading import read
    from geo.tables import write_table

    output = Path(args.output)
    if output.suffix.lower() not in TABLE_OUTPUTS:
        raise DataWriteError(f"{describe_path(output)}: the pillar table is written to {' or '.join(TABLE_OUTPUTS)}")
    result = read(args.input, args.layer)
    if result.kind != "vector":
        raise DataReadError(f"{describe_path(args.input)}: a blocks layer (polygons) is needed")
    table, problems = pillar_table(result.data)
    for line in problems:
        print(f"{describe_path(args.input)}: {line}", file=sys.stderr)
    if not len(table):
        raise DataReadError(f"{describe_path(args.input)}: no block has a pillar list")
    write_table(table, output, sheet_name="pillars")
    print(f"{table['block_id'].nunique()} block(s), {len(table)} pillars → {output}")
    return EXIT_OK


def add_parsers(sub) -> None:
    """``khanij blocks …`` on the main parser's subparsers (the work modules are imported when run)."""
    blocks = sub.add_parser("blocks", help="blocks from boundary pillars, and pillar tables of blocks")
    actions = blocks.add_subparsers(dest="blocks_command", metavar="ACTION", required=True)
    p = actions.add_parser("from-pillars", help="make blocks from a pillar table (CSV/XLSX) or pasted tender text (.txt)")
    p.add_argument("input", metavar="PILLARS", help="one row per pillar: block id, order, latitude, longitude "
                                                   "(decimal or DMS); or a .txt of pillar lines")
    p.add_argument("-o", "--output", metavar="OUT.gpkg", required=True)
    p.add_argument("--strict", action="store_true", help="write nothing if any row or block is bad")
    p.set_defaults(handler=run_from_pillars)
    p = actions.add_parser("pillars", help="the pillar table of a blocks layer (BP number, DMS and decimal, "
                                           "WGS 84, area, toposheets)")
    p.add_argument("input", metavar="BLOCKS")
    p.add_argument("--layer", help="layer of a multi-layer blocks file")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help=".csv or .xlsx")
    p.set_defaults(handler=run_pillars)
