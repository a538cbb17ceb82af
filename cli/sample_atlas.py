"""``khanij sample-atlas``: write the embedded sample atlas to files (:mod:`layers.atlas`)."""
from __future__ import annotations

import argparse

from geo.exit_codes import EXIT_OK


def run_sample_atlas(args: argparse.Namespace) -> int:
    from layers.atlas import write_sample_atlas

    written = write_sample_atlas(args.outdir)
    for path in written:
        print(path)
    return EXIT_OK


def add_parsers(sub) -> None:
    """``khanij sample-atlas`` on the main parser's subparsers."""
    p = sub.add_parser("sample-atlas", help="write the embedded sample atlas to files")
    p.add_argument("outdir", metavar="OUTDIR")
    p.set_defaults(handler=run_sample_atlas)
