"""The ``khanij`` command line: the parser, the dispatch to the subcommand modules of :mod:`cli`,
and the one place where an error becomes a message and an exit code.

With no arguments ``khanij`` opens the desktop app on the sample atlas; subcommands run headless.

Exit codes: 0 success; 2 usage error; 3 an input is unreadable or invalid; 4 an output cannot be
written; 130 cancelled. A user error prints one clear line, never a traceback (``--debug`` shows
it).
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import traceback
from pathlib import Path
from typing import Callable, Optional, Sequence

from cli.common import UsageError, refuse_overwriting_inputs, refuse_unwritable_outputs
from cli.signals import Stopped, stop_exit_code, stop_signals_handled
from geo.exit_codes import EXIT_CANCELLED, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE

SUBCOMMANDS = ("gui", "info", "convert", "resources", "score", "screen", "report", "export-map", "sample-atlas",
               "review", "blocks")


def build_parser() -> argparse.ArgumentParser:
    """The ``khanij`` parser: each subcommand module adds its own subcommands, in the order
    ``khanij --help`` lists them. The modules (some load pandas) are imported here, once the stop
    signals are handled (:func:`main`), not when ``main.py`` is imported."""
    from cli import app, blocks, convert, export, info, review, sample_atlas, score, screen

    parser = argparse.ArgumentParser(
        prog="khanij",
        description="Desktop GIS for India's critical-mineral exploration and block auctions. "
        "With no command, opens the app (on the sample atlas when no file is given).",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for family in (app, info, convert, score, screen, export, review, sample_atlas, blocks):
        family.add_parsers(sub)
    return parser


OUTPUT_OPTIONS = {"-o": "--output", "--output": "--output", "--svg": "--svg", "--png": "--png", "--html": "--html",
                  "--screenshot": "--screenshot"}
_OPTION_LIKE = re.compile(r"--?[A-Za-z][A-Za-z0-9-]*")


def _attach_dash_values(argv: Sequence[str]) -> list[str]:
    """``-o -x.gpkg``: an output name that starts with a dash but is no option (argparse would take it
    for one) is attached to its option as ``--output=-x.gpkg``."""
    joined: list[str] = []
    pending = list(argv)
    while pending:
        word = pending.pop(0)
        if (word in OUTPUT_OPTIONS and pending and pending[0].startswith("-") and pending[0] not in ("-", "--")
                and not _OPTION_LIKE.fullmatch(pending[0])):
            word = f"{OUTPUT_OPTIONS[word]}={pending.pop(0)}"
        joined.append(word)
    return joined


def _normalise_argv(argv: Sequence[str]) -> list[str]:
    """``khanij FILE…`` means ``khanij gui FILE…``: insert the implied subcommand; output names
    starting with a dash are attached to their option (:func:`_attach_dash_values`)."""
    argv = _attach_dash_values(argv)
    positional = [a for a in argv if not a.startswith("-")]
    if not positional and not any(a in ("-h", "--help") for a in argv):
        return argv + ["gui"]
    if positional and positional[0] not in SUBCOMMANDS:
        first = positional[0]
        if _looks_like_subcommand(first):
            raise UsageError(f"unknown subcommand {first!r}; the subcommands are {', '.join(SUBCOMMANDS)} "
                             f"(or give files to open: khanij FILE…)")
        index = argv.index(first)
        return argv[:index] + ["gui"] + argv[index:]
    return argv


def _looks_like_subcommand(word: str) -> bool:
    """A bare word that names no file ("review"): a mistyped or unknown subcommand, not a file."""
    return re.fullmatch(r"[a-z][a-z-]*", word) is not None and not Path(word).exists()


LATE_STOP_LINE = ("khanij: the stop request came after the work was done: what it wrote or recorded is "
                  "complete and stays")


def exit_code_for(exc: BaseException) -> Optional[int]:
    """Exit code for an expected error, or None for a bug."""
    from geo.errors import Cancelled, DataWriteError, KhanijError

    if isinstance(exc, (Cancelled, KeyboardInterrupt, Stopped)):
        return stop_exit_code()
    if isinstance(exc, DataWriteError):
        return EXIT_OUTPUT
    if isinstance(exc, UsageError):
        return EXIT_USAGE
    if isinstance(exc, KhanijError):
        return EXIT_INPUT
    return None


def error_line(exc: BaseException, code: int) -> str:
    """The one line a user error prints, e.g. ``khanij: error: x.shp: file not found``."""
    from geo.atomic import outputs_put_in_place
    from geo.errors import describe_path

    written = outputs_put_in_place()
    if code == EXIT_CANCELLED and written:
        return (f"khanij: cancelled: {', '.join(describe_path(path) for path in written)} had been written in full "
                "before the stop; nothing else was written")
    if code == EXIT_CANCELLED:
        return f"khanij: cancelled: {str(exc) or 'no output was written'}"
    if code > 128:
        return f"khanij: stopped by {signal.Signals(code - 128).name}: no partial output was left"
    return f"khanij: error: {str(exc) or type(exc).__name__}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if hasattr(sys.stdout, "reconfigure"):
        # A file name that is not valid UTF-8 (byte 0xFF) comes back out as the same bytes.
        sys.stdout.reconfigure(errors="surrogateescape")
    with stop_signals_handled():
        return _run(argv)


def _run(argv: list[str]) -> int:
    from geo.atomic import forget_outputs_put_in_place
    from geo.feedback import check_stop, stop_requested

    forget_outputs_put_in_place()
    debug = "--debug" in argv
    try:
        parser = build_parser()
        try:
            argv = _normalise_argv(argv)
        except UsageError as exc:
            parser.print_usage(sys.stderr)
            print(error_line(exc, EXIT_USAGE), file=sys.stderr)
            return EXIT_USAGE
        args = parser.parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        refuse_overwriting_inputs(args)
        refuse_unwritable_outputs(args)
        check_stop()  # a Ctrl-C while starting up
        code = handler(args)
        if stop_requested() is not None:  # while the last step, which does not check (a commit), ran to its end
            print(LATE_STOP_LINE, file=sys.stderr)
        return code
    except BrokenPipeError:
        # The reader of our output stopped early (``khanij info X | head``): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except BaseException as exc:  # noqa: BLE001 - every error becomes an exit code and a message
        if isinstance(exc, SystemExit):
            raise
        code = exit_code_for(exc)
        if code is None or debug:
            traceback.print_exc()
        if code is None:
            print(f"khanij: internal error: {exc}", file=sys.stderr)
            return 1
        print(error_line(exc, code), file=sys.stderr)
        return code
