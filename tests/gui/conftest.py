"""Fixtures shared by the GUI tests."""
import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings_dir(tmp_path):
    """Each test's QSettings live in its own folder (nothing of the user's, nothing shared)."""
    folder = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture
def atlas_window(qtbot, settings_dir):
    """A real main window (1200×800, shown) on the sample atlas; running work is stopped after."""
    from gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    window.open_sample_atlas()
    qtbot.waitExposed(window)
    yield window
    window.runner.cancel_all()
    window.runner.wait(20000)
