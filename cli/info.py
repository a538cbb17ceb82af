"""``khanij info``: describe a vector or raster file (the work is :mod:`geo.info`)."""
from __future__ import annotations

import argparse
import json

from geo.exit_codes import EXIT_OK


def run_info(args: argparse.Namespace) -> int:
    from geo.info import describe, describe_text

    if args.json:
        print(json.dumps(describe(args.file, encoding=args.encoding), ensure_ascii=False, indent=2))
    else:
        print(describe_text(args.file, encoding=args.encoding))
    return EXIT_OK


def add_parsers(sub) -> None:
    """``khanij info`` on the main parser's subparsers."""
    p = sub.add_parser("info", help="describe a vector or raster file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--encoding", help="attribute encoding to use instead of the detected one")
    p.set_defaults(handler=run_info)
