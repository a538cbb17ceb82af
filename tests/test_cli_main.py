"""The command line's own behaviour: implied ``gui``, exit codes, and a reader that stops early."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from geo.exit_codes import EXIT_CANCELLED, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("argv, expected", [
    ([], ["gui"]),
    (["--debug"], ["--debug", "gui"]),
    (["deposits.gpkg"], ["gui", "deposits.gpkg"]),
    (["--debug", "a.shp", "b.kml"], ["--debug", "gui", "a.shp", "b.kml"]),
    (["info", "x.shp"], ["info", "x.shp"]),
    (["--help"], ["--help"]),
])
def test_files_without_a_command_open_the_app(argv, expected):
    assert main._normalise_argv(argv) == expected


def test_unknown_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main.main(["info", "--no-such-option", "x.shp"])
    assert stop.value.code == EXIT_USAGE


def test_a_reader_that_stops_early_is_not_an_error(external, monkeypatch, capsys):
    """``khanij info X --json | head -1``: the pipe closes before we finish writing."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    closed_pipe = os.fdopen(write_end, "w", buffering=1)
    monkeypatch.setattr(sys, "stdout", closed_pipe)
    code = main.main(["info", str(external / "datameet-railways" / "stations.json"), "--json"])
    monkeypatch.undo()
    assert code == EXIT_OK
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["score", "--blocks", "{d}/blocks.shp", "--deposits", "{d}/deposits.gpkg", "-o", "{d}/deposits.gpkg"],
    ["score", "--blocks", "{d}/blocks.shp", "--deposits", "{d}/deposits.gpkg", "-o", "{d}/blocks.dbf"],
    ["report", "{d}/deposits.gpkg", "-o", "{d}/deposits.gpkg"],
    ["export-map", "{d}/blocks.shp", "--png", "{d}/blocks.shp"],
    ["resources", "{d}/deposits.gpkg", "-o", "{d}/deposits.gpkg"],
])
def test_an_output_never_replaces_an_input(tmp_path, capsys, argv):
    sources = {name: (tmp_path / name) for name in ("blocks.shp", "blocks.dbf", "deposits.gpkg")}
    for path in sources.values():
        path.write_bytes(b"user data")
    code = main.main([part.format(d=tmp_path) for part in argv])
    assert code == EXIT_USAGE
    assert "is the input file" in capsys.readouterr().err
    assert all(path.read_bytes() == b"user data" for path in sources.values())


def test_ctrl_c_says_it_was_cancelled_in_words():
    assert main.exit_code_for(KeyboardInterrupt()) == EXIT_CANCELLED
    assert main.error_line(KeyboardInterrupt(), EXIT_CANCELLED) == "khanij: cancelled: no output was written"
    assert main.error_line(main.UsageError("give -o OUT"), EXIT_USAGE) == "khanij: error: give -o OUT"


@pytest.mark.parametrize("argv", [
    ["score", "--sample", "-o", "{d}/folder.gpkg"],
    ["report", "{d}/scores.gpkg", "-o", "{d}/missing/dossier.pdf"],
    ["export-map", "--html", "{d}/folder.gpkg"],
])
def test_an_unwritable_output_fails_before_any_work(tmp_path, capsys, argv):
    (tmp_path / "folder.gpkg").mkdir()
    assert main.main([part.format(d=tmp_path) for part in argv]) == EXIT_OUTPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ("it is a folder" in err or "does not exist" in err)


def test_the_entry_point_loads_no_subcommand_before_the_stop_signals_are_handled():
    """``main.py`` and :mod:`cli.main` import only the light modules; the subcommands (pandas and
    the rest, half a second) load inside :func:`cli.main.main`, where a Ctrl-C or SIGTERM already
    cancels in words instead of killing the interpreter mid-import."""
    probe = "import sys, main; print(sorted(m for m in sys.modules if m.startswith(('pandas', 'cli.'))))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['cli.common', 'cli.main', 'cli.signals']"


def test_a_stop_after_the_work_is_done_leaves_its_result_and_says_so(tmp_path, monkeypatch, capsys):
    """A stop request that arrives while the last step (a commit, a rename) runs to its end does
    not turn a finished command into "cancelled: no output was written"."""
    import cli.info
    from geo.feedback import request_stop

    def info_then_stop(args):
        code = info(args)
        request_stop(signal.SIGINT)
        return code

    info = cli.info.run_info
    monkeypatch.setattr(cli.info, "run_info", info_then_stop)
    assert main.main(["info", str(REPO / "layers/sample_atlas/deposits.gpkg")]) == EXIT_OK
    captured = capsys.readouterr()
    assert "Features" in captured.out or captured.out.strip()
    assert captured.err.strip().splitlines()[-1] == main.LATE_STOP_LINE


@pytest.mark.parametrize("command", [["score", "--sample"], ["screen", "--state", "Goa", "--cell", "5km"]])
def test_a_stop_just_after_the_output_is_in_place_names_it_as_written(tmp_path, monkeypatch, capsys, command):
    from geo import atomic
    from geo.feedback import request_stop

    output = tmp_path / "result.gpkg"
    put_in_place = atomic._move_into_place

    def then_stop(tmp, target, requested, exclusive):
        put_in_place(tmp, target, requested, exclusive)
        request_stop(signal.SIGINT)

    monkeypatch.setattr(atomic, "_move_into_place", then_stop)
    code = main.main([*command, "-o", str(output)])
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert output.exists()
    assert code == EXIT_CANCELLED  # its last progress report saw the stop
    assert last == "khanij: cancelled: result.gpkg had been written in full before the stop; nothing else was written"
