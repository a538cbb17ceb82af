"""Khanij: with no arguments, open the desktop app on the sample atlas; subcommands run headless.

Exit codes: 0 success; 2 usage error; 3 an input is unreadable or invalid; 4 an output cannot be
written; 130 cancelled. A user error prints one clear line, never a traceback (``--debug`` shows
it).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

from geo.exit_codes import EXIT_CANCELLED, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE  # noqa: F401 - main.EXIT_* for callers

SUBCOMMANDS = ("gui", "info", "convert", "resources", "score", "screen", "report", "export-map", "sample-atlas",
               "review", "blocks")


class UsageError(Exception):
    """The command line is wrong in a way argparse cannot see (exit 2)."""


def stderr_feedback():
    """A feedback object that reports progress on stderr: a bar on a terminal, lines otherwise."""
    from geo.feedback import Feedback

    interactive = sys.stderr.isatty()
    last = {"line": ""}

    def report(fraction: float, text: str) -> None:
        if interactive:
            filled = int(fraction * 30)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {text[:60]:<60}")
            if fraction >= 1.0:
                sys.stderr.write("\n")
            sys.stderr.flush()
        else:
            line = f"{fraction:4.0%} {text}"
            if line != last["line"]:
                print(line, file=sys.stderr, flush=True)
                last["line"] = line

    def warn(text: str) -> None:
        if interactive:
            sys.stderr.write("\n")
        print(f"khanij: warning: {text}", file=sys.stderr, flush=True)

    return Feedback(report, warn)


# --- subcommand handlers -------------------------------------------------------------------
# Each handler calls the public API of geo / layers / assessment (or gui for the app) and only
# formats its answer; no analysis lives here.


def cmd_gui(args: argparse.Namespace) -> int:
    from gui.app import run

    return run(args.files, screenshot=args.screenshot)


def cmd_info(args: argparse.Namespace) -> int:
    from geo.info import describe, describe_text

    if args.json:
        print(json.dumps(describe(args.file, encoding=args.encoding), ensure_ascii=False, indent=2))
    else:
        print(describe_text(args.file, encoding=args.encoding))
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    from assessment.convert_cli import run_convert

    return run_convert(args)


def cmd_resources(args: argparse.Namespace) -> int:
    from assessment.convert_cli import run_resources

    return run_resources(args)


def as_of_date(text: str):
    """``--as-of`` as a date (argparse turns a ValueError into a usage error, exit 2)."""
    from assessment.scoring import parse_as_of

    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_score(args: argparse.Namespace) -> int:
    from assessment.score_cli import run_score

    if args.project:
        own_layers = [flag for flag, given in (("--sample", args.sample), ("--blocks", args.blocks),
                      ("--deposits", args.deposits), ("--forest", args.forest), ("--protected", args.protected),
                      ("--infra", args.infra), ("--raster", args.raster), ("--boundaries", args.boundaries),
                      ("--rules", args.rules)) if given]
        if own_layers:
            raise UsageError(f"score --project takes its layers and rules from the project's scoring set-up; "
                             f"drop {', '.join(own_layers)}")
        from layers.scoring_setup import run_score_project

        return run_score_project(args, stderr_feedback())
    if args.sample:
        fill_sample_layers(args)
        args.blocks = args.blocks or sample_role_paths()["blocks"]
    if not (args.blocks and args.deposits):
        raise UsageError("score needs --project, --sample, or --blocks and --deposits")
    refuse_overwriting_inputs(args)
    return run_score(args, stderr_feedback())


def cmd_screen(args: argparse.Namespace) -> int:
    from assessment.screen_cli import run_screen
    from assessment.screening import parse_cell_size

    try:
        parse_cell_size(args.cell)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    fill_sample_layers(args)
    return run_screen(args, stderr_feedback())


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


def cmd_report(args: argparse.Namespace) -> int:
    from gui.export_cli import run_report

    return run_report(args, stderr_feedback())


def cmd_export_map(args: argparse.Namespace) -> int:
    from gui.export_cli import run_export_map

    return run_export_map(args, stderr_feedback())


def cmd_sample_atlas(args: argparse.Namespace) -> int:
    from layers.atlas import write_sample_atlas

    written = write_sample_atlas(args.outdir)
    for path in written:
        print(path)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="khanij",
        description="Desktop GIS for India's critical-mineral exploration and block auctions. "
        "With no command, opens the app (on the sample atlas when no file is given).",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("gui", help="open the desktop app with these files or a project")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to a PNG and exit")
    p.set_defaults(handler=cmd_gui)

    p = sub.add_parser("info", help="describe a vector or raster file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--encoding", help="attribute encoding to use instead of the detected one")
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser("convert", help="convert UNFC / India / JORC classification codes")
    p.add_argument("code", nargs="?", metavar="CODE", help="one code to convert")
    p.add_argument("--to", choices=("jorc", "unfc", "india", "stage"), default=None,
                   help="target scheme (default: JORC for UNFC/India codes, India for JORC names)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--table", metavar="IN", help="convert a column of this CSV/XLSX/vector file")
    p.add_argument("--column", metavar="COL", help="the column to convert (with --table)")
    p.add_argument("--layer", help="layer of a multi-layer input (with --table)")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (.csv, .xlsx or .gpkg)")
    p.set_defaults(handler=cmd_convert)

    p = sub.add_parser("resources", help="resource statement: tonnage by category, grouped")
    p.add_argument("input", metavar="IN")
    p.add_argument("--by", choices=("state", "district", "commodity", "block"), default="state")
    p.add_argument("--column", metavar="COL", help="the classification column (default: guessed)")
    p.add_argument("--layer", help="layer of a multi-layer input")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (.csv or .xlsx); stdout when absent")
    p.set_defaults(handler=cmd_resources)

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

    p = sub.add_parser("report", help="per-block PDF dossier from a score output")
    p.add_argument("scores", metavar="SCORES")
    p.add_argument("--block", action="append", default=[], metavar="ID",
                   help="only this block (repeatable; default: every block)")
    p.add_argument("--layer", action="append", default=[], metavar="FILE",
                   help="deposits, forest, protected-area, infrastructure or boundary layer for the location maps "
                        "and the resources table (default for sample-atlas scores: the sample atlas)")
    p.add_argument("--admin", action="append", default=[], metavar="FILE",
                   help="administrative areas (states, districts, tehsils or villages; repeatable): each block's "
                        "state, district, tehsil and villages are found by overlay (levels from the columns, "
                        "e.g. DISTRICT, SUB_DIST; a NAME column is the level below the finest)")
    p.add_argument("--review-db", dest="review_db", metavar="DB",
                   help="add each block's review decisions and their history from this review store (see 'khanij review')")
    p.add_argument("--tranche", metavar="NAME", help="the tranche in --review-db (default: the score file's name)")
    p.add_argument("-o", "--output", metavar="OUT.pdf", required=True)
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("export-map", help="export a map as offline HTML, PNG or SVG")
    p.add_argument("files", nargs="*", metavar="FILE", help="layers to map (default: the sample atlas)")
    p.add_argument("--project", metavar="P", help="map the layers, styles and extent of a .khanij project")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--html", metavar="OUT", help="offline HTML map (Leaflet inlined, no network)")
    group.add_argument("--png", metavar="OUT", help="PNG image with legend, scale bar and north arrow")
    group.add_argument("--svg", metavar="OUT", help="SVG drawing with legend, scale bar and north arrow")
    p.add_argument("--width", type=int, default=1600, help="image width in pixels (default 1600)")
    p.add_argument("--height", type=int, default=1100, help="image height in pixels (default 1100)")
    p.add_argument("--dpi", type=int, default=150, help="resolution that sets text and symbol sizes (default 150)")
    p.add_argument("--title", help="title printed on the map")
    p.set_defaults(handler=cmd_export_map)

    from layers.review.cli import add_parser as add_review_parser

    add_review_parser(sub)

    p = sub.add_parser("sample-atlas", help="write the embedded sample atlas to files")
    p.add_argument("outdir", metavar="OUTDIR")
    p.set_defaults(handler=cmd_sample_atlas)

    from layers.blocks_cli import add_parser as add_blocks_parser

    add_blocks_parser(sub)
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


SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd")


def _input_paths(args: argparse.Namespace) -> list[str]:
    """Every file a command reads, from whichever of the usual options it has."""
    paths = []
    for name in ("file", "table", "input", "scores", "project", "blocks", "deposits", "forest",
                 "protected", "boundaries", "rules"):
        value = getattr(args, name, None)
        if value:
            paths.append(value)
    for name in ("files", "infra", "raster", "layer", "admin"):
        value = getattr(args, name, None)
        if isinstance(value, list):
            paths.extend(value)
    return paths


def _output_paths(args: argparse.Namespace) -> list[str]:
    return [value for name in ("output", "html", "png", "svg", "screenshot") if (value := getattr(args, name, None))]


def _files_of(path: str) -> set[Path]:
    """The file itself and, for a shapefile, every sidecar a write could clobber."""
    resolved = Path(path).resolve()
    if resolved.suffix.lower() in SHAPEFILE_SIDECARS:
        return {resolved.with_suffix(suffix) for suffix in SHAPEFILE_SIDECARS} | {resolved}
    return {resolved}


def refuse_overwriting_inputs(args: argparse.Namespace) -> None:
    """Source files are read-only to Khanij: an output that would replace an input is a usage error.

    Raises
    ------
    UsageError
        An output path is one of the inputs (or a sidecar of an input shapefile).
    """
    for output in _output_paths(args):
        target = Path(output).resolve()
        for source in _input_paths(args):
            if target in _files_of(source):
                raise UsageError(f"{Path(output).name} is the input file {Path(source).name}; write the output "
                                 f"to another file (inputs are never changed)")


def refuse_unwritable_outputs(args: argparse.Namespace) -> None:
    """Fail before any work when an output cannot be replaced by a regular file: it is a folder,
    a FIFO, a device or a link to one, or its folder does not exist (exit 4).

    Raises
    ------
    DataWriteError
    """
    from geo.atomic import writable_target

    for output in _output_paths(args):
        writable_target(output)


class Stopped(BaseException):
    """A second SIGTERM or SIGHUP arrived: unwinds like Ctrl-C, so every write in progress removes
    its temporary file (a BaseException, so ``except Exception`` clean-up code lets it through)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _on_stop_signal(signum: int, frame) -> None:
    """A first Ctrl-C, SIGTERM or SIGHUP cancels cooperatively: the next progress check raises
    ``Cancelled``, which unwinds every write in progress (removing its temporary file), and no
    write is put in place after it, even when a library would swallow an exception raised here
    or abort on it (PySide's start-up does both). A second one removes the partial outputs at once
    and unwinds from wherever the program is; after it the default action (ending the process)
    is back."""
    from geo.atomic import remove_partial_outputs
    from geo.feedback import request_stop, stop_requested

    if stop_requested() is None:
        request_stop(signum)
        return
    remove_partial_outputs()
    for number in STOP_SIGNALS:
        signal.signal(number, signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


STOP_ESCALATE_S = 2.0  # how long a stop signal waits for a progress check before it unwinds the program
STOP_GRACE_S = 5.0  # how long a step stuck in a library call may take to see a stop signal


@contextlib.contextmanager
def stop_signals_handled() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP handled as :func:`_on_stop_signal` says while a command runs
    (from the main thread; the previous handlers are restored after).

    Python runs a signal handler only between two steps of the main thread, never while it waits
    inside a library call (reading a FIFO blocks for ever). So a watchdog thread also hears
    each signal, through the wake-up file descriptor (:func:`_watchdog`).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    early: list[int] = []  # signals that arrive while the handler's own modules load
    previous = {number: signal.signal(number, lambda signum, frame: early.append(signum)) for number in STOP_SIGNALS}
    finished = threading.Event()
    watchdog = None
    try:
        import geo.atomic  # noqa: F401 - loaded here, never inside the handler
        from geo.feedback import clear_stop, request_stop

        clear_stop()
        watchdog = _start_watchdog(finished)
        for number in STOP_SIGNALS:
            signal.signal(number, _on_stop_signal)
        for signum in early:
            request_stop(signum)
        yield
    finally:
        finished.set()
        for number, handler in previous.items():
            signal.signal(number, handler)
        if watchdog is not None:
            wake_write, previous_wakeup = watchdog
            signal.set_wakeup_fd(previous_wakeup)
            os.close(wake_write)  # the watchdog reads the end of the pipe and returns


def _start_watchdog(finished: threading.Event) -> Optional[tuple[int, int]]:
    """Start :func:`_watchdog` on a pipe that Python's C-level handler writes each signal to;
    returns the pipe's write end and the wake-up descriptor it replaced. POSIX only (Windows
    takes only a socket there, and has no SIGTERM to deliver to a console program)."""
    if os.name != "posix":
        return None
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    threading.Thread(target=_watchdog, args=(wake_read, finished), name="khanij-stop-watchdog", daemon=True).start()
    return wake_write, signal.set_wakeup_fd(wake_write)


def _watchdog(wake_read: int, finished: threading.Event) -> None:
    """After the first stop signal: if the command has not finished STOP_ESCALATE_S later (no
    progress check came, e.g. waiting for Dask workers), deliver the signal again to the main
    thread, which unwinds at once (:func:`_on_stop_signal`'s second case); if it still has not
    finished STOP_GRACE_S after the signal (stuck inside a library call), end the process."""
    import _thread

    from geo.atomic import remove_partial_outputs

    try:
        while True:
            received = os.read(wake_read, 1)
            if not received or finished.is_set():
                return
            signum = received[0]
            if signum in STOP_SIGNALS:
                break
        if finished.wait(STOP_ESCALATE_S):
            return
        _thread.interrupt_main(signum)
        if finished.wait(STOP_GRACE_S - STOP_ESCALATE_S):
            return
        remove_partial_outputs()
        name = signal.Signals(signum).name
        os.write(2, f"\nkhanij: stopped by {name}: a step did not answer within {STOP_GRACE_S:.0f} s; "
                    f"no partial output was left\n".encode())
        os._exit(128 + signum)
    finally:
        os.close(wake_read)


def stop_exit_code() -> int:
    """The exit code of a run stopped by a signal: 130 for Ctrl-C, 128 + the signal otherwise."""
    from geo.feedback import stop_requested

    signum = stop_requested()
    return EXIT_CANCELLED if signum in (None, signal.SIGINT) else 128 + signum


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
    from geo.feedback import check_stop

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
        check_stop()  # asked to stop while a step that does not check (reading one file) ran to its end
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


if __name__ == "__main__":
    sys.exit(main())
