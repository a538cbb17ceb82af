"""File → Export in the main window: map (HTML/PNG/SVG), dossier, table, on workers, cancellable."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from gui.export_dialogs import ImageOptions
from gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.open_sample_atlas()
    yield win
    win.runner.cancel_all()
    win.runner.wait(20000)


def finish(qtbot, task):
    assert task is not None
    with qtbot.waitSignal(task.finished, timeout=120000):
        pass
    return task


def succeeded(qtbot, task) -> Path:
    results = []
    task.succeeded.connect(results.append)
    task.failed.connect(lambda exc: results.append(exc))
    finish(qtbot, task)
    assert results and isinstance(results[0], Path), results
    return results[0]


def scored(qtbot, window):
    with qtbot.waitSignal(window.readiness.scored, timeout=60000):
        assert window.readiness.run() is not None
    qtbot.waitUntil(lambda: not window.readiness.running, timeout=10000)


def test_file_menu_has_the_exports(window):
    file_menu = window.menuBar().actions()[0].menu()
    export_menu = next(a.menu() for a in file_menu.actions() if a.text() == "&Export")
    texts = [a.text() for a in export_menu.actions() if a.text()]
    assert texts == ["Map as HTML…", "Map as PNG…", "Map as SVG…", "Dossier (PDF)…", "Table…"]


def test_map_exports_write_html_png_svg(qtbot, window, tmp_path):
    exports = window.exports
    html = succeeded(qtbot, exports.export_map("html", str(tmp_path / "m.html"), ImageOptions(title="Atlas")))
    assert "Deposits (illustrative)" in html.read_text(encoding="utf-8")
    png = succeeded(qtbot, exports.export_map("png", str(tmp_path / "m.png"), ImageOptions(900, 600, 96, "Atlas")))
    image = QImage(str(png))
    assert (image.width(), image.height()) == (900, 600)
    svg = succeeded(qtbot, exports.export_map("svg", str(tmp_path / "m.svg"), ImageOptions(900, 600, 96, "")))
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_report_and_table_of_the_scores(qtbot, window, tmp_path):
    assert window.exports.export_report(str(tmp_path / "none.pdf")) is None
    assert any("Score the blocks first" in message for message in window.messages)
    scored(qtbot, window)
    pdf = succeeded(qtbot, window.exports.export_report(str(tmp_path / "d.pdf"), ["JH-CL-01"]))
    assert pdf.read_bytes().startswith(b"%PDF")
    scores = window.readiness.scores_layer
    window.layer_tree.set_current_layer(scores)
    table = succeeded(qtbot, window.exports.export_table(str(tmp_path / "scores.xlsx")))
    from openpyxl import load_workbook

    book = load_workbook(table)
    assert book.sheetnames == ["scores", "metadata", "scoring_inputs"]
    sheet = book["scores"]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "rank" and "readiness" in header and "score (of 100)" in header
    assert sheet.max_row == scores.feature_count + 1
    inputs = [(row[0].value, row[1].value) for row in book["scoring_inputs"].iter_rows(min_row=2)]
    used = window.scoring_setup.used_layers(window.layer_list)
    assert inputs[:-2] == [(label, layer.name) for label, layer in used]          # each layer once
    assert [item for item, _name in inputs[-2:]] == ["Rules", "As of"]


def test_exports_follow_the_selection(qtbot, window, tmp_path):
    from openpyxl import load_workbook

    scored(qtbot, window)
    scores = window.readiness.scores_layer
    window.canvas.set_selection(scores, [0, 2])
    assert window.exports.selected_block_ids(scores) == [scores.data["block_id"].iloc[i] for i in (0, 2)]
    deposits = window.layer_list.find("Deposits (illustrative)")
    window.layer_tree.set_current_layer(deposits)
    window.canvas.set_selection(deposits, [1, 3, 5])
    table = succeeded(qtbot, window.exports.export_table(str(tmp_path / "deposits.xlsx")))
    sheet = load_workbook(table).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert names == deposits.data[sheet["A1"].value].iloc[[1, 3, 5]].tolist()
    task = window.exports.export_report(str(tmp_path / "two.pdf"))
    assert "2 selected blocks" in task.title
    pdf = succeeded(qtbot, task)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cancelled_export_leaves_no_file(qtbot, window, tmp_path):
    scored(qtbot, window)
    task = window.exports.export_report(str(tmp_path / "d.pdf"))
    cancelled = []
    task.cancelled.connect(lambda: cancelled.append(True))
    task.cancel()
    finish(qtbot, task)
    assert cancelled == [True]
    assert not any(path.suffix == ".pdf" or ".part" in path.name for path in tmp_path.iterdir())


def test_failed_export_is_reported_and_writes_nothing(qtbot, window, tmp_path):
    task = window.exports.export_map("html", str(tmp_path / "missing" / "m.html"), ImageOptions())
    failures = []
    task.failed.connect(failures.append)
    finish(qtbot, task)
    assert failures and "does not exist" in str(failures[0])
    assert any("does not exist" in message for message in window.messages)
