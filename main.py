"""Khanij: with no arguments, open the desktop app on the sample atlas; subcommands run headless.

The entry point of ``python main.py`` and the ``khanij`` console script; the command line is the
:mod:`cli` package (:func:`cli.main.main`).
"""
from __future__ import annotations

import sys

from cli.main import main

if __name__ == "__main__":
    sys.exit(main())
