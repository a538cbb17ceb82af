"""What every subcommand shares: the usage error, progress on stderr, and the checks made before
any work (an output never replaces an input, and can be written)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
