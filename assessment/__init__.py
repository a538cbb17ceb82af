"""Khanij's domain (no Qt): UNFC and CRIRSCO/JORC classification and conversion, resource
statements, critical-mineral lists, auction-readiness rules and scoring.

The public API is imported lazily so ``import assessment`` stays cheap for the command line.
"""
from __future__ import annotations

import importlib

_API = {
    "convert": "assessment.conversion",
    "convert_column": "assessment.conversion",
    "Conversion": "assessment.conversion",
    "stage_of": "assessment.conversion",
    "stages_of": "assessment.conversion",
    "parse": "assessment.notation",
    "resource_statement": "assessment.resources",
    "normalise_commodities": "assessment.minerals",
    "tag_critical": "assessment.minerals",
    "score": "assessment.scoring",
    "load_rules": "assessment.rules",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'assessment' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__():
    return __all__
