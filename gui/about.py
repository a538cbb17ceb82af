"""Help ▸ About: what Khanij is, its version, and the attributions its shipped data and software ask for."""
from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from geo.soi_sheets import ATTRIBUTION as TOPOSHEET_ATTRIBUTION
from layers.atlas import ATLAS_DIR

SOFTWARE_NOTICES = (
    "Leaflet 1.9.4 (inlined in exported HTML maps), BSD-2-Clause, © Volodymyr Agafonkin and CloudMade.",
    "Noto Sans, Noto Sans Devanagari and Noto Sans Math fonts (in PDF dossiers), SIL Open Font License 1.1.",
    "Qt for Python (PySide6), LGPL-3.0; pyqtgraph, MIT; GDAL via pyogrio and rasterio, MIT/BSD; "
    "exactextract, Apache-2.0; folium, MIT; fpdf2, LGPL-3.0.",
)


def atlas_attributions() -> list[str]:
    """The attribution cell of each source row of the sample atlas README's "Sources and licences"."""
    lines = (ATLAS_DIR / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("## Sources and licences")
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        if line.startswith("| `"):
            rows.append(line.strip().strip("|").split("|")[-1].strip())
    return rows


def about_text() -> str:
    """The About box's plain text."""
    try:
        version = metadata.version("khanij")
    except metadata.PackageNotFoundError:
        version = "development copy"
    parts = [
        f"Khanij {version}",
        "A desktop GIS for India's critical-mineral exploration and block auctions: deposits styled "
        "by UNFC stage, UNFC ⇄ CRIRSCO/JORC conversion, auction-readiness scoring and exports. "
        "Works offline.",
        "The sample atlas is illustrative — not official data.",
        "Data shipped with Khanij:",
        *[f"• {line}" for line in (TOPOSHEET_ATTRIBUTION, *atlas_attributions())],
        "Software:",
        *[f"• {line}" for line in SOFTWARE_NOTICES],
    ]
    return "\n".join(parts)


def show_about(parent: QWidget) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle("About Khanij")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(about_text())
    box.exec()
