"""Build Khanij's embedded sample atlas, deterministically, from the sources committed beside it.

Usage (from the repository's root, which holds the rules the design notes cite)::

    .venv/bin/python -m layers.sample_atlas.build_sample_atlas [OUTDIR]

OUTDIR defaults to this folder. The script reads only ``sources/`` (MIT state boundaries from
datta07/INDIAN-SHAPEFILES, CC0 railway stations from datameet/railways) and writes one
single-layer GeoPackage per role, the magnetic-anomaly GeoTIFF and ``README.md``. Everything that
is not in those sources -- deposits, blocks, forest, protected areas and the raster -- is
illustrative: drawn by this script with a fixed seed around real localities and public facts
(DOMAIN.md Part B §6). Two runs write byte-identical files.

The blocks are designed so that scoring exercises every gate and condition; the script measures
each block's relations (distance to protected areas, eco-sensitive zones, forest share, state
containment) and stops with a message when a measurement contradicts the block's design, so the
README's design table is always true of the shipped data.
"""
from __future__ import annotations

import functools
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from pyproj import CRS, Transformer
from rasterio.enums import Resampling
from rasterio.features import geometry_mask
from rasterio.transform import from_origin
from shapely import affinity
from shapely.geometry import Point, Polygon, box

from assessment.rules import load_rules

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
STATES_SOURCE = SOURCES / "datta07-INDIAN-SHAPEFILES" / "INDIA" / "INDIA_STATES.geojson"
STATIONS_SOURCE = SOURCES / "datameet-railways" / "stations.json"

SEED = 20240601
ILLUSTRATIVE = "illustrative sample — not official data"
BUILD_DATE = "2025-01-01T00:00:00Z"  # stamped into every GeoPackage so rebuilds are byte-identical
SIMPLIFY_TOLERANCE_DEG = 0.01
STATE_MARGIN_M = 1000.0  # every block (but the wrong-state one) lies this far inside its state
WRONG_STATE_MARGIN_M = 2000.0  # the wrong-state block lies this far outside its listed state
RASTER_STATE = "Odisha"
RASTER_PIXEL_DEG = 0.01
RASTER_NODATA = -9999.0

FILES = {
    "boundaries": "states.gpkg",
    "deposits": "deposits.gpkg",
    "blocks": "blocks.gpkg",
    "forest": "forest.gpkg",
    "protected_areas": "protected_areas.gpkg",
    "infrastructure": "railway_stations.gpkg",
    "evidence": "magnetic_anomaly.tif",
}

# States that hold the atlas's deposits and blocks; railway stations are kept for these only.
ATLAS_STATES = (
    "Jharkhand", "Odisha", "Chhattisgarh", "Karnataka", "Rajasthan", "Andhra Pradesh",
    "Jammu & Kashmir", "Tamil Nadu", "Gujarat", "Maharashtra", "West Bengal",
)

# Seventh Schedule minerals as summarised by the Ministry (DOMAIN.md B §5.3); used only to write
# the expected EL gate into the design notes.
SEVENTH_SCHEDULE = {
    "copper", "gold", "silver", "diamond", "lithium", "cobalt", "molybdenum", "lead", "zinc",
    "cadmium", "ree", "graphite", "vanadium", "nickel", "tin", "tellurium", "selenium", "indium",
    "rock phosphate", "apatite", "potash", "rhenium", "tungsten", "pge",
}


# ---------------------------------------------------------------------------------------------
# Local metric frames
# ---------------------------------------------------------------------------------------------
class Frame:
    """Azimuthal-equidistant metres around a point.

    Within a few tens of kilometres of the centre, lengths and areas measured in this frame agree
    with geodesic ones on WGS 84 to better than 1e-5, which is what the designed distances need.
    """

    def __init__(self, lon: float, lat: float):
        crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs")
        self.lon, self.lat = lon, lat
        self._forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    @staticmethod
    def _apply(transformer: Transformer, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))

    def to_m(self, geom):
        return self._apply(self._forward, geom)

    def to_deg(self, geom):
        return self._apply(self._inverse, geom)


def frame_of(geom) -> Frame:
    centre = geom.centroid
    return Frame(centre.x, centre.y)


def irregular_polygon(rng: np.random.Generator, area_m2: float, vertices: tuple[int, int] = (8, 13),
                      roughness: float = 0.3, elongation: tuple[float, float] = (1.0, 1.7)) -> Polygon:
    """A star-shaped polygon around the origin (always valid) with the given area in m²."""
    n = int(rng.integers(vertices[0], vertices[1] + 1))
    step = 2 * math.pi / n
    angles = np.arange(n) * step + rng.uniform(-0.3, 0.3, n) * step
    radii = 1.0 + rng.uniform(-roughness, roughness, n)
    stretch = rng.uniform(*elongation)
    turn = rng.uniform(0.0, math.pi)
    x = radii * np.cos(angles) * stretch
    y = radii * np.sin(angles) / stretch
    xr = x * math.cos(turn) - y * math.sin(turn)
    yr = x * math.sin(turn) + y * math.cos(turn)
    shape = Polygon(np.column_stack([xr, yr]))
    factor = math.sqrt(area_m2 / shape.area)
    return affinity.scale(shape, factor, factor, origin=(0, 0))


def unit_vector(bearing_deg: float) -> tuple[float, float]:
    rad = math.radians(bearing_deg)
    return math.sin(rad), math.cos(rad)


def bisect(function, lo: float, hi: float, target: float, steps: int = 60) -> float:
    """The argument in [lo, hi] where the increasing ``function`` reaches ``target``."""
    for _ in range(steps):
        mid = (lo + hi) / 2
        if function(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def place_at_gap(shape_m: Polygon, target_m, bearing_deg: float, gap_m: float) -> Polygon:
    """Translate ``shape_m`` from the origin along a bearing until it lies ``gap_m`` from the target."""
    ux, uy = unit_vector(bearing_deg)
    at = bisect(lambda t: affinity.translate(shape_m, t * ux, t * uy).distance(target_m), 0.0, 300_000.0, gap_m)
    return affinity.translate(shape_m, at * ux, at * uy)


def cover_share(block_m: Polygon, covers: list[Polygon], bearings: list[float], share: float) -> list[Polygon]:
    """Slide cover polygons in from the given bearings until their union covers ``share`` of the block."""
    shifts = [unit_vector(b) for b in bearings]

    def moved(t: float) -> list[Polygon]:
        return [affinity.translate(c, ux * t, uy * t) for c, (ux, uy) in zip(covers, shifts)]

    def uncovered(t: float) -> float:
        return 1.0 - shapely.union_all(moved(t)).intersection(block_m).area / block_m.area

    return moved(bisect(uncovered, 0.0, 200_000.0, 1.0 - share))


# ---------------------------------------------------------------------------------------------
# States and stations (real sources)
# ---------------------------------------------------------------------------------------------
def state_title(stname: str) -> str:
    """"JAMMU & KASHMIR" → "Jammu & Kashmir"; a name already in title case stays as it is."""
    if stname != stname.upper():
        return stname
    return " ".join(word if word == "&" else word.capitalize() for word in stname.split())


# Union territories merged since the source was drawn: (parts, name of the merged one, its LGD code).
MERGED_UTS = ((("DADRA & NAGAR HAVELI", "DAMAN & DIU"), "Dadra and Nagar Haveli and Daman and Diu", 38),)


def merge_union_territories(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One feature for each union territory merged since the source was drawn (Dadra and Nagar
    Haveli and Daman and Diu, 26 January 2020), its parts' shapes unioned."""
    for parts, name, lgd in MERGED_UTS:
        inside = raw["STNAME"].str.upper().isin(parts)
        merged = gpd.GeoDataFrame({"STNAME": [name], "State_LGD": [lgd]},
                                  geometry=[shapely.union_all(raw.geometry[inside].values)], crs=raw.crs)
        raw = pd.concat([raw[~inside][["STNAME", "State_LGD", "geometry"]], merged], ignore_index=True)
    return gpd.GeoDataFrame(raw, geometry="geometry", crs=merged.crs)


def build_states() -> gpd.GeoDataFrame:
    """datta07's all-India states, union territories merged since as they are now,
    coverage-simplified (shared borders stay shared)."""
    raw = merge_union_territories(gpd.read_file(STATES_SOURCE, engine="pyogrio"))
    simplified = shapely.coverage_simplify(raw.geometry.values, SIMPLIFY_TOLERANCE_DEG)
    states = gpd.GeoDataFrame(
        {
            "state": [state_title(n) for n in raw["STNAME"]],
            "state_lgd": raw["State_LGD"].astype("int64"),
            "illustrative": ILLUSTRATIVE,
        },
        geometry=shapely.make_valid(simplified),
        crs="EPSG:4326",
    )
    return states.sort_values("state", kind="stable").reset_index(drop=True)


class StateIndex:
    """Which state a point or polygon is in, and how far inside (metres)."""

    def __init__(self, states: gpd.GeoDataFrame):
        self.states = states
        self.by_name = dict(zip(states["state"], states.geometry))
        self.tree = shapely.STRtree(states.geometry.values)

    def state_of(self, point: Point) -> str | None:
        hits = self.tree.query(point, predicate="within")
        return self.states["state"].iloc[int(hits[0])] if len(hits) else None

    def inside_margin_m(self, geom, state: str) -> float:
        """Distance from ``geom`` to the state's border when inside it, negative outside."""
        frame = frame_of(geom)
        window = box(*geom.buffer(0.3).bounds)
        region = frame.to_m(self.by_name[state].intersection(window))
        local = frame.to_m(geom)
        if local.within(region):
            return region.boundary.distance(local)
        return -region.distance(local) if not local.intersects(region) else 0.0


def build_stations(index: StateIndex) -> gpd.GeoDataFrame:
    """Real CC0 stations inside the atlas states: null geometries and placeholder codes dropped."""
    raw = gpd.read_file(STATIONS_SOURCE, engine="pyogrio")
    code = raw["code"].fillna("")
    keep = raw.geometry.notna() & code.str.fullmatch(r"[A-Z]{1,5}") & ~code.str.contains("XX")
    raw = raw[keep]
    states = [index.state_of(p) for p in raw.geometry]
    stations = gpd.GeoDataFrame(
        {
            "code": raw["code"].to_numpy(),
            "name": raw["name"].fillna("").to_numpy(),
            "state": states,
            "zone": raw["zone"].fillna("").replace("?", "").to_numpy(),
            "illustrative": ILLUSTRATIVE,
        },
        geometry=raw.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    stations = stations[stations["state"].isin(ATLAS_STATES)]
    stations = stations.drop_duplicates("code", keep="first")
    return stations.sort_values("code", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Protected areas (illustrative boundaries around real names)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PASpec:
    name: str
    pa_type: str  # "national park" | "wildlife sanctuary"
    state: str
    lon: float
    lat: float
    area_km2: float
    esz_notified: bool = False
    interstate: bool = False
    esz_width_km: float = 0.0  # width of the notified ESZ around it
    esz_narrow: tuple[float, float, float] = (0.0, 0.0, 0.0)  # bearing, half-angle (deg), width km


PROTECTED_AREAS = (
    PASpec("Betla National Park", "national park", "Jharkhand", 84.19, 23.88, 226),
    PASpec("Dalma Wildlife Sanctuary", "wildlife sanctuary", "Jharkhand", 86.10, 22.88, 193,
           esz_notified=True, esz_width_km=5.0, esz_narrow=(20.0, 30.0, 0.5)),
    PASpec("Koderma Wildlife Sanctuary", "wildlife sanctuary", "Jharkhand", 85.50, 24.42, 177),
    PASpec("Hazaribagh Wildlife Sanctuary", "wildlife sanctuary", "Jharkhand", 85.35, 24.05, 186),
    PASpec("Similipal National Park", "national park", "Odisha", 86.33, 21.83, 845,
           esz_notified=True, esz_width_km=3.0, esz_narrow=(250.0, 35.0, 0.2)),
    PASpec("Hadgarh Wildlife Sanctuary", "wildlife sanctuary", "Odisha", 86.35, 21.40, 191),
    PASpec("Debrigarh Wildlife Sanctuary", "wildlife sanctuary", "Odisha", 83.65, 21.55, 347),
    PASpec("Karlapat Wildlife Sanctuary", "wildlife sanctuary", "Odisha", 83.10, 19.65, 175),
    PASpec("Sunabeda Wildlife Sanctuary", "wildlife sanctuary", "Odisha", 82.55, 20.55, 600, interstate=True),
    PASpec("Udanti Wildlife Sanctuary", "wildlife sanctuary", "Chhattisgarh", 82.20, 20.12, 247),
    PASpec("Barnawapara Wildlife Sanctuary", "wildlife sanctuary", "Chhattisgarh", 82.45, 21.40, 245),
    PASpec("Achanakmar Wildlife Sanctuary", "wildlife sanctuary", "Chhattisgarh", 81.75, 22.45, 557),
    PASpec("Kanger Ghati National Park", "national park", "Chhattisgarh", 81.95, 18.85, 200),
    PASpec("Daroji Bear Sanctuary", "wildlife sanctuary", "Karnataka", 76.58, 15.25, 55),
    PASpec("Jogimatti Wildlife Sanctuary", "wildlife sanctuary", "Karnataka", 76.38, 14.15, 100),
    PASpec("Kumbhalgarh Wildlife Sanctuary", "wildlife sanctuary", "Rajasthan", 73.55, 25.20, 610),
    PASpec("Desert National Park", "national park", "Rajasthan", 70.60, 26.55, 3162),
    PASpec("Sri Lankamalleswara Wildlife Sanctuary", "wildlife sanctuary", "Andhra Pradesh", 78.85, 14.55, 465),
    PASpec("Kodaikanal Wildlife Sanctuary", "wildlife sanctuary", "Tamil Nadu", 77.45, 10.20, 608),
    PASpec("Narayan Sarovar Wildlife Sanctuary", "wildlife sanctuary", "Gujarat", 68.62, 23.62, 444),
    PASpec("Umred-Karhandla Wildlife Sanctuary", "wildlife sanctuary", "Maharashtra", 79.55, 20.85, 189),
)


def pa_polygon_m(spec: PASpec, rng: np.random.Generator) -> Polygon:
    return irregular_polygon(rng, spec.area_km2 * 1e6, vertices=(18, 26), roughness=0.22, elongation=(1.0, 1.4))


def esz_polygon_m(spec: PASpec, pa_m: Polygon) -> Polygon:
    """The notified ESZ: a band of ``esz_width_km`` around the PA, narrower within one sector."""
    bearing, half_angle, narrow_km = spec.esz_narrow
    reach = 200_000.0
    left, right = unit_vector(bearing - half_angle), unit_vector(bearing + half_angle)
    sector = Polygon([(0, 0), (left[0] * reach, left[1] * reach), (right[0] * reach, right[1] * reach)])
    wide = pa_m.buffer(spec.esz_width_km * 1000.0).difference(sector)
    narrow = pa_m.buffer(narrow_km * 1000.0)
    return wide.union(narrow).difference(pa_m)


def build_protected(rng: np.random.Generator) -> tuple[dict, gpd.GeoDataFrame]:
    """The PA polygons in their own frames (for placing blocks) and the layer."""
    placed, rows = {}, []
    for spec in PROTECTED_AREAS:
        frame = Frame(spec.lon, spec.lat)
        pa_m = pa_polygon_m(spec, rng)
        placed[spec.name] = (spec, frame, pa_m)
        rows.append(pa_row(spec.name, spec.pa_type, spec.state, spec.esz_notified, spec.interstate, frame.to_deg(pa_m)))
        if spec.esz_notified:
            esz = frame.to_deg(esz_polygon_m(spec, pa_m))
            rows.append(pa_row(f"{spec.name} eco-sensitive zone", "eco-sensitive zone", spec.state, True,
                               spec.interstate, esz))
    layer = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return placed, layer


def pa_row(name, pa_type, state, esz, interstate, geometry) -> dict:
    return {
        "name": name, "pa_type": pa_type, "state": state,
        "esz_notified": "yes" if esz else "no", "interstate": "yes" if interstate else "no",
        "illustrative": ILLUSTRATIVE, "geometry": geometry,
    }


# ---------------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DepositSpec:
    """A deposit inside a block (position drawn inside it) or an anchor (position given)."""

    name: str
    commodity: str
    unfc: str
    stage: str
    tonnage_mt: float | None
    grade: float | None
    grade_unit: str
    agency: str
    year: int
    remarks: str = ""
    source: str = "illustrative"
    on_boundary: bool = False  # placed exactly on a vertex of the block outline


@dataclass(frozen=True)
class BlockSpec:
    block_id: str
    block_name: str
    state: str
    district: str
    commodity: str
    licence: str
    unfc: str
    stage: str
    tranche: str
    area_ha: float
    where: tuple  # ("at", lon, lat) | ("gap", pa name, bearing deg, gap km) | ("inside", pa name, bearing, offset km)
    protected: str = "clear"  # clear | nbwl | inside | within_1km | esz | esz_carveout | interstate_carveout
    forest: tuple = ()  # () | ("share", fraction) | ("ha", hectares) | ("two", fraction) | ("pa",)
    state_ok: bool = True
    potentiality: str = ""
    deposits: tuple = ()
    source: str = "illustrative"
    why: str = ""


D = DepositSpec
T1 = "Tranche 1 (Nov 2023)"
T5_ANNULLED = "Tranche 5 (Jan 2025), annulled"
STATE_NIT = "Chhattisgarh State NIT (Jul 2023)"

BLOCKS = (
    # ---------------- Jharkhand
    BlockSpec("JH-CL-01", "Muskaniya-Gareriatola-Barwari", "Jharkhand", "Palamu", "Potash", "CL", "333", "G3",
              "Tranche 3 (Mar 2024), annulled", 1400, ("at", 83.93, 24.22),
              deposits=(D("Muskaniya potash", "Potash", "333", "G3", 48.0, 4.9, "%", "GSI", 2021, "grade as K2O"),),
              source="name, mineral, licence, tranche: Business Standard 28 Jul 2024; stage, area, location illustrative",
              why="CL at G3, clear of protected areas and forest"),
    BlockSpec("JH-ML-01", "Rakha East", "Jharkhand", "East Singhbhum", "Copper", "ML", "332", "G2", "", 600,
              ("at", 86.33, 22.66),
              deposits=(D("Rakha East copper", "Copper", "332", "G2", 12.5, 1.05, "%", "MECL", 2019),
                        D("Rakha East deeps", "Copper", "331", "G1", 3.2, 1.2, "%", "MECL", 2022)),
              why="ML at G2 with an Indicated resource; a clean pass"),
    BlockSpec("JH-ML-02", "Surda North", "Jharkhand", "East Singhbhum", "Copper", "ML", "333", "G3", "", 450,
              ("at", 86.48, 22.57),
              deposits=(D("Surda North copper", "Copper", "333", "G3", 6.0, 0.9, "%", "GSI", 2018),),
              why="ML at G3: the stage gate fails (ML needs G2)"),
    BlockSpec("JH-CL-02", "Dalma South", "Jharkhand", "East Singhbhum", "Copper;Gold", "CL", "E2F2G3", "G3", "", 500,
              ("gap", "Dalma Wildlife Sanctuary", 190.0, 2.0), protected="esz",
              deposits=(D("Dalma South copper-gold", "Copper;Gold", "E2F2G3", "G3", 2.4, 0.8, "%", "GSI", 2017),),
              why="2 km from a sanctuary whose ESZ is notified (5 km wide there): inside the ESZ, the protected gate fails (W4)"),
    BlockSpec("JH-CL-03", "Betla West", "Jharkhand", "Latehar", "Graphite", "CL", "334", "G4", "", 400,
              ("gap", "Betla National Park", 265.0, 0.5), protected="within_1km",
              deposits=(D("Betla West graphite", "Graphite", "334", "G4", 2.5, 9.0, "%", "DGM Jharkhand", 2020,
                          "grade as fixed carbon"),),
              why="0.5 km from a national park with no notified ESZ: the 1 km rule fails the protected gate (W1, W2)"),
    BlockSpec("JH-EL-01", "Noamundi West", "Jharkhand", "West Singhbhum", "Iron ore", "EL", "G4", "G4", "", 1800,
              ("at", 85.40, 22.35),
              deposits=(D("Noamundi West iron ore", "Iron ore", "G4", "G4", None, 60.5, "%", "GSI", 2016,
                          "reconnaissance samples, grade as Fe"),),
              why="EL for iron ore, not a Seventh Schedule mineral: the stage (EL) gate fails"),
    BlockSpec("JH-CL-04", "Koderma Mica Belt", "Jharkhand", "Koderma", "Lithium", "CL", "G4", "G4", "", 900,
              ("gap", "Koderma Wildlife Sanctuary", 160.0, 5.0), protected="nbwl",
              deposits=(D("Koderma pegmatite lithium", "Lithium", "G4", "G4", None, 410.0, "ppm", "GSI", 2023,
                          "pegmatite samples"),),
              why="CL at G4, 5 km from a sanctuary: passes, with the NBWL Standing Committee condition (W6)"),
    BlockSpec("JH-CL-05", "Chandil East", "Jharkhand", "Saraikela-Kharsawan", "Rock phosphate", "CL", "333", "G3", "",
              600, ("at", 86.30, 23.30), state_ok=False,
              deposits=(D("Beldih apatite extension", "Rock phosphate", "333", "G3", 4.2, 14.0, "%", "GSI", 2015,
                          "grade as P2O5"),),
              why="listed for Jharkhand but drawn in Purulia, West Bengal: the state gate fails"),
    # ---------------- Odisha
    BlockSpec("OD-ML-01", "Babja", "Odisha", "Balangir", "Graphite;Manganese", "ML", "332", "G2", T1, 520,
              ("at", 83.35, 20.55),
              deposits=(D("Babja graphite", "Graphite", "332", "G2", 3.8, 12.0, "%", "DGM Odisha", 2021,
                          "grade as fixed carbon"),
                        D("Babja manganese", "Manganese", "331", "G1", 1.1, 28.0, "%", "DGM Odisha", 2021),
                        D("Babja north-west outcrop", "Graphite", "333", "G3", 0.4, 10.0, "%", "GSI", 2019,
                          "placed exactly on a vertex of the block outline", on_boundary=True)),
              source="name, minerals, licence, tranche: BigMint, tranche 1 of critical-mineral auctions (bigmint.co); stage, area, location illustrative",
              why="ML at G2, clear: Ready; one deposit lies exactly on the block boundary"),
    BlockSpec("OD-ML-02", "Biarpalli", "Odisha", "Balangir", "Graphite;Manganese", "ML", "122", "G2", T1, 430,
              ("at", 83.08, 20.42), forest=("share", 0.22),
              deposits=(D("Biarpalli graphite", "Graphite", "122", "G2", 2.1, 14.0, "%", "DGM Odisha", 2021,
                          "grade as fixed carbon"),),
              source="name, minerals, licence, tranche: BigMint, tranche 1 of critical-mineral auctions (bigmint.co); stage, area, location illustrative",
              why="ML at G2 with 22 % forest: Ready with conditions (forest)"),
    BlockSpec("OD-ML-03", "Dudhiasol East", "Odisha", "Mayurbhanj", "Nickel;Copper", "ML", "332", "G2", T1, 900,
              ("gap", "Similipal National Park", 300.0, 7.0), protected="nbwl",
              deposits=(D("Dudhiasol East nickel-copper", "Nickel;Copper", "332", "G2", 9.5, 0.62, "%", "GSI", 2020,
                          "grade as Ni"),),
              source="name, minerals, licence, tranche: BigMint, tranche 1 of critical-mineral auctions (bigmint.co); stage, area, location illustrative",
              why="ML at G2, 7 km from a national park, outside its 3 km ESZ: NBWL condition; strong magnetic anomaly"),
    BlockSpec("OD-ML-04", "Naringpanga", "Odisha", "Rayagada", "Graphite", "ML", "332", "G2",
              "Odisha State auction list (Nov 2021)", 180, ("at", 83.55, 19.35),
              deposits=(D("Naringpanga graphite", "Graphite", "332", "G2", 0.142, 11.0, "%", "DGM Odisha", 2021,
                          "0.142 Mt geological reserve (New Indian Express, 28 Nov 2021); category and grade illustrative",
                          source="tonnage: New Indian Express 28 Nov 2021"),),
              source="name, mineral, district, tonnage: New Indian Express 28 Nov 2021; licence, stage, area illustrative",
              why="small ML at G2, clear: Ready; weak magnetic response"),
    BlockSpec("OD-EL-01", "Boula South", "Odisha", "Keonjhar", "PGE", "EL", "333", "G3", "", 2000,
              ("gap", "Hadgarh Wildlife Sanctuary", 200.0, 5.0), protected="nbwl",
              deposits=(D("Boula South PGE", "PGE", "333", "G3", 8.0, 1.8, "g/t", "GSI", 2018),),
              why="EL for PGE (Seventh Schedule), 5 km from a sanctuary: NBWL condition; strong magnetic anomaly"),
    BlockSpec("OD-CL-01", "Sukinda Laterite", "Odisha", "Jajpur", "Nickel;Cobalt", "CL", "E2F2G3", "G3", "", 1600,
              ("at", 85.80, 21.00), forest=("two", 0.5),
              deposits=(D("Sukinda nickel laterite", "Nickel;Cobalt", "E2F2G3", "G3", 45.0, 0.85, "%", "MECL", 2019,
                          "grade as Ni; Co about 0.05 %"),),
              why="about half covered by two overlapping forest polygons: the union, not the sum, must be measured"),
    BlockSpec("OD-CL-02", "Similipal West", "Odisha", "Mayurbhanj", "Vanadium", "CL", "334", "G4", "", 700,
              ("gap", "Similipal National Park", 250.0, 0.8), protected="esz_carveout",
              deposits=(D("Similipal West vanadiferous magnetite", "Vanadium", "334", "G4", 6.0, 0.6, "%", "GSI", 2022,
                          "grade as V2O5"),),
              why="0.8 km from a national park with a notified ESZ that is only 0.2 km wide on this side: until "
                  "12 Nov 2025 the 1 km default did not apply (W3) and the gate passed with the NBWL condition; since "
                  "13 Nov 2025 (W11) the 1 km ban has no ESZ exception, so it fails"),
    BlockSpec("OD-CL-03", "Sunabeda East", "Odisha", "Nuapada", "Diamond", "CL", "G4", "G4", "", 1100,
              ("gap", "Sunabeda Wildlife Sanctuary", 95.0, 0.6), protected="interstate_carveout",
              deposits=(D("Sunabeda East kimberlite", "Diamond", "G4", "G4", None, None, "", "DGM Odisha", 2022,
                          "kimberlite indicator minerals only"),),
              why="0.6 km from a sanctuary on an inter-state border (no ESZ): until 12 Nov 2025 the 1 km default "
                  "did not apply (W3) and the gate passed with the NBWL condition; since 13 Nov 2025 (W11) it fails"),
    # ---------------- Chhattisgarh
    BlockSpec("CG-CL-01", "Katghora", "Chhattisgarh", "Korba", "Lithium;REE", "CL", "G4", "G4",
              "Tranche 1 (Nov 2023), auctioned", 256.12, ("at", 82.52, 22.53), forest=("ha", 84.86),
              deposits=(D("Katghora lithium-REE", "Lithium;REE", "G4", "G4", None, None, "ppm", "GSI", 2023,
                          "not estimated; Li in samples 82.606-155 ppm (Business Standard 21 May 2024)",
                          source="Business Standard 21 May 2024; Hindu BusinessLine 29 Nov 2023"),),
              source="stage G4: Hindu BusinessLine 29 Nov 2023; 256.12 ha incl. 84.86 ha forest: Business Standard "
                     "21 May 2024; winner Maiki South Mining, premium 76.05 %: Rediff 24 Jun 2024; outline illustrative",
              why="CL at G4 passes (since June 2021); 84.86 ha of its 256.12 ha is forest: Ready with conditions"),
    BlockSpec("CG-CL-02", "Basna-2", "Chhattisgarh", "Mahasamund", "Diamond", "CL", "G4", "G4", STATE_NIT, 2500,
              ("at", 82.85, 21.22),
              source="name, mineral, district, 2500 ha: Chhattisgarh NIT Jul 2023 (bharatiyadigitalnews.in); licence, "
                     "stage, outline illustrative",
              why="large CL at G4 with no resource yet, clear: Ready (low resource score)"),
    BlockSpec("CG-CL-03", "Chanat-Jogidadar", "Chhattisgarh", "Mahasamund", "Gold", "CL", "333", "G3", STATE_NIT, 176,
              ("at", 82.40, 21.02),
              deposits=(D("Chanat-Jogidadar gold", "Gold", "333", "G3", 0.6, 3.1, "g/t", "DGM Chhattisgarh", 2022),),
              source="name, mineral, district, 176 ha: Chhattisgarh NIT Jul 2023; licence, stage, outline illustrative",
              why="CL at G3, clear: Ready"),
    BlockSpec("CG-CL-04", "Tumrisur-Garda 2", "Chhattisgarh", "Kanker", "Gold", "CL", "E2F2G3", "G3", STATE_NIT, 240,
              ("at", 81.32, 20.18),
              deposits=(D("Tumrisur-Garda gold", "Gold", "E2F2G3", "G3", 0.35, 2.6, "g/t", "DGM Chhattisgarh", 2022),),
              source="name, mineral, district, 240 ha: Chhattisgarh NIT Jul 2023; licence, stage, outline illustrative",
              why="CL at G3 (UNFC-2009 notation), clear: Ready"),
    BlockSpec("CG-EL-01", "Payalikhand", "Chhattisgarh", "Gariaband", "Diamond", "EL", "333", "G3", "", 1200,
              ("inside", "Udanti Wildlife Sanctuary", 30.0, 2.0), protected="inside", forest=("pa",),
              deposits=(D("Payalikhand kimberlite", "Diamond", "333", "G3", 2.1, None, "", "DGM Chhattisgarh", 2012,
                          "grade in carats per hundred tonnes not given"),),
              why="inside a wildlife sanctuary: the protected gate fails (W1) although diamond is a Seventh Schedule mineral"),
    BlockSpec("CG-CL-05", "Kelenda", "Chhattisgarh", "Baloda Bazar", "Glauconite", "CL", "334", "G4", T5_ANNULLED, 900,
              ("at", 82.20, 21.65),
              deposits=(D("Kelenda glauconite", "Glauconite", "334", "G4", 22.0, 5.1, "%", "GSI", 2023, "grade as K2O"),),
              source="name, mineral, tranche result: Business Standard 29 Aug 2025; district, stage, outline illustrative",
              why="CL at G4, clear: Ready"),
    # ---------------- Karnataka
    BlockSpec("KA-CL-01", "Holalkere-Doddaghatta", "Karnataka", "Chitradurga", "Nickel;PGE", "CL", "333", "G3",
              T5_ANNULLED, 1100, ("at", 76.18, 14.02),
              deposits=(D("Holalkere nickel-PGE", "Nickel;PGE", "333", "G3", 7.5, 0.35, "%", "GSI", 2022, "grade as Ni"),),
              source="name, minerals, tranche result: Business Standard 29 Aug 2025; stage, outline illustrative",
              why="CL at G3, clear: Ready"),
    BlockSpec("KA-CL-02", "Mincheri", "Karnataka", "Ballari", "REE", "CL", "334", "G4",
              "Tranche 5 (Jan 2025), annulled", 800, ("at", 76.92, 15.17),
              deposits=(D("Mincheri REE", "REE", "334", "G4", 3.2, 0.9, "%", "GSI", 2022, "grade as TREO"),),
              source="name, mineral, tranche result: Business Standard 29 Aug 2025; stage, outline illustrative",
              why="CL at G4, clear: Ready"),
    BlockSpec("KA-EL-01", "Hutti East", "Karnataka", "Raichur", "Gold", "EL", "G4", "G4", "", 2200,
              ("at", 76.78, 16.17),
              deposits=(D("Hutti East gold", "Gold", "G4", "G4", None, 1.9, "g/t", "GSI", 2021, "grab samples"),),
              why="EL for gold (Seventh Schedule), clear: Ready"),
    BlockSpec("KA-ML-01", "Marlagalla", "Karnataka", "Mandya", "Lithium", "ML", "334", "G4", "", 350,
              ("at", 76.55, 12.52),
              deposits=(D("Marlagalla lithium", "Lithium", "334", "G4", 0.3, 0.45, "%", "GSI", 2021, "grade as Li2O"),),
              why="ML at G4: the stage gate fails (ML needs G2)"),
    # ---------------- Rajasthan
    BlockSpec("RJ-EL-01", "Siwana Ring", "Rajasthan", "Barmer", "REE", "EL", "334", "G4", "", 2400,
              ("at", 72.47, 25.68),
              deposits=(D("Siwana ring complex REE", "REE", "334", "G4", 5.5, 0.25, "%", "GSI", 2020, "grade as TREO"),),
              why="EL for REE (Seventh Schedule), clear: Ready"),
    BlockSpec("RJ-ML-01", "Rajpura-Dariba North", "Rajasthan", "Rajsamand", "Zinc;Lead", "ML", "111", "G1", "", 700,
              ("at", 74.10, 25.02),
              deposits=(D("Rajpura-Dariba North zinc-lead", "Zinc;Lead", "111", "G1", 18.0, 9.5, "%", "MECL", 2016,
                          "grade as Zn+Pb"),
                        D("Rajpura-Dariba North extension", "Zinc;Lead", "331", "G1", 6.0, 8.2, "%", "MECL", 2019)),
              why="ML at G1 with a proved reserve: Ready"),
    # ---------------- Andhra Pradesh
    BlockSpec("AP-EL-01", "Wajrakarur", "Andhra Pradesh", "Anantapur", "Diamond", "EL", "G4", "G4", "", 2000,
              ("at", 77.40, 15.05),
              deposits=(D("Wajrakarur kimberlite", "Diamond", "G4", "G4", None, None, "", "GSI", 2019),),
              why="EL for diamond (Seventh Schedule), clear: Ready"),
    BlockSpec("AP-CL-01", "Nellore Mica Belt", "Andhra Pradesh", "Nellore", "Lithium;Tantalum", "CL", "", "", "", 1500,
              ("at", 79.62, 14.30), potentiality="yes",
              why="CL with no stage but mineral potentiality identified: the stage gate passes (MEMC amendment 2021)"),
    BlockSpec("AP-ML-01", "Agnigundala", "Andhra Pradesh", "Guntur", "Copper", "ML", "", "", "", 500,
              ("at", 79.55, 16.12),
              deposits=(D("Agnigundala copper", "Copper", "", "", 1.8, 1.1, "%", "DMG Andhra Pradesh", 2014,
                          "resource category not reported"),),
              why="ML with no stage or UNFC code: the stage gate is unknown (a condition under rules.toml)"),
    # ---------------- Jammu & Kashmir
    BlockSpec("JK-CL-01", "Salal-Haimana", "Jammu & Kashmir", "Reasi", "Lithium;Titanium;Bauxite", "CL", "333", "G3",
              "Tranche 1 (Nov 2023) < 3 bids; Tranche 3, annulled (Jul 2024)", 300, ("at", 74.80, 33.17),
              forest=("share", 0.4),
              deposits=(D("Salal-Haimana lithium", "Lithium", "333", "G3", 5.9, 583.0, "ppm", "GSI", 2023,
                          "inferred; cut-off Li >= 200 ppm; hosted in bauxite",
                          source="Devdiscourse/PIB 26 Jul 2023; Early Times (Lok Sabha answer)"),),
              source="stage G3, 5.9 Mt @ 583 ppm Li inferred, CL, forest and private land, auction history: "
                     "GSI and PIB (26 Jul 2023), Hindustan Times; area 3 km² (HT 16 Apr 2023; 2 km² per HT 25 Feb 2023); outline illustrative",
              why="CL at G3 (public facts) with forest land inside: Ready with conditions"),
    # ---------------- Tamil Nadu, Gujarat, Maharashtra
    BlockSpec("TN-ML-01", "Marudipatti (Central)", "Tamil Nadu", "Dindigul", "Molybdenum", "ML", "332", "G2",
              "Tranche 1 (Nov 2023), no bids", 600, ("at", 77.95, 10.30),
              deposits=(D("Marudipatti molybdenum", "Molybdenum", "332", "G2", 14.0, 0.05, "%", "GSI", 2021),),
              source="name, mineral, licence, tranche: BigMint; no bids: BusinessLine 13 May 2024; district, stage, "
                     "outline illustrative",
              why="ML at G2, clear: Ready"),
    BlockSpec("GJ-CL-01", "Katesar-Guneri", "Gujarat", "Kachchh", "Glauconite", "CL", "333", "G3", T5_ANNULLED, 1300,
              ("gap", "Narayan Sarovar Wildlife Sanctuary", 60.0, 6.0), protected="nbwl",
              deposits=(D("Katesar-Guneri glauconite", "Glauconite", "333", "G3", 35.0, 5.6, "%", "GSI", 2022,
                          "grade as K2O"),),
              source="name, mineral, tranche result: Business Standard 29 Aug 2025; district, stage, outline illustrative",
              why="CL at G3, 6 km from a sanctuary: NBWL condition"),
    BlockSpec("MH-CL-01", "Khobna-Agargaon", "Maharashtra", "Nagpur", "Tungsten", "CL", "333", "G3",
              "Tranche 5 (Jan 2025), annulled", 1000, ("at", 79.28, 21.12),
              deposits=(D("Khobna tungsten", "Tungsten", "333", "G3", 4.6, 0.12, "%", "GSI", 2021, "grade as WO3"),),
              source="name, mineral, tranche result: Business Standard 29 Aug 2025; stage, outline illustrative",
              why="CL at G3, clear: Ready"),
)


def block_shape_m(spec: BlockSpec, rng: np.random.Generator) -> Polygon:
    return irregular_polygon(rng, spec.area_ha * 1e4)


def place_block(spec: BlockSpec, shape_m: Polygon, placed_pas: dict):
    """The block outline in degrees, placed as its spec says."""
    kind = spec.where[0]
    if kind == "at":
        return Frame(spec.where[1], spec.where[2]).to_deg(shape_m)
    _, pa_name, bearing, km = spec.where
    _, frame, pa_m = placed_pas[pa_name]
    if kind == "gap":
        return frame.to_deg(place_at_gap(shape_m, pa_m, bearing, km * 1000.0))
    ux, uy = unit_vector(bearing)
    return frame.to_deg(affinity.translate(shape_m, ux * km * 1000.0, uy * km * 1000.0))


# ---------------------------------------------------------------------------------------------
# Forest
# ---------------------------------------------------------------------------------------------
def designed_forest(spec: BlockSpec, block, rng: np.random.Generator) -> list[tuple[str, str, object]]:
    """Forest polygons that give a block its designed overlap: (name, forest_type, geometry)."""
    kind = spec.forest[0]
    frame = frame_of(block)
    block_m = frame.to_m(block)
    size = block_m.area
    if kind in ("share", "ha"):
        share = spec.forest[1] if kind == "share" else spec.forest[1] * 1e4 / size
        cover = irregular_polygon(rng, size * 6.0, roughness=0.2)
        (moved,) = cover_share(block_m, [cover], [float(rng.uniform(0, 360))], share)
        return [(f"{spec.block_name} Reserved Forest", "reserved", frame.to_deg(moved))]
    if kind == "two":
        covers = [irregular_polygon(rng, size * 3.0, roughness=0.2), irregular_polygon(rng, size * 3.0, roughness=0.2)]
        first, second = cover_share(block_m, covers, [250.0, 320.0], spec.forest[1])
        return [(f"{spec.block_name} Reserved Forest", "reserved", frame.to_deg(first)),
                (f"{spec.block_name} Protected Forest", "protected", frame.to_deg(second))]
    return []


def pa_forests(placed_pas: dict) -> list[tuple[str, str, object]]:
    """A reserved forest in the core of each protected area."""
    rows = []
    for spec, frame, pa_m in placed_pas.values():
        core = affinity.scale(pa_m, 0.75, 0.75, origin=(0, 0))
        rows.append((f"{spec.name.rsplit(' ', 2)[0]} Reserved Forest", "reserved", frame.to_deg(core)))
    return rows


def scattered_forests(anchors: list, blocks: list, rng: np.random.Generator) -> list[tuple[str, str, object]]:
    """Pairs of overlapping reserved/protected forests near some anchor deposits, clear of blocks."""
    keep_clear = shapely.union_all([b.buffer(0.02) for b in blocks])
    rows = []
    for number, anchor in enumerate(anchors[::3], start=1):
        frame = Frame(anchor.lon, anchor.lat)
        ux, uy = unit_vector(float(rng.uniform(0, 360)))
        offset = float(rng.uniform(6_000, 14_000))
        first = affinity.translate(irregular_polygon(rng, float(rng.uniform(10, 50)) * 1e6, roughness=0.25),
                                   ux * offset, uy * offset)
        second = affinity.translate(irregular_polygon(rng, float(rng.uniform(5, 30)) * 1e6, roughness=0.25),
                                    ux * offset + 3_000, uy * offset - 2_000)
        for kind, geom_m in (("reserved", first), ("protected", second)):
            geom = frame.to_deg(geom_m)
            if not geom.intersects(keep_clear):
                rows.append((f"{anchor.district} {kind.capitalize()} Forest {number}", kind, geom))
    return rows


# ---------------------------------------------------------------------------------------------
# Deposits
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Anchor:
    name: str
    state: str
    district: str
    lon: float
    lat: float
    deposit: DepositSpec
    satellites: int = 1


def A(name, state, district, lon, lat, commodity, unfc, stage, tonnage, grade, unit, agency, year,
      remarks="", satellites=1, source="illustrative") -> Anchor:
    return Anchor(name, state, district, lon, lat,
                  DepositSpec(name, commodity, unfc, stage, tonnage, grade, unit, agency, year, remarks, source),
                  satellites)


ANCHORS = (
    # Jharkhand
    A("Mosabani South copper", "Jharkhand", "East Singhbhum", 86.43, 22.47, "Copper", "331", "G1", 22.0, 1.15, "%", "MECL", 2014, satellites=2),
    A("Daltonganj graphite", "Jharkhand", "Palamu", 84.05, 24.05, "Graphite", "332", "G2", 6.5, 11.0, "%", "DGM Jharkhand", 2018, "grade as fixed carbon", 2),
    A("Lohardaga bauxite", "Jharkhand", "Lohardaga", 84.60, 23.45, "Bauxite", "111", "G1", 35.0, 47.0, "%", "DGM Jharkhand", 2010, "grade as Al2O3"),
    A("Noamundi iron ore", "Jharkhand", "West Singhbhum", 85.47, 22.17, "Iron ore", "111", "G1", 180.0, 63.0, "%", "GSI", 2008, "grade as Fe"),
    A("Parasi gold", "Jharkhand", "Ranchi", 85.72, 23.12, "Gold", "332", "G2", 1.2, 2.9, "g/t", "GSI", 2016),
    A("Gawan mica belt lithium", "Jharkhand", "Giridih", 85.95, 24.40, "Lithium", "334", "G4", 1.5, 0.35, "%", "GSI", 2023, "grade as Li2O", 2),
    # Odisha
    A("Kaliapani chromite", "Odisha", "Jajpur", 85.90, 21.10, "Chromite", "331", "G1", 25.0, 48.0, "%", "DGM Odisha", 2011, "grade as Cr2O3"),
    A("Panchpatmali bauxite", "Odisha", "Koraput", 82.98, 18.80, "Bauxite", "111", "G1", 120.0, 46.0, "%", "GSI", 2005, "grade as Al2O3"),
    A("Gandhamardan bauxite", "Odisha", "Bargarh", 82.85, 20.90, "Bauxite", "221", "G1", 40.0, 44.0, "%", "GSI", 2009, "grade as Al2O3"),
    A("Joda-Barbil iron ore", "Odisha", "Keonjhar", 85.40, 22.00, "Iron ore", "121", "G1", 250.0, 62.0, "%", "DGM Odisha", 2012, "grade as Fe", 2),
    A("Chhatrapur beach sand", "Odisha", "Ganjam", 84.98, 19.38, "Titanium;Zirconium;REE", "332", "G2", 60.0, 12.0, "%", "GSI", 2015, "grade as total heavy minerals"),
    A("Titlagarh graphite", "Odisha", "Balangir", 83.20, 20.28, "Graphite", "333", "G3", 1.8, 10.0, "%", "GSI", 2020, "grade as fixed carbon", 2),
    A("Rayagada graphite", "Odisha", "Rayagada", 83.30, 19.05, "Graphite", "E2F2G3", "G3", 0.9, 13.0, "%", "DGM Odisha", 2019, "grade as fixed carbon"),
    A("Betjharan vanadiferous magnetite", "Odisha", "Mayurbhanj", 86.58, 22.08, "Vanadium", "332", "G2", 14.0, 0.7, "%", "GSI", 2013, "grade as V2O5", 2),
    A("Kalahandi graphite", "Odisha", "Kalahandi", 83.25, 20.00, "Graphite", "334", "G4", 0.7, 8.0, "%", "GSI", 2022, "grade as fixed carbon"),
    A("Malkangiri tin", "Odisha", "Malkangiri", 81.95, 18.35, "Tin", "G4", "G4", None, 0.3, "%", "GSI", 2022),
    A("Nuasahi PGE", "Odisha", "Keonjhar", 86.25, 21.20, "PGE", "332", "G2", 4.0, 2.4, "g/t", "GSI", 2012),
    # Chhattisgarh
    A("Bailadila iron ore", "Chhattisgarh", "Dantewada", 81.22, 18.68, "Iron ore", "111", "G1", 300.0, 65.0, "%", "NMDC", 2010, "grade as Fe"),
    A("Govindpal tin", "Chhattisgarh", "Sukma", 81.45, 18.55, "Tin", "333", "G3", 1.2, 0.4, "%", "DGM Chhattisgarh", 2017, satellites=2),
    A("Sonakhan gold", "Chhattisgarh", "Baloda Bazar", 82.62, 21.45, "Gold", "333", "G3", 0.8, 3.4, "g/t", "GSI", 2016),
    A("Behradih kimberlite", "Chhattisgarh", "Gariaband", 82.15, 20.40, "Diamond", "334", "G4", 3.0, None, "", "DGM Chhattisgarh", 2009),
    A("Mainpat bauxite", "Chhattisgarh", "Surguja", 83.25, 22.82, "Bauxite", "122", "G2", 18.0, 45.0, "%", "DGM Chhattisgarh", 2012, "grade as Al2O3"),
    # Karnataka
    A("Hutti gold", "Karnataka", "Raichur", 76.65, 16.20, "Gold", "111", "G1", 6.0, 5.2, "g/t", "DMG Karnataka", 2015),
    A("Kolar gold", "Karnataka", "Kolar", 78.27, 12.95, "Gold", "221", "G1", 4.5, 4.0, "g/t", "MECL", 2014),
    A("Sandur iron ore", "Karnataka", "Ballari", 76.55, 15.05, "Iron ore", "111", "G1", 150.0, 62.0, "%", "DMG Karnataka", 2011, "grade as Fe", 2),
    A("Masanikere vanadium", "Karnataka", "Chikkamagaluru", 75.95, 13.45, "Vanadium", "333", "G3", 8.0, 0.5, "%", "GSI", 2019, "grade as V2O5"),
    A("Allapatna lithium", "Karnataka", "Mandya", 76.65, 12.62, "Lithium", "G4", "G4", None, 0.3, "%", "GSI", 2021, "grade as Li2O"),
    A("Hanumalapura PGE", "Karnataka", "Davanagere", 75.92, 14.35, "PGE", "333", "G3", 3.5, 1.2, "g/t", "GSI", 2017),
    A("Kappatagudda gold", "Karnataka", "Gadag", 75.70, 15.35, "Gold", "334", "G4", 0.5, 2.0, "g/t", "DMG Karnataka", 2020),
    A("Nuggihalli chromite", "Karnataka", "Hassan", 76.48, 13.00, "Chromite", "332", "G2", 2.0, 40.0, "%", "GSI", 2010, "grade as Cr2O3"),
    # Rajasthan
    A("Rampura Agucha zinc-lead", "Rajasthan", "Bhilwara", 74.73, 25.83, "Zinc;Lead", "111", "G1", 60.0, 15.0, "%", "GSI", 2005, "grade as Zn+Pb"),
    A("Khetri copper", "Rajasthan", "Jhunjhunu", 75.78, 28.00, "Copper", "122", "G2", 30.0, 1.1, "%", "MECL", 2012, satellites=2),
    A("Degana tungsten", "Rajasthan", "Nagaur", 74.33, 26.90, "Tungsten", "332", "G2", 4.1, 0.11, "%", "GSI", 2016, "grade as WO3"),
    A("Kamthai REE", "Rajasthan", "Barmer", 72.35, 25.52, "REE", "333", "G3", 4.9, 1.6, "%", "GSI", 2012, "grade as TREO"),
    A("Jhamarkotra rock phosphate", "Rajasthan", "Udaipur", 73.85, 24.45, "Rock phosphate", "111", "G1", 70.0, 15.0, "%", "DMG Rajasthan", 2006, "grade as P2O5"),
    A("Satipura potash", "Rajasthan", "Hanumangarh", 74.35, 29.45, "Potash", "333", "G3", 900.0, 2.7, "%", "MECL", 2018, "grade as K2O", 2),
    A("Bhukia gold", "Rajasthan", "Banswara", 74.40, 23.40, "Gold", "332", "G2", 12.0, 1.8, "g/t", "GSI", 2014),
    A("Sindesar Khurd zinc", "Rajasthan", "Rajsamand", 74.20, 24.85, "Zinc;Lead", "E1F1G1", "G1", 25.0, 7.0, "%", "MECL", 2017, "grade as Zn+Pb"),
    # Andhra Pradesh
    A("Srikakulam beach sand", "Andhra Pradesh", "Srikakulam", 84.05, 18.35, "Titanium;Zirconium;REE", "331", "G1", 80.0, 10.0, "%", "GSI", 2013, "grade as total heavy minerals"),
    A("Mangampet baryte", "Andhra Pradesh", "Kadapa", 79.23, 14.03, "Baryte", "111", "G1", 70.0, 92.0, "%", "DMG Andhra Pradesh", 2008, "grade as BaSO4"),
    A("Sydapuram tantalum", "Andhra Pradesh", "Nellore", 79.45, 14.18, "Tantalum;Niobium", "334", "G4", 0.2, 250.0, "ppm", "GSI", 2019, "grade as Ta2O5", 2),
    A("Lattavaram kimberlite", "Andhra Pradesh", "Anantapur", 77.28, 14.93, "Diamond", "333", "G3", 1.5, None, "", "GSI", 2011),
    A("Palnadu copper prospect", "Andhra Pradesh", "Guntur", 79.40, 16.30, "Copper", "333", "G3", 2.0, 0.9, "%", "GSI", 2018),
    # Jammu & Kashmir
    A("Salal East lithium", "Jammu & Kashmir", "Reasi", 74.88, 33.17, "Lithium", "G3", "G3", None, None, "ppm", "GSI", 2024,
      "G3 project, field season 2024-25 (MENAFN 18 Dec 2024)", 0, "MENAFN 18 Dec 2024 (project and stage); location illustrative"),
    A("Panasa lithium", "Jammu & Kashmir", "Reasi", 74.72, 33.09, "Lithium", "G3", "G3", None, None, "ppm", "GSI", 2024,
      "G3 project, field season 2024-25 (MENAFN 18 Dec 2024)", 0, "MENAFN 18 Dec 2024 (project and stage); location illustrative"),
    A("Reasi bauxite", "Jammu & Kashmir", "Reasi", 74.75, 33.20, "Bauxite", "333", "G3", 3.0, 52.0, "%", "GSI", 2021, "grade as Al2O3", 2),
    # Tamil Nadu
    A("Sivaganga graphite", "Tamil Nadu", "Sivaganga", 78.55, 9.85, "Graphite", "332", "G2", 3.0, 11.0, "%", "DGM Tamil Nadu", 2012, "grade as fixed carbon", 2),
    A("Manavalakurichi beach sand", "Tamil Nadu", "Kanyakumari", 77.33, 8.16, "Titanium;Zirconium;REE", "122", "G2", 25.0, 14.0, "%", "GSI", 2010, "grade as total heavy minerals"),
    A("Harur molybdenum", "Tamil Nadu", "Dharmapuri", 78.48, 12.05, "Molybdenum", "334", "G4", 5.0, 0.04, "%", "GSI", 2018),
    A("Kurunjakulam graphite", "Tamil Nadu", "Tenkasi", 77.55, 9.05, "Graphite", "333", "G3", 1.1, 9.5, "%", "GSI", 2021, "grade as fixed carbon",
      1, "name, mineral: Business Standard 28 Jul 2024 (CL, tranche 3 annulled); district and location illustrative"),
    # Gujarat
    A("Ambadongar REE", "Gujarat", "Chhota Udaipur", 74.03, 22.00, "REE", "333", "G3", 7.0, 1.8, "%", "GSI", 2020, "grade as TREO", 2),
    A("Ambaji zinc-lead-copper", "Gujarat", "Banaskantha", 72.85, 24.33, "Zinc;Lead;Copper", "332", "G2", 9.0, 6.0, "%", "GSI", 2011, "grade as Zn+Pb+Cu"),
    A("Kutch bauxite", "Gujarat", "Kachchh", 69.20, 23.40, "Bauxite", "122", "G2", 15.0, 46.0, "%", "GSI", 2009, "grade as Al2O3"),
    # Maharashtra
    A("Agargaon tungsten", "Maharashtra", "Nagpur", 79.40, 21.03, "Tungsten", "334", "G4", 2.0, 0.08, "%", "GSI", 2020, "grade as WO3"),
    A("Surjagarh iron ore", "Maharashtra", "Gadchiroli", 80.15, 19.55, "Iron ore", "122", "G2", 90.0, 60.0, "%", "GSI", 2012, "grade as Fe", 2),
    A("Manser manganese", "Maharashtra", "Nagpur", 79.25, 21.40, "Manganese", "111", "G1", 8.0, 35.0, "%", "MECL", 2010),
    A("Kolhapur bauxite", "Maharashtra", "Kolhapur", 74.00, 16.70, "Bauxite", "222", "G2", 6.0, 44.0, "%", "GSI", 2011, "grade as Al2O3"),
)

# A satellite of a high-grade anchor (baryte at 92 % BaSO4) must not exceed a physical grade.
MAX_GRADE_PERCENT = 98.0
SATELLITE_SUFFIXES = ("North", "South", "East", "West", "Extension", "Central", "North-East", "South-West")
# Stage of a satellite and the UNFC notation written for it (India's UNFC-1997 codes mostly, some
# UNFC-2009 letters and bare stages, as real inventories mix them).
SATELLITE_CODES = {
    "G1": ("331", "331", "331", "111", "121", "211", "221", "E1F1G1"),
    "G2": ("332", "332", "332", "122", "222", "E2F2G2"),
    "G3": ("333", "333", "333", "E2F2G3", "E3F2G3"),
    "G4": ("334", "334", "G4", "E3F3G4"),
}
STAGE_PROBABILITIES = (("G1", 0.2), ("G2", 0.3), ("G3", 0.3), ("G4", 0.2))


def satellite(anchor: Anchor, index: int, rng: np.random.Generator) -> tuple[DepositSpec, float, float]:
    """A smaller deposit 3-20 km from an anchor, same commodity, drawn stage and notation."""
    stages = [s for s, _ in STAGE_PROBABILITIES]
    stage = str(rng.choice(stages, p=[p for _, p in STAGE_PROBABILITIES]))
    codes = SATELLITE_CODES[stage]
    unfc = str(codes[int(rng.integers(len(codes)))])
    base = anchor.deposit
    tonnage = None
    if unfc != "G4" and base.tonnage_mt is not None:
        tonnage = round(base.tonnage_mt * float(rng.uniform(0.05, 0.6)), 3)
    grade = None if base.grade is None else round(base.grade * float(rng.uniform(0.7, 1.2)), 3)
    if grade is not None and base.grade_unit == "%":
        grade = min(grade, MAX_GRADE_PERCENT)
    ux, uy = unit_vector(float(rng.uniform(0, 360)))
    distance = float(rng.uniform(3_000, 20_000))
    point = Frame(anchor.lon, anchor.lat).to_deg(Point(ux * distance, uy * distance))
    suffix = SATELLITE_SUFFIXES[(index + int(rng.integers(len(SATELLITE_SUFFIXES)))) % len(SATELLITE_SUFFIXES)]
    spec = DepositSpec(f"{anchor.name} {suffix}", base.commodity, unfc, stage, tonnage, grade, base.grade_unit,
                       base.agency, int(rng.integers(2008, 2025)), base.remarks)
    return spec, point.x, point.y


def deposit_row(spec: DepositSpec, state: str, district: str, point: Point) -> dict:
    return {
        "name": spec.name, "state": state, "district": district, "commodity": spec.commodity,
        "unfc": spec.unfc, "stage": spec.stage,
        "tonnage_mt": np.nan if spec.tonnage_mt is None else spec.tonnage_mt,
        "grade": np.nan if spec.grade is None else spec.grade, "grade_unit": spec.grade_unit,
        "agency": spec.agency, "year": spec.year, "remarks": spec.remarks, "source": spec.source,
        "illustrative": ILLUSTRATIVE, "geometry": point,
    }


def point_inside(block, rng: np.random.Generator, clearance_m: float = 150.0) -> Point:
    """A random point inside the block at least ``clearance_m`` from its outline."""
    frame = frame_of(block)
    inner = frame.to_m(block).buffer(-clearance_m)
    minx, miny, maxx, maxy = inner.bounds
    while True:
        candidate = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if inner.contains(candidate):
            return frame.to_deg(candidate)


def block_deposits(spec: BlockSpec, block, index: StateIndex, rng: np.random.Generator) -> list[dict]:
    rows = []
    for dep in spec.deposits:
        point = Point(block.exterior.coords[0]) if dep.on_boundary else point_inside(block, rng)
        state = spec.state if spec.state_ok else index.state_of(point)
        rows.append(deposit_row(dep, state, spec.district, point))
    return rows


def anchor_deposits(index: StateIndex, blocks: list, rng: np.random.Generator) -> list[dict]:
    """Anchor deposits and their satellites; satellites that leave the state or come near a block are dropped."""
    near_blocks = shapely.union_all([b.buffer(0.01) for b in blocks])
    rows = []
    for anchor in ANCHORS:
        point = Point(anchor.lon, anchor.lat)
        found = index.state_of(point)
        if found != anchor.state or point.intersects(near_blocks):
            raise ValueError(f"anchor deposit {anchor.name!r} at {anchor.lon}, {anchor.lat} is in {found!r} "
                             f"(listed {anchor.state!r}) or within ~1 km of a block")
        rows.append(deposit_row(anchor.deposit, anchor.state, anchor.district, point))
        for number in range(anchor.satellites):
            spec, lon, lat = satellite(anchor, number, rng)
            sat = Point(lon, lat)
            if index.state_of(sat) == anchor.state and not sat.intersects(near_blocks):
                rows.append(deposit_row(spec, anchor.state, anchor.district, sat))
    return rows


# ---------------------------------------------------------------------------------------------
# Design measurements: what each block really is, checked against its design
# ---------------------------------------------------------------------------------------------
@dataclass
class Measured:
    area_ha: float
    forest_ha: float
    forest_sum_ha: float  # sum of individual forest overlaps (double counting where they overlap)
    pa_km: float
    pa_name: str
    in_esz: bool
    protected: str
    state_margin_m: float


def measure_block(block, spec: BlockSpec, pas: gpd.GeoDataFrame, forest: gpd.GeoDataFrame,
                  index: StateIndex) -> Measured:
    frame = frame_of(block)
    block_m = frame.to_m(block)
    near = forest[forest.intersects(block)]
    pieces = [frame.to_m(g).intersection(block_m) for g in near.geometry]
    forest_ha = shapely.union_all(pieces).area / 1e4 if pieces else 0.0
    forest_sum_ha = sum(p.area for p in pieces) / 1e4
    parks = pas[pas["pa_type"] != "eco-sensitive zone"]
    distances = [frame.to_m(g).distance(block_m) / 1000.0 for g in parks.geometry]
    nearest = int(np.argmin(distances))
    esz = pas[pas["pa_type"] == "eco-sensitive zone"]
    in_esz = bool(esz.intersects(block).any())
    pa_km = distances[nearest]
    park = parks.iloc[nearest]
    return Measured(block_m.area / 1e4, forest_ha, forest_sum_ha, pa_km, park["name"], in_esz,
                    protected_class(pa_km, in_esz, park), index.inside_margin_m(block, spec.state))


def protected_class(pa_km: float, in_esz: bool, park) -> str:
    if pa_km == 0.0:
        return "inside"
    if in_esz:
        return "esz"
    if pa_km <= 1.0:
        if park["esz_notified"] == "yes":
            return "esz_carveout"
        return "interstate_carveout" if park["interstate"] == "yes" else "within_1km"
    return "nbwl" if pa_km <= 10.0 else "clear"


def check_design(spec: BlockSpec, m: Measured) -> list[str]:
    """Every way the measured block contradicts its design, in words."""
    problems = []
    if m.protected != spec.protected:
        problems.append(f"protected: designed {spec.protected}, measured {m.protected} ({m.pa_km:.2f} km to {m.pa_name})")
    designed_forest = bool(spec.forest)
    if designed_forest != (m.forest_ha > 0):
        problems.append(f"forest: designed {spec.forest or 'none'}, measured {m.forest_ha:.2f} ha")
    if spec.state_ok and m.state_margin_m < STATE_MARGIN_M:
        problems.append(f"state: only {m.state_margin_m:.0f} m inside {spec.state}")
    if not spec.state_ok and m.state_margin_m > -WRONG_STATE_MARGIN_M:
        problems.append(f"state: designed outside {spec.state}, measured margin {m.state_margin_m:.0f} m")
    if spec.forest and spec.forest[0] == "ha" and abs(m.forest_ha - spec.forest[1]) > 0.01 * spec.forest[1]:
        problems.append(f"forest: designed {spec.forest[1]} ha, measured {m.forest_ha:.2f} ha")
    return problems


def expected_gates(spec: BlockSpec, m: Measured) -> dict:
    """The gates and conditions the design intends under the rules in force today (DOMAIN.md A4, A5;
    rules.toml): since 13 Nov 2025 no ESZ or inter-state carve-out spares a block within 1 km."""
    stage_gate = expected_stage_gate(spec)
    protected_gate = "fail" if m.protected in ("inside", "within_1km", "esz", "esz_carveout", "interstate_carveout") else "pass"
    state_gate = "pass" if spec.state_ok else "fail"
    conditions = []
    if m.forest_ha > 0:
        conditions.append("forest")
    if protected_gate == "pass" and m.pa_km <= 10.0:
        conditions.append("NBWL")
    if stage_gate == "unknown":
        conditions.append("stage unknown")
    gates = (stage_gate, protected_gate, state_gate)
    if "fail" in gates:
        readiness = "Not ready"
    elif conditions:
        readiness = "Ready with conditions"
    else:
        readiness = "Ready"
    return {"gate_stage": stage_gate, "gate_protected": protected_gate, "gate_state": state_gate,
            "conditions": conditions, "readiness": readiness}


def expected_stage_gate(spec: BlockSpec) -> str:
    if spec.licence == "EL":
        minerals = {c.strip().lower() for c in spec.commodity.split(";")}
        return "pass" if minerals & SEVENTH_SCHEDULE else "fail"
    if not spec.stage:
        return "pass" if spec.licence == "CL" and spec.potentiality == "yes" else "unknown"
    if spec.licence == "ML":
        return "pass" if spec.stage in ("G1", "G2") else "fail"
    return "pass"  # CL: G4 or better since June 2021


def design_note(spec: BlockSpec, expect: dict) -> str:
    conditions = ", ".join(expect["conditions"]) or "none"
    return (f"expected: stage {expect['gate_stage']}, protected {expect['gate_protected']}, "
            f"state {expect['gate_state']}, conditions {conditions} -> {expect['readiness']}. {cited(spec.why)}")


# A bracketed list of rule ids in a block's design text: "(W4)", "(W1, W2)".
_RULE_IDS = re.compile(r"\(([A-Z][A-Za-z0-9-]*(?:, [A-Z][A-Za-z0-9-]*)*)\)")


@functools.cache
def _citations() -> dict:
    return load_rules().citations


def cited(text: str) -> str:
    """``text`` with each bracketed list of rule ids replaced by the laws' short names, as the
    shipped rules' [citations] give them ("(W1)" → "(Supreme Court of India, order of 26 Apr 2023
    (T.N. Godavarman Thirumulpad v. Union of India))"): the sample's notes name the law, not the
    rules file's keys. Brackets holding anything else are kept."""
    def names(match: re.Match) -> str:
        ids = [part.strip() for part in match.group(1).split(",")]
        if not all(rule_id in _citations() for rule_id in ids):
            return match.group(0)
        return "(" + "; ".join(_citations()[rule_id].short_name for rule_id in ids) + ")"
    return _RULE_IDS.sub(names, text)


# ---------------------------------------------------------------------------------------------
# Magnetic anomaly raster
# ---------------------------------------------------------------------------------------------
MAGNETIC = {"nickel": 650.0, "pge": 800.0, "vanadium": 900.0, "iron ore": 700.0, "chromite": 450.0,
            "copper": 300.0, "cobalt": 400.0}


def magnetic_amplitude(commodity: str) -> float:
    return max((MAGNETIC.get(c.strip().lower(), 0.0) for c in commodity.split(";")), default=0.0)


def build_raster(state_geom, deposits: gpd.GeoDataFrame, rng: np.random.Generator):
    """Illustrative total-magnetic-intensity anomaly (nT) over one state; highs on magnetic deposits."""
    west, south, east, north = state_geom.bounds
    west, south = math.floor(west / RASTER_PIXEL_DEG) * RASTER_PIXEL_DEG, math.floor(south / RASTER_PIXEL_DEG) * RASTER_PIXEL_DEG
    east, north = math.ceil(east / RASTER_PIXEL_DEG) * RASTER_PIXEL_DEG, math.ceil(north / RASTER_PIXEL_DEG) * RASTER_PIXEL_DEG
    width = int(round((east - west) / RASTER_PIXEL_DEG))
    height = int(round((north - south) / RASTER_PIXEL_DEG))
    transform = from_origin(west, north, RASTER_PIXEL_DEG, RASTER_PIXEL_DEG)
    lon = west + (np.arange(width) + 0.5) * RASTER_PIXEL_DEG
    lat = north - (np.arange(height) + 0.5) * RASTER_PIXEL_DEG
    lon2, lat2 = np.meshgrid(lon, lat)
    field = 40.0 * np.sin(2 * np.pi * (lon2 - 81.0) / 6.0) + 25.0 * np.cos(2 * np.pi * (lat2 - 17.0) / 4.5)
    for _ in range(40):  # regional background bodies
        cx, cy = rng.uniform(west, east), rng.uniform(south, north)
        field += gaussian(lon2, lat2, cx, cy, rng.uniform(-150, 150), rng.uniform(8, 30))
    inside = deposits[deposits.within(state_geom)]
    for commodity, geom in zip(inside["commodity"], inside.geometry):
        amplitude = magnetic_amplitude(commodity)
        if amplitude:
            sigma = rng.uniform(2.5, 6.0)
            field += gaussian(lon2, lat2, geom.x, geom.y, amplitude, sigma)
            field += gaussian(lon2, lat2, geom.x, geom.y + sigma * 1.4 / 110.6, -0.35 * amplitude, sigma)
    field = np.round(field, 1).astype("float32")
    outside = geometry_mask([state_geom], out_shape=(height, width), transform=transform, invert=False)
    field[outside] = RASTER_NODATA
    return field, transform


def gaussian(lon2, lat2, cx, cy, amplitude, sigma_km):
    dx = (lon2 - cx) * 111.32 * math.cos(math.radians(cy))
    dy = (lat2 - cy) * 110.57
    return amplitude * np.exp(-(dx * dx + dy * dy) / (2 * sigma_km * sigma_km))


def write_raster(path: Path, field: np.ndarray, transform) -> None:
    profile = {
        "driver": "GTiff", "width": field.shape[1], "height": field.shape[0], "count": 1, "dtype": "float32",
        "crs": "EPSG:4326", "transform": transform, "nodata": RASTER_NODATA, "tiled": True,
        "blockxsize": 256, "blockysize": 256, "compress": "deflate", "predictor": 3, "zlevel": 9,
    }
    with rasterio.Env(COMPRESS_OVERVIEW="DEFLATE", PREDICTOR_OVERVIEW="3", GDAL_TIFF_OVR_BLOCKSIZE="256"):
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(field, 1)
            dst.update_tags(ILLUSTRATIVE=ILLUSTRATIVE, UNITS="nT",
                            DESCRIPTION=f"Total-magnetic-intensity anomaly over {RASTER_STATE}, "
                                        f"{ILLUSTRATIVE}: synthetic, seed {SEED}")
            dst.set_band_description(1, f"TMI anomaly (nT), {ILLUSTRATIVE}")
            dst.update_tags(1, units="nT")
        with rasterio.open(path, "r+") as dst:
            dst.build_overviews([2, 4, 8, 16], Resampling.average)
            dst.update_tags(ns="rio_overview", resampling="average")


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
LAYER_TEXT = {
    "states": "State and union-territory boundaries of India (datta07/INDIAN-SHAPEFILES, MIT), simplified",
    "deposits": "Mineral deposits with UNFC stage, tonnage and grade (synthetic around real localities)",
    "blocks": "Candidate auction blocks with intended licence (synthetic outlines; some names and facts public)",
    "forest": "Forest land polygons (synthetic)",
    "protected_areas": "National parks, wildlife sanctuaries and notified eco-sensitive zones (real names, synthetic boundaries)",
    "railway_stations": "Indian Railways stations (datameet/railways, CC0)",
}


def write_gpkg(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """One single-layer GeoPackage, its description and metadata saying it is illustrative."""
    if path.exists():
        path.unlink()
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": BUILD_DATE})
    try:
        pyogrio.write_dataframe(
            frame, path, layer=layer, driver="GPKG",
            layer_options={"DESCRIPTION": f"{ILLUSTRATIVE}. {LAYER_TEXT[layer]}. Khanij sample atlas.",
                           "IDENTIFIER": f"{layer} ({ILLUSTRATIVE})"},
            layer_metadata={"illustrative": ILLUSTRATIVE, "builder": "layers/sample_atlas/build_sample_atlas.py",
                            "seed": str(SEED)},
        )
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def build(outdir: Path | str = HERE) -> list[Path]:
    """Build every atlas file into ``outdir`` and return their paths (README last)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    states = build_states()
    index = StateIndex(states)
    stations = build_stations(index)
    placed_pas, protected = build_protected(rng)

    block_geoms = [place_block(spec, block_shape_m(spec, rng), placed_pas) for spec in BLOCKS]
    forest_rows = pa_forests(placed_pas)
    for spec, geom in zip(BLOCKS, block_geoms):
        if spec.forest and spec.forest[0] != "pa":
            forest_rows += designed_forest(spec, geom, rng)
    forest_rows += scattered_forests(list(ANCHORS), block_geoms, rng)
    forest = gpd.GeoDataFrame(
        [{"name": n, "forest_type": t, "illustrative": ILLUSTRATIVE, "geometry": g} for n, t, g in forest_rows],
        geometry="geometry", crs="EPSG:4326")

    measured = [measure_block(g, s, protected, forest, index) for s, g in zip(BLOCKS, block_geoms)]
    problems = [f"{s.block_id}: {p}" for s, m in zip(BLOCKS, measured) for p in check_design(s, m)]
    if problems:
        raise ValueError("sample atlas design not met:\n  " + "\n  ".join(problems))
    expectations = [expected_gates(s, m) for s, m in zip(BLOCKS, measured)]
    blocks = blocks_layer(block_geoms, expectations)

    deposit_rows = [row for s, g in zip(BLOCKS, block_geoms) for row in block_deposits(s, g, index, rng)]
    deposit_rows += anchor_deposits(index, block_geoms, rng)
    deposits = gpd.GeoDataFrame(deposit_rows, geometry="geometry", crs="EPSG:4326")
    deposits["year"] = deposits["year"].astype("int64")

    field, transform = build_raster(index.by_name[RASTER_STATE], deposits, rng)

    written = []
    for layer, role, frame in (("states", "boundaries", states), ("deposits", "deposits", deposits),
                               ("blocks", "blocks", blocks), ("forest", "forest", forest),
                               ("protected_areas", "protected_areas", protected),
                               ("railway_stations", "infrastructure", stations)):
        path = outdir / FILES[role]
        write_gpkg(frame, path, layer)
        written.append(path)
    raster_path = outdir / FILES["evidence"]
    write_raster(raster_path, field, transform)
    written.append(raster_path)
    readme = outdir / "README.md"
    readme.write_text(render_readme(states, deposits, blocks, forest, protected, stations, field, measured,
                                    expectations), encoding="utf-8")
    written.append(readme)
    return written


def blocks_layer(geoms: list, expectations: list[dict]) -> gpd.GeoDataFrame:
    rows = []
    for spec, geom, expect in zip(BLOCKS, geoms, expectations):
        rows.append({
            "block_id": spec.block_id, "block_name": spec.block_name, "state": spec.state,
            "district": spec.district, "commodity": spec.commodity, "licence": spec.licence,
            "unfc": spec.unfc, "stage": spec.stage, "potentiality": spec.potentiality, "tranche": spec.tranche,
            "source": spec.source, "design_note": design_note(spec, expect), "illustrative": ILLUSTRATIVE,
            "geometry": geom,
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


# ---------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------
MIT_NOTICE = SOURCES / "datta07-INDIAN-SHAPEFILES" / "LICENSE"

README_HEAD = """# Khanij sample atlas — ILLUSTRATIVE

**Every layer here is an {illustrative}.** Only the state boundaries and the railway stations come
from real published data; deposits, blocks, forest, protected-area boundaries and the magnetic
grid are synthetic, drawn by `build_sample_atlas.py` (seed {seed}) around real localities and the
public facts listed below. Locations are illustrative locations: approximate district centroids
chosen by hand, not surveyed positions. Do not use any of it for a decision.

Every layer carries an `illustrative` column with the text "{illustrative}", and each GeoPackage's
layer description and metadata say the same; the GeoTIFF carries an `ILLUSTRATIVE` tag.

Rebuild (deterministic, byte-identical), from the repository's root: `.venv/bin/python -m layers.sample_atlas.build_sample_atlas [OUTDIR]`.
Export a copy: `khanij sample-atlas OUTDIR`. This README is written by the same script.

## Layers

| file | role | what | features | columns |
|---|---|---|---|---|
{layer_rows}

The raster: {raster_text}

## Sources and licences

| used for | origin repository @ commit | origin path | licence | attribution |
|---|---|---|---|---|
| `states.gpkg` | `datta07/INDIAN-SHAPEFILES` @ `1ebf2076e8b43eb51739a847c2911127a70f3b59` (2025-12-28) | `INDIA/INDIA_STATES.geojson` | MIT (2022) | INDIAN-SHAPEFILES by datta07, https://github.com/datta07/INDIAN-SHAPEFILES, MIT License |
| `railway_stations.gpkg` | `datameet/railways` @ `e0c538a1e41ae5eace454d2818902e1065608e16` (2016-08-08) | `stations.json` | CC0 | Indian Railways stations, datameet/railways (Sanjay Bhangar, Sajjad Anwar), CC0 |

The committed copies (byte for byte, with their licence notes and sha256) are in `sources/`.
`states.gpkg`: coverage-simplified (`shapely.coverage_simplify`, tolerance {tolerance}°, shared
borders stay shared), columns `STNAME` → `state` (title case) and `State_LGD` → `state_lgd`. The
outline follows the Government of India depiction but is a community compilation, not a certified
boundary. `railway_stations.gpkg`: null geometries and placeholder codes (`XX-…`, `YY-…`, digits)
dropped, duplicates of a code dropped, stations kept in {atlas_states}; `state` is the state of the
simplified layer the point falls in (half of the source rows have no state), `zone` as published
("?" left empty).

The MIT licence of the state boundaries, reproduced as its terms require:

```
{mit}
```

## Public facts used (DOMAIN.md Part B §6)

| block / deposit | fact | source |
|---|---|---|
| Salal-Haimana (Reasi, J&K) | CL; G3; 5.9 Mt lithium ore, inferred, 583 ppm Li, cut-off 200 ppm, in bauxite; forest and private land; tranche 1 < 3 bids, re-offered in tranche 3, annulled; area 3 km² (2 km² in an earlier report) | Devdiscourse/PIB 26 Jul 2023; Early Times (Lok Sabha answer); Tribune 13 Mar 2023; Hindustan Times 25 Feb and 16 Apr 2023; Business Standard 28 Jul 2024 |
| Salal East, Panasa (Reasi) | G3 lithium projects, field season 2024-25 | MENAFN 18 Dec 2024 |
| Katghora (Korba, Chhattisgarh) | lithium, REE; CL; G4; 256.12 ha incl. 84.86 ha forest; Li 82.606–155 ppm in samples; auctioned to Maiki South Mining at 76.05 % premium | Hindu BusinessLine 29 Nov 2023; Business Standard 21 May 2024; Rediff 24 Jun 2024 |
| Babja, Biarpalli (Odisha) | graphite and manganese; ML; tranche 1 | BigMint |
| Dudhiasol East (Odisha) | nickel, copper; ML; tranche 1 | BigMint |
| Marudipatti (Central) (Tamil Nadu) | molybdenum; ML; tranche 1; no bids | BigMint; BusinessLine 13 May 2024 |
| Muskaniya-Gareriatola-Barwari (Jharkhand) | potash; CL; tranche 3 annulled | Business Standard 28 Jul 2024 |
| Kurunjakulam (Tamil Nadu) | graphite; CL; tranche 3 annulled | Business Standard 28 Jul 2024 |
| Katesar-Guneri (Gujarat), Kelenda (Chhattisgarh) | glauconite; tranche 5 annulled (no bids) | Business Standard 29 Aug 2025 |
| Holalkere-Doddaghatta (Karnataka) | nickel, PGE; tranche 5 annulled (no bids) | Business Standard 29 Aug 2025 |
| Khobna & Agargaon cluster (Maharashtra), Mincheri (Karnataka) | tungsten; REE; tranche 5 annulled (< 3 qualified bidders) | Business Standard 29 Aug 2025 |
| Basna-2, Chanat-Jogidadar, Tumrisur-Garda 2 (Chhattisgarh) | diamond 2500 ha (Mahasamund); gold 176 ha (Mahasamund); gold 240 ha (Kanker) | Chhattisgarh NIT, July 2023 (bharatiyadigitalnews.in) |
| Naringpanga (Rayagada, Odisha) | graphite, 0.142 Mt geological reserve | New Indian Express, 28 Nov 2021 |

Everything else — the other names' stages, every tonnage and grade not listed above, every
outline, every position, the protected-area boundaries and ESZ flags, forest, the magnetic grid —
is illustrative. Districts of Kelenda, Kurunjakulam and Marudipatti were not found in the sources;
the ones given are illustrative. Protected areas carry real names near the blocks, but their
boundaries, the `esz_notified` and `interstate` flags are invented for the demonstration.

## Block design: which block exercises which gate

Expected outcomes follow DOMAIN.md A4–A5 and `assessment/rules.toml` (ML needs G2; CL needs G4 or
identified potentiality since June 2021; EL needs a Seventh Schedule mineral; no NP/WS inside or
within 1 km unless an ESZ is notified or the PA is on an inter-state border; no notified ESZ
inside; the block inside its listed state; forest → condition; NP/WS within 10 km → NBWL
condition; an unknown gate → condition). The measured columns come from the shipped geometry
(geodesic, in local azimuthal-equidistant frames); the builder stops if any contradicts the design.
The same expectation is written in each block's `design_note` column.

| block_id | name | licence | stage | area ha | forest ha (union / sum) | nearest NP/WS km | stage gate | protected gate | state gate | conditions | readiness | why |
|---|---|---|---|---:|---:|---:|---|---|---|---|---|---|
{design_rows}
"""


def render_readme(states, deposits, blocks, forest, protected, stations, field, measured, expectations) -> str:
    layer_rows = "\n".join([
        layer_row("states.gpkg", "boundaries", LAYER_TEXT["states"], states),
        layer_row("deposits.gpkg", "deposits", LAYER_TEXT["deposits"], deposits),
        layer_row("blocks.gpkg", "blocks", LAYER_TEXT["blocks"], blocks),
        layer_row("forest.gpkg", "forest", LAYER_TEXT["forest"], forest),
        layer_row("protected_areas.gpkg", "protected_areas", LAYER_TEXT["protected_areas"], protected),
        layer_row("railway_stations.gpkg", "infrastructure", LAYER_TEXT["railway_stations"], stations),
    ])
    valid = field[field != RASTER_NODATA]
    raster_text = (f"`magnetic_anomaly.tif` (role evidence): synthetic total-magnetic-intensity anomaly over "
                   f"{RASTER_STATE}, nT, float32, EPSG:4326, {RASTER_PIXEL_DEG}° pixels, {field.shape[1]} × "
                   f"{field.shape[0]}, nodata {RASTER_NODATA:g} outside the state, deflate, overviews 2/4/8/16; "
                   f"values {valid.min():.1f} to {valid.max():.1f} nT. Highs (with a weaker low to the north) are "
                   f"centred on the magnetic deposits in the state (nickel, PGE, vanadium, iron ore, chromite, "
                   f"copper, cobalt), so OD-EL-01, OD-ML-03 and OD-CL-02 sit on anomalies and OD-ML-01/-02/-04 do not.")
    design_rows = "\n".join(design_row(s, m, e) for s, m, e in zip(BLOCKS, measured, expectations))
    return README_HEAD.format(
        illustrative=ILLUSTRATIVE, seed=SEED, layer_rows=layer_rows, raster_text=raster_text,
        tolerance=SIMPLIFY_TOLERANCE_DEG, atlas_states=", ".join(ATLAS_STATES),
        mit=MIT_NOTICE.read_text(encoding="utf-8").strip(), design_rows=design_rows,
    )


def layer_row(name: str, role: str, text: str, frame: gpd.GeoDataFrame) -> str:
    columns = ", ".join(f"`{c}`" for c in frame.columns if c != "geometry")
    return f"| `{name}` | {role} | {text} | {len(frame)} | {columns} |"


def design_row(spec: BlockSpec, m: Measured, e: dict) -> str:
    forest = f"{m.forest_ha:.2f} / {m.forest_sum_ha:.2f}" if m.forest_ha else "0"
    stage = spec.stage or ("— (potentiality)" if spec.potentiality else "—")
    return (f"| {spec.block_id} | {spec.block_name} | {spec.licence} | {stage} | {m.area_ha:.2f} | {forest} | "
            f"{m.pa_km:.2f} ({m.pa_name}) | {e['gate_stage']} | {e['gate_protected']} | {e['gate_state']} | "
            f"{', '.join(e['conditions']) or '—'} | {e['readiness']} | {cited(spec.why)} |")


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    outdir = Path(args[0]) if args else HERE
    for path in build(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
