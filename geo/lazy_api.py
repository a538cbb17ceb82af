"""Lazy public APIs for Khanij's packages, so ``import geo`` (or layers, assessment) stays cheap
for the command line and heavy modules (geopandas, rasterio) load on first use."""
from __future__ import annotations

import importlib
from typing import Callable


def lazy_api(package: str, api: dict[str, str]) -> tuple[list[str], Callable, Callable]:
    """``__all__``, ``__getattr__`` and ``__dir__`` for a package exposing ``api``.

    Parameters
    ----------
    package : str
        The package's name, for the error message.
    api : dict
        Public name -> module that defines it.

    Examples
    --------
    >>> __all__, __getattr__, __dir__ = lazy_api("geo", {"read": "geo.reading"})
    """
    names = sorted(api)

    def __getattr__(name: str):
        module = api.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    def __dir__():
        return names

    return names, __getattr__, __dir__
