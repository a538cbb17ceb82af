"""Start the desktop app: ``khanij`` (sample atlas), ``khanij FILE…`` (files or a project) and
``khanij gui --screenshot OUT.png [FILE…]`` (render the window offscreen, save it, exit)."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from geo.atomic import atomic_write_bytes
from geo.exit_codes import EXIT_USAGE

APP_NAME = "Khanij"
SCREENSHOT_SIZE = (1600, 1000)


def _needs_offscreen(screenshot: Optional[str]) -> bool:
    """A screenshot without a display (or on CI) renders with Qt's offscreen platform."""
    if not screenshot or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or bool(os.environ.get("CI"))


def create_application():
    """The QApplication (made once), named so QSettings finds the app's settings."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(os.environ.get("KHANIJ_SETTINGS_ORG", APP_NAME))
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    return app


def create_window(files: Sequence[str] = ()):
    """The main window showing ``files`` (data files or a project), or the sample atlas."""
    from gui.main_window import MainWindow

    window = MainWindow()
    if files:
        window.open_paths(list(files))
    else:
        window.open_sample_atlas()
    return window


def save_screenshot(window, path: str | os.PathLike) -> Path:
    """Grab the whole window once the canvas has rendered and write it as PNG (atomically)."""
    from gui.render import image_bytes

    window.wait_until_rendered()
    image = window.grab().toImage()
    target = Path(path)
    atomic_write_bytes(target, image_bytes(image, target))
    return target


NO_DISPLAY = ("the app needs a display and none was found (DISPLAY is not set): start it in a desktop "
              "session, or under xvfb-run; the subcommands (khanij --help) and khanij gui --screenshot "
              "work without one")


def has_display() -> bool:
    """Whether Qt can show a window: a display is set, or a platform was chosen explicitly."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"))


def run(files: Sequence[str], screenshot: Optional[str] = None) -> int:
    """Open the app; with ``screenshot``, render offscreen to that PNG and return 0. Without a
    display, say so in one line and return 2 (instead of Qt's abort)."""
    if not screenshot and not has_display():
        print(f"khanij: error: {NO_DISPLAY}", file=sys.stderr)
        return EXIT_USAGE
    if _needs_offscreen(screenshot):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = create_application()
    window = create_window(files)
    if screenshot:
        window.resize(*SCREENSHOT_SIZE)
        window.show()
        save_screenshot(window, screenshot)
        window.close()
        return 0
    window.show()
    timer = end_on_stop_signals(app)  # noqa: F841 - kept alive while the app runs
    return int(app.exec())


def end_on_stop_signals(app):
    """Ctrl-C, SIGTERM and SIGHUP end the app at once, leaving no partial output of a save or
    export in progress on any thread. Returns the timer that lets Python see signals while Qt's
    event loop runs (keep a reference)."""
    import signal

    from PySide6.QtCore import QTimer

    from geo.atomic import remove_partial_outputs

    def end(signum, frame):
        remove_partial_outputs()
        os._exit(128 + signum)

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), end)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer
