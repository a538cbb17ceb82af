"""The status bar: cursor position (decimal degrees, DMS, UTM, SOI toposheet), map scale, display
CRS, and the progress bar with Cancel for long work."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QStatusBar, QWidget

from geo.coords import format_decimal, format_dms, to_utm
from geo.errors import CoordinateError
from geo.soi_sheets import ATTRIBUTION as TOPOSHEET_ATTRIBUTION
from geo.soi_sheets import toposheet
from gui.workers import TaskProgress


#: Where the widest cursor line of the Indian mainland is read, to size the label once (so the
#: scale and CRS beside it do not jump as the pointer moves).
WIDEST_CURSOR_LON_LAT = (77.77777, 27.77777)


def cursor_text(lon: float, lat: float) -> str:
    """The cursor line, e.g. ``lat 23.35430, lon 85.31000 | 23°21'15.48"N 85°18'36.00"E | UTM 45N
    326,582 E 2,583,012 N | SOI F45B07``; empty outside valid coordinates."""
    try:
        dms = f"{format_dms(lat, 'lat')} {format_dms(lon, 'lon')}"
        easting_m, northing_m, zone = to_utm(lon, lat)
    except CoordinateError:
        return ""
    parts = [f"lat {format_decimal(lat, 5)}, lon {format_decimal(lon, 5)}", dms,
             f"UTM {zone} {easting_m:,.0f} E {northing_m:,.0f} N"]
    sheet = toposheet(lon, lat)
    if sheet:
        parts.append(f"SOI {sheet}")
    return "  |  ".join(parts)


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def _plain_label(tooltip: str, minimum_width: int = 0) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setToolTip(tooltip)
    label.setMinimumWidth(minimum_width)
    return label


COORDINATES_MIN_PX = 260
CRS_MIN_PX = 120


class StatusBar(QStatusBar):
    """Cursor coordinates, scale 1:N and CRS on the right; messages and progress on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = TaskProgress()
        self.coordinates = _plain_label("Cursor: latitude, longitude (WGS 84) | DMS | UTM zone, "
                                        "easting, northing | Survey of India 1:50,000 toposheet\n"
                                        + TOPOSHEET_ATTRIBUTION)
        widest = self.coordinates.fontMetrics().horizontalAdvance(cursor_text(*WIDEST_CURSOR_LON_LAT))
        # An explicit minimum below the text's width: on a small screen the text is cut rather
        # than the window growing past the screen (the tooltip names every part).
        self.coordinates.setMinimumWidth(min(widest + 12, COORDINATES_MIN_PX))
        self.coordinates.setText("Move the pointer over the map to read its coordinates")
        self.scale = _plain_label("Map scale", 110)
        self.crs = _plain_label("Display coordinate reference system", CRS_MIN_PX)
        self.measure = _plain_label("Last measurement (geodesic, WGS 84)")
        self.addWidget(self.progress)
        self.addPermanentWidget(self.measure)
        for widget in (self.coordinates, self.scale, self.crs):
            self.addPermanentWidget(_separator())
            self.addPermanentWidget(widget)

    def show_cursor(self, lon: float, lat: float) -> None:
        self.coordinates.setText(cursor_text(lon, lat))

    def show_scale(self, denominator: float) -> None:
        self.scale.setText(f"1:{denominator:,.0f}" if denominator and denominator > 0 else "")

    def show_crs(self, crs) -> None:
        self.crs.setText(_crs_label(crs))
        self.crs.setToolTip(f"Display coordinate reference system: {self.crs.text()}")


def _crs_label(crs) -> str:
    """``EPSG:7755 · WGS 84 / India NSF LCC`` from a pyproj CRS or any text pyproj reads."""
    from pyproj import CRS

    if crs is None:
        return ""
    crs = CRS.from_user_input(crs)
    authority = crs.to_authority()
    code = f"{authority[0]}:{authority[1]}" if authority else "custom CRS"
    return f"{code} · {crs.name}"
