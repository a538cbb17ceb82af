"""The command line's own behaviour: implied ``gui``, exit codes, and a reader that stops early."""
import os
import sys

import pytest

import main


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
    assert stop.value.code == main.EXIT_USAGE


def test_a_reader_that_stops_early_is_not_an_error(external, monkeypatch, capsys):
    """``khanij info X --json | head -1``: the pipe closes before we finish writing."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    closed_pipe = os.fdopen(write_end, "w", buffering=1)
    monkeypatch.setattr(sys, "stdout", closed_pipe)
    code = main.main(["info", str(external / "datameet-railways" / "stations.json"), "--json"])
    monkeypatch.undo()
    assert code == main.EXIT_OK
    assert "Traceback" not in capsys.readouterr().err
