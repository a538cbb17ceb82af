"""Fixtures shared by the GUI tests."""
import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings_dir(tmp_path):
    """Each test's QSettings live in its own folder (nothing of the user's, nothing shared)."""
    folder = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    return folder
