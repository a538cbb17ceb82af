"""Khanij's domain (no Qt): UNFC and CRIRSCO/JORC classification and conversion, resource
statements, critical-mineral lists, auction-readiness rules and scoring.

The public API is imported lazily so ``import assessment`` stays cheap for the command line.
"""
from __future__ import annotations

from geo.lazy_api import lazy_api

_API = {
    "convert": "assessment.conversion",
    "convert_column": "assessment.conversion",
    "Conversion": "assessment.conversion",
    "stage_of": "assessment.conversion",
    "stages_of": "assessment.conversion",
    "parse": "assessment.notation",
    "geological_level": "assessment.notation",
    "geological_levels": "assessment.notation",
    "resource_statement": "assessment.resources",
    "normalise_commodities": "assessment.minerals",
    "tag_critical": "assessment.minerals",
    "score": "assessment.scoring",
    "load_rules": "assessment.rules",
}

__all__, __getattr__, __dir__ = lazy_api("assessment", _API)
