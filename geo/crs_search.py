"""Find a coordinate reference system by EPSG code or words of its name, as QGIS's CRS selector.

India's systems are found by the words people use for them: "Everest" finds the Kalianpur
datums (on the Everest 1830 ellipsoid) and their projections, "NSF" or "LCC India" finds
EPSG:7755 (WGS 84 / India NSF LCC) and the state systems of that series (EPSG:7756–7801).

Examples
--------
>>> [hit.code for hit in search_crs("7755")]
['EPSG:7755']
>>> "EPSG:24378" in [hit.code for hit in search_crs("kalianpur india zone I")]
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pyproj.database import query_crs_info
from pyproj.enums import PJType

# Words that stand for a family of names (the family's own word is added to the search).
_FAMILIES = {"everest": "kalianpur", "nsf": "india_nsf_series", "lcc": "india_nsf_series"}
# The India NSF series: the national LCC and the state systems published with it.
_NSF_CODES = range(7755, 7802)
MAX_HITS = 200


@dataclass(frozen=True)
class CrsHit:
    """One CRS found: ``code`` ("EPSG:7755"), ``name`` and its kind ("projected", "geographic")."""

    code: str
    name: str
    kind: str


@lru_cache(maxsize=1)
def _catalogue() -> tuple[tuple[CrsHit, str], ...]:
    """Every EPSG geographic 2D and projected CRS with the lowercase words it is found by."""
    kinds = {PJType.PROJECTED_CRS: "projected", PJType.GEOGRAPHIC_2D_CRS: "geographic"}
    rows = []
    for info in query_crs_info(auth_name="EPSG", pj_types=list(kinds)):
        if info.deprecated:
            continue
        words = f"epsg:{info.code} {info.code} {info.name}".lower()
        if "kalianpur" in words:
            words += " everest"
        if info.code.isdigit() and int(info.code) in _NSF_CODES:
            words += " india_nsf_series nsf lcc india"
        rows.append((CrsHit(f"EPSG:{info.code}", info.name, kinds[info.type]), words))
    return tuple(sorted(rows, key=lambda row: int(row[0].code.split(":")[1]) if row[0].code[5:].isdigit() else 0))


def search_crs(text: str, limit: int = MAX_HITS) -> list[CrsHit]:
    """The CRSs whose code or name holds every word of ``text`` (case-blind), an exact code first.

    An empty ``text`` lists the first ``limit`` systems.
    """
    words = [word for word in re.split(r"[\s/,]+", text.strip().lower()) if word]
    exact = text.strip().upper().removeprefix("EPSG:")
    hits = [hit for hit, found_by in _catalogue() if all(word in found_by for word in words)]
    hits.sort(key=lambda hit: hit.code != f"EPSG:{exact}")
    return hits[:limit]
