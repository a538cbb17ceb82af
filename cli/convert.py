"""``khanij convert`` and ``khanij resources`` (DESIGN.md §6): thin wrappers that read, call the
classification engine and write. Errors from ``geo.errors`` propagate to :mod:`cli.main`, which turns
them into one message and an exit code (3 for a bad input, 4 for an unwritable output).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence

from geo.errors import describe_path
from geo.exit_codes import EXIT_INPUT, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:  # the engine (pandas, pyproj) is imported when a conversion runs, not by every command
    from assessment.conversion import Conversion

_NOTATION_WORDS = {"india": "India UNFC-1997", "unfc": "UNFC-2009/2019", "stage": "stage", "jorc": "JORC/CRIRSCO"}


def _usage(message: str) -> int:
    print(f"khanij: usage error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _output_problem(output: Optional[str], allowed: Optional[Sequence[str]] = None) -> Optional[str]:
    """Why ``output`` cannot be used (checked before any work is done), or None; ``allowed``: the
    suffixes it may have (default: every table format :func:`geo.tables.write_table` writes)."""
    from geo.tables import WRITE_SUFFIXES

    allowed = allowed or WRITE_SUFFIXES
    if not output:
        return "give an output file with -o OUT"
    suffix = Path(output).suffix.lower()
    if suffix not in allowed:
        return f"{describe_path(output)}: cannot write files of type '{suffix or 'without extension'}'; use {', '.join(allowed)}"
    return None


def format_conversion(conversion: Conversion) -> str:
    """The human-readable answer of ``khanij convert CODE``.

    Examples
    --------
    >>> from assessment.conversion import convert
    >>> print(format_conversion(convert("E1F1")))
    'E1F1' → not a classification  [invalid]
    'E1F1' lacks the G axis: a UNFC-2009/2019 code needs E, F and G (e.g. E1F1G1).
    """
    if conversion.status == "invalid":
        return f"{conversion.input!r} → not a classification  [invalid]\n{conversion.note}"
    result = conversion.result or "no equivalent"
    lines = [f"{conversion.input} ({_NOTATION_WORDS[conversion.notation]}) → {result}  [{conversion.status}]"]
    if conversion.alternatives:
        lines.append("alternatives:")
        lines.extend(f"  {a['result']}: {a['condition']}" for a in conversion.alternatives)
    lines.append(conversion.note)
    return "\n".join(lines)


def run_convert(args: argparse.Namespace) -> int:
    """Convert one CODE (printed) or a column of ``--table`` (written to ``-o``)."""
    from assessment.conversion import convert

    if args.table:
        return _convert_table(args)
    if args.code is None:
        return _usage("give a CODE to convert, or --table IN --column COL -o OUT")
    stray = [option for option, value in (("--column", args.column), ("-o", args.output), ("--layer", args.layer)) if value]
    if stray:
        return _usage(f"{', '.join(stray)} go{'es' * (len(stray) == 1)} with --table IN; a single CODE is printed")
    conversion = convert(args.code, to=args.to)
    if args.json:
        print(json.dumps(conversion.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_conversion(conversion))
    return EXIT_INPUT if conversion.status == "invalid" else EXIT_OK


def _convert_table(args: argparse.Namespace) -> int:
    from assessment.conversion import STATUSES, convert_column
    from geo.tables import read_table, write_table

    if args.code is not None:
        return _usage("give either a CODE or --table, not both")
    if args.json:
        return _usage("--json prints a single CODE's conversion; --table writes its answers to -o OUT")
    if not args.column:
        return _usage(f"--table {describe_path(args.table)} needs --column COL (the column to convert)")
    problem = _output_problem(args.output)
    if problem:
        return _usage(problem)
    frame = read_table(args.table, args.layer, required=[args.column])
    converted = convert_column(frame[args.column], to=args.to, name=str(args.column))
    output = frame.copy()
    for name in converted.columns:
        output[name] = converted[name]
    write_table(output, args.output, sheet_name="converted")
    counts = Counter(converted[f"{args.column}_status"].astype(str))
    summary = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    print(f"{describe_path(args.output)}: {len(output)} rows converted ({summary}){_shapes_left_out(args)}", file=sys.stderr)
    return EXIT_OK


def _shapes_left_out(args: argparse.Namespace) -> str:
    """A warning when a vector file's shapes are not written (CSV and XLSX hold no geometry)."""
    from geo.reading import TABLE_SUFFIXES

    if Path(args.table).suffix.lower() in TABLE_SUFFIXES or Path(args.output).suffix.lower() == ".gpkg":
        return ""
    return f"; the shapes of {describe_path(args.table)} are not written to a table, use -o OUT.gpkg to keep them"


def run_resources(args: argparse.Namespace) -> int:
    """Resource statement of ``IN`` grouped ``--by``; written to ``-o`` or printed."""
    from assessment.resources import resource_statement
    from geo.tables import read_table, write_table

    if args.output:
        problem = _output_problem(args.output, (".csv", ".xlsx"))
        if problem:
            return _usage(problem)
    frame = read_table(args.input, args.layer, required=[args.column] if args.column else ())
    statement = resource_statement(frame, by=args.by, column=args.column, source=args.input)
    if args.output:
        write_table(statement, args.output, sheet_name=f"resources by {args.by}")
        print(f"{describe_path(args.output)}: {len(statement)} rows", file=sys.stderr)
    else:
        print(statement.to_string(index=False, na_rep="—", float_format=_tonnes))
    return EXIT_OK


def _tonnes(value: float) -> str:
    """Million tonnes for reading on a terminal: three decimals (1 kt), or three significant
    figures below 0.1 Mt so that contained gold (a few tonnes) does not read as 0; never
    scientific notation."""
    if value == 0 or abs(value) >= 0.1:
        return f"{value:,.3f}"
    return f"{value:.{2 - math.floor(math.log10(abs(value)))}f}"


def add_parsers(sub) -> None:
    """``khanij convert`` and ``khanij resources`` on the main parser's subparsers."""
    p = sub.add_parser("convert", help="convert UNFC / India / JORC classification codes")
    p.add_argument("code", nargs="?", metavar="CODE", help="one code to convert")
    p.add_argument("--to", choices=("jorc", "unfc", "india", "stage"), default=None,
                   help="target scheme (default: JORC for UNFC/India codes, India for JORC names)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--table", metavar="IN", help="convert a column of this CSV/XLSX/vector file")
    p.add_argument("--column", metavar="COL", help="the column to convert (with --table)")
    p.add_argument("--layer", help="layer of a multi-layer input (with --table)")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (.csv, .xlsx or .gpkg)")
    p.set_defaults(handler=run_convert)

    p = sub.add_parser("resources", help="resource statement: tonnage by category, grouped")
    p.add_argument("input", metavar="IN")
    p.add_argument("--by", choices=("state", "district", "commodity", "block"), default="state")
    p.add_argument("--column", metavar="COL", help="the classification column (default: guessed)")
    p.add_argument("--layer", help="layer of a multi-layer input")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (.csv or .xlsx); stdout when absent")
    p.set_defaults(handler=run_resources)
