"""``khanij gui``: open the desktop app (``khanij`` with no command, or with files, means this)."""
from __future__ import annotations

import argparse


def run_gui(args: argparse.Namespace) -> int:
    from gui.app import run

    return run(args.files, screenshot=args.screenshot)


def add_parsers(sub) -> None:
    """``khanij gui`` on the main parser's subparsers."""
    p = sub.add_parser("gui", help="open the desktop app with these files or a project")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to a PNG and exit")
    p.set_defaults(handler=run_gui)
