"""The one result type of a read: the data plus what the user must know about it."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional

from geo.crs import crs_label

# How the CRS of a read came about; the GUI and `khanij info` show it in words.
CrsStatus = Literal["declared", "assumed", "assigned", "unknown"]


@dataclass(frozen=True)
class RejectedRow:
    """A table row that could not become a feature.

    ``row`` is the row number a person sees in the file: in a CSV the header is line 1, so the
    first data row is row 2; in an XLSX it is the sheet's row number.
    """

    row: int
    reason: str


@dataclass
class ReadResult:
    """What :func:`geo.read` returns for one layer of one file.

    Attributes
    ----------
    path : Path
        The file read (never written to).
    kind : {"vector", "raster", "table"}
    data : GeoDataFrame, geo.raster.RasterSource or DataFrame
        Vector rows with geometry exactly as read (nothing repaired, nothing dropped); a raster
        handle that reads pixels on demand; or, for a CSV/XLSX with no coordinate columns (or an
        attribute-only GeoPackage table), a plain DataFrame.
    driver : str
        GDAL/OGR driver name ("ESRI Shapefile", "GPKG", "GeoJSON", "TopoJSON", "KML", "CSV",
        "XLSX", "GTiff" ...).
    layer : str or None
        Layer name inside the file (GeoPackage table, KML folder, TopoJSON object).
    layers_available : list of str
        Every layer the file holds, so a caller can offer the others.
    encoding : str or None
        Text encoding used for attributes (e.g. "UTF-8", "ISO-8859-1", "cp1252").
    encoding_source : str
        Where that encoding came from: "cpg", "dbf language driver", "fallback" (a guess), "user",
        "format" (fixed by the format: GeoJSON, GeoPackage, XLSX ...) or "detected" (a CSV whose
        bytes are valid UTF-8).
    crs : pyproj.CRS or None
    crs_status : {"declared", "assumed", "assigned", "unknown"}
        "assumed" only for the GeoJSON/TopoJSON WGS 84 convention, and then a message says so.
    null_geometries, empty_geometries, invalid_geometries : int
    invalid_reasons : dict
        Row index -> GEOS reason (e.g. "Self-intersection[77.1 28.6]").
    rejected_rows : list of RejectedRow
        CSV/XLSX rows that could not become points (unparsable, zero, swapped, outside India).
    messages : list of str
        Everything the user must know, in sentences that name the file.
    """

    path: Path
    kind: Literal["vector", "raster", "table"]
    data: Any
    driver: str
    layer: Optional[str] = None
    layers_available: list[str] = field(default_factory=list)
    encoding: Optional[str] = None
    encoding_source: str = "format"
    crs: Any = None
    crs_status: CrsStatus = "unknown"
    null_geometries: int = 0
    empty_geometries: int = 0
    invalid_geometries: int = 0
    invalid_reasons: dict[int, str] = field(default_factory=dict)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def crs_label(self) -> str:
        """The CRS as a person reads it: "EPSG:4326", a custom CRS's name, or "unknown"."""
        return crs_label(self.crs)

    @property
    def feature_count(self) -> int:
        return len(self.data) if self.kind in ("vector", "table") else 0
