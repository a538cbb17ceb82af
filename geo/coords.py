"""Coordinates as people write them: degrees-minutes-seconds text, decimal degrees and UTM.

One parsing core (:func:`parse_dms`) serves single values and whole columns
(:func:`parse_dms_array`, used by the CSV/XLSX reader). It reads the usual written forms

- ``23°21'15.6"N``, ``23 21 15.6 N``, ``23-21-15.6N``, ``85:18:36E``
- ``N 23° 21.26'``, ``23°21.26'N``, ``23d21m15.6s N``, ``23 deg 21 min 15.6 sec N``
- ``23.3543``, ``-23.3543``, ``+85.31 E``

with typographic primes (``′ ″``, ``’ ”``), the ordinal ``º`` or ring ``˚`` for degrees, ``''``
for seconds, lower-case hemisphere letters and spaces anywhere. Only the last number may carry
decimals. In the letter-unit form (``d``/``m``/``s``) an ``s`` written straight after the seconds
number is the seconds unit and a separate ``S`` is the southern hemisphere; a lower-case ``s`` set
apart after the last number (``23d 21m 15.6 s``) could be either and is refused.

UTM zones are the plain 6° zones of EPSG:326xx/327xx (zone = floor((lon + 180) / 6) + 1, no
Norway/Svalbard exceptions). India spans zones **42N to 47N**: Kutch and Saurashtra west of 72°E
are in 42N (Rajkot, Jaisalmer), Jaipur, Delhi and Mumbai in 43N, Nagpur in 44N, Ranchi and Kolkata
in 45N, Guwahati and the Andamans in 46N, and eastern Arunachal Pradesh east of 96°E in 47N.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Iterable

import numpy as np

from geo.errors import CoordinateError

_TYPOGRAPHY = str.maketrans({
    "′": "'", "’": "'", "‘": "'", "´": "'", "`": "'",
    "″": '"', "”": '"', "“": '"',
    "º": "°", "˚": "°",
    "−": "-", "–": "-", "—": "-",
})

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<word>[A-Za-z]+)
  | (?P<mark>[°'"])
  | (?P<sign>[+-])
  | (?P<colon>:)
""", re.VERBOSE)

_FIELD_NAMES = ("degrees", "minutes", "seconds")
_MARKS = {"°": 0, "'": 1, '"': 2}
_UNIT_WORDS = {
    **dict.fromkeys(("d", "deg", "degs", "degree", "degrees"), 0),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 1),
    **dict.fromkeys(("sec", "secs", "second", "seconds"), 2),
}
_HEMISPHERE_WORDS = {"n": "N", "north": "N", "s": "S", "south": "S",
                     "e": "E", "east": "E", "w": "W", "west": "W"}
_PLAIN_DECIMAL = r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*"


class _Unreadable(Exception):
    """Why a coordinate text cannot be read (the reason only; callers add the quoted text)."""


def _message(text, reason: str) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        text = ""
    return f"'{text}' cannot be read as a coordinate: {reason}"


def _tokens(text: str) -> list[tuple[str, str, bool]]:
    """Significant tokens as (kind, text, spaced_before); words are classified here."""
    normalised = text.translate(_TYPOGRAPHY).replace("''", '"')
    tokens, position, spaced = [], 0, False
    letter_units = any(w.lower() in _UNIT_WORDS for w in re.findall(r"[A-Za-z]+", normalised))
    while position < len(normalised):
        match = _TOKEN.match(normalised, position)
        if match is None:
            raise _Unreadable(f"unexpected character '{normalised[position]}'")
        position = match.end()
        kind, value = match.lastgroup, match.group()
        if kind == "space":
            spaced = True
            continue
        if kind == "word":
            kind = _classify_word(value, letter_units, tokens, spaced)
        tokens.append((kind, value, spaced))
        spaced = False
    return tokens


def _classify_word(word: str, letter_units: bool, previous: list, spaced: bool) -> str:
    lower = word.lower()
    after_number = bool(previous) and previous[-1][0] == "number" and not spaced
    if lower == "s" and letter_units and after_number:
        return "unit2"
    if word == "s" and letter_units and previous and previous[-1][0] == "number":
        raise _Unreadable(f"'s' after {previous[-1][1]} could mean seconds or south; "
                          f"write {previous[-1][1]}s for seconds or a capital S for south")
    if lower in _UNIT_WORDS:
        return f"unit{_UNIT_WORDS[lower]}"
    if lower in _HEMISPHERE_WORDS:
        return "hemisphere"
    raise _Unreadable(f"unexpected '{word}'")


def _structure(tokens) -> tuple[str, str, list[list]]:
    """Split tokens into (sign, hemisphere, fields); each field is [number text, unit index]."""
    sign = hemisphere = ""
    fields: list[list] = []
    separator = False
    last = len(tokens) - 1
    for index, (kind, value, _) in enumerate(tokens):
        previous = tokens[index - 1][0] if index else ""
        if kind == "number":
            fields.append([value, None])
            separator = False
        elif kind == "mark" or kind.startswith("unit"):
            unit = _MARKS[value] if kind == "mark" else int(kind[-1])
            if previous != "number" or separator:
                raise _Unreadable(f"the mark '{value}' does not follow a number")
            fields[-1][1] = unit
        elif kind == "hemisphere":
            if hemisphere:
                raise _Unreadable("two hemisphere letters")
            if index not in (0, last) or separator:
                raise _Unreadable(f"the hemisphere letter '{value}' is in the middle")
            hemisphere = _HEMISPHERE_WORDS[value.lower()]
        elif kind == "sign" and index == 0:
            sign = value
        elif value in "-:" and fields and not separator and index != last:
            separator = True
        else:
            raise _Unreadable(f"unexpected '{value}'")
    return sign, hemisphere, fields


def _place(fields: list[list]) -> list[str]:
    """Put each number in its degrees/minutes/seconds slot (by its mark, else by position)."""
    if not fields:
        raise _Unreadable("there is no number")
    slots = ["", "", ""]
    expected = 0
    for text, unit in fields:
        slot = expected if unit is None else unit
        if slot > 2:
            raise _Unreadable("more than three numbers")
        if slot < expected:
            raise _Unreadable(f"{_FIELD_NAMES[slot]} given twice or out of order")
        if slot > 0 and not slots[0]:
            raise _Unreadable("the degrees are missing")
        slots[slot] = text
        expected = slot + 1
    with_decimals = [text for text, _ in fields if "." in text]
    if len(with_decimals) > 1:
        raise _Unreadable("decimals in more than one field")
    if with_decimals and "." not in fields[-1][0]:
        raise _Unreadable("only the last number may have decimals")
    return slots


def _signed_value(sign: str, hemisphere: str, slots: list[str]) -> float:
    degrees, minutes, seconds = (float(s) if s else 0.0 for s in slots)
    for name, amount in (("minutes", minutes), ("seconds", seconds)):
        if amount >= 60:
            raise _Unreadable(f"{name} {amount:g} are 60 or more")
    if hemisphere and (sign == "-" or (sign and hemisphere in ("S", "W"))):
        raise _Unreadable(f"both a sign '{sign}' and the hemisphere '{hemisphere}'")
    magnitude = degrees + minutes / 60.0 + seconds / 3600.0
    negative = sign == "-" or hemisphere in ("S", "W")
    return -magnitude if negative else magnitude


def _check_range(value: float, hemisphere: str, axis: str | None) -> float:
    if axis == "lat" and hemisphere in ("E", "W"):
        raise _Unreadable(f"'{hemisphere}' marks a longitude where a latitude is expected")
    if axis == "lon" and hemisphere in ("N", "S"):
        raise _Unreadable(f"'{hemisphere}' marks a latitude where a longitude is expected")
    limit = 90.0 if (axis == "lat" or hemisphere in ("N", "S")) else 180.0
    if not math.isfinite(value) or abs(value) > limit:
        raise _Unreadable(f"{abs(value):g} degrees is beyond {limit:g}")
    return value


def _parse(text, axis: str | None) -> float:
    """The one parsing core: a value or :class:`_Unreadable` with the reason."""
    if axis not in (None, "lat", "lon"):
        raise ValueError(f"axis must be 'lat', 'lon' or None, not {axis!r}")
    if text is None or isinstance(text, bool):
        raise _Unreadable("it is empty")
    if isinstance(text, (int, float, np.integer, np.floating)):
        if math.isnan(text):
            raise _Unreadable("it is empty")
        return _check_range(float(text), "", axis)
    if not isinstance(text, str):
        raise _Unreadable(f"a {type(text).__name__} is not text or a number")
    if not text.strip():
        raise _Unreadable("it is empty")
    sign, hemisphere, fields = _structure(_tokens(text))
    value = _signed_value(sign, hemisphere, _place(fields))
    return _check_range(value, hemisphere, axis)


def parse_dms(text: str | float, axis: str | None = None) -> float:
    """Read one coordinate written in degrees-minutes-seconds or decimal degrees.

    Parameters
    ----------
    text : str or float
        The written coordinate (see the module docstring for the accepted forms). A number is
        taken as decimal degrees and only range-checked.
    axis : {"lat", "lon"}, optional
        When given, a latitude must be within ±90° and carry N/S (if any letter); a longitude
        within ±180° and carry E/W. Without it N/S values are limited to 90° and others to 180°.

    Returns
    -------
    float
        Decimal degrees, negative for S and W.

    Raises
    ------
    geo.errors.CoordinateError
        A ``ValueError`` quoting the text and the reason: minutes or seconds of 60 or more,
        degrees beyond range, decimals in more than one field, two hemisphere letters, a sign
        with S/W, empty text, junk.

    Examples
    --------
    >>> round(parse_dms("23°21'15.6\\"N"), 6)
    23.354333
    >>> parse_dms("85:18:36W")
    -85.31
    """
    try:
        return _parse(text, axis)
    except _Unreadable as problem:
        raise CoordinateError(_message(text, str(problem))) from None


def parse_dms_array(values: Iterable, axis: str | None = None) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Read a column of coordinates; unreadable entries become NaN and are reported, not dropped.

    Plain decimal numbers (the common case) are converted in bulk; every other entry goes through
    the same core as :func:`parse_dms`, and all values get the same range check.

    Parameters
    ----------
    values : iterable
        Strings and/or numbers (a list, numpy array or pandas Series; positions are used, not
        the Series index).
    axis : {"lat", "lon"}, optional
        As in :func:`parse_dms`.

    Returns
    -------
    values : numpy.ndarray of float64
        Decimal degrees, NaN where an entry could not be read.
    problems : list of (int, str)
        Position and message (the text quoted and the reason) of each unreadable entry.

    Examples
    --------
    >>> parse_dms_array(["23.5", "23 30 00 N", "abc"])
    (array([23.5, 23.5,  nan]), [(2, "'abc' cannot be read as a coordinate: unexpected 'abc'")])
    """
    import pandas as pd

    raw = pd.Series(list(values) if not isinstance(values, pd.Series) else values.to_numpy(), dtype=object)
    result = np.full(len(raw), np.nan)
    as_text = raw.map(lambda v: v if isinstance(v, str) else "")
    plain = np.array(as_text.str.fullmatch(_PLAIN_DECIMAL), dtype=bool)
    numbers = as_text[plain].astype(float).to_numpy()
    in_range = np.abs(numbers) <= (90.0 if axis == "lat" else 180.0)
    result[np.flatnonzero(plain)[in_range]] = numbers[in_range]
    plain[np.flatnonzero(plain)[~in_range]] = False
    problems = []
    for position in np.flatnonzero(~plain):
        text = raw.iat[position]
        try:
            result[position] = _parse(text, axis)
        except _Unreadable as problem:
            problems.append((int(position), _message(text, str(problem))))
    return result, problems


def format_dms(value: float, axis: str = "lat", decimals: int = 2) -> str:
    """Write decimal degrees as degrees, minutes and seconds with a hemisphere letter.

    Rounding happens once, on the seconds, and carries: 59.999" at two decimals becomes the next
    minute (and 59' the next degree).

    Parameters
    ----------
    value : float
        Decimal degrees (negative for S/W).
    axis : {"lat", "lon"}
        Chooses N/S or E/W.
    decimals : int
        Decimals of the seconds (0 gives whole seconds, no decimal point).

    Examples
    --------
    >>> format_dms(23.3543)
    '23°21\\'15.48"N'
    >>> format_dms(-85.31, axis="lon", decimals=0)
    '85°18\\'36"W'
    """
    if axis not in ("lat", "lon"):
        raise ValueError(f"axis must be 'lat' or 'lon', not {axis!r}")
    value = _check_value(value, axis)
    letters = "NS" if axis == "lat" else "EW"
    hemisphere = letters[1] if value < 0 else letters[0]
    scale = 10 ** decimals
    units = round(abs(value) * 3600 * scale)
    degrees, rest = divmod(units, 3600 * scale)
    minutes, seconds_units = divmod(rest, 60 * scale)
    seconds = seconds_units / scale
    width = 2 + (decimals + 1 if decimals else 0)
    return f"{degrees}°{minutes:02d}'{seconds:0{width}.{decimals}f}\"{hemisphere}"


def format_decimal(value: float, decimals: int = 6) -> str:
    """Decimal degrees as text with a fixed number of decimals (6 decimals ≈ 0.1 m).

    Examples
    --------
    >>> format_decimal(23.3543)
    '23.354300'
    """
    return f"{float(value):.{decimals}f}"


def _check_value(value: float, axis: str) -> float:
    limit = 90.0 if axis == "lat" else 180.0
    value = float(value)
    if not math.isfinite(value) or abs(value) > limit:
        name = "latitude" if axis == "lat" else "longitude"
        raise CoordinateError(f"{name} {value:g} is outside ±{limit:g} degrees")
    return value


def _zone_number(lon: float, lat: float) -> int:
    lon = _check_value(lon, "lon")
    _check_value(lat, "lat")
    return min(int(math.floor((lon + 180.0) / 6.0)) + 1, 60)


def utm_zone(lon: float, lat: float) -> str:
    """The UTM zone of a point as number and hemisphere, e.g. ``"45N"`` (plain 6° zones).

    Examples
    --------
    >>> utm_zone(75.79, 26.91)   # Jaipur
    '43N'
    >>> utm_zone(85.31, 23.35)   # Ranchi
    '45N'
    """
    return f"{_zone_number(lon, lat)}{'N' if lat >= 0 else 'S'}"


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone of a point: 326xx north, 327xx south.

    Examples
    --------
    >>> utm_epsg(85.31, 23.35)
    32645
    """
    return (32600 if lat >= 0 else 32700) + _zone_number(lon, lat)


@lru_cache(maxsize=16)
def _utm_transformer(epsg: int):
    from pyproj import Transformer

    return Transformer.from_crs(4326, epsg, always_xy=True)


def to_utm(lon: float, lat: float) -> tuple[float, float, str]:
    """Project a WGS 84 point into its own UTM zone.

    Returns
    -------
    easting_m, northing_m : float
        Metres in the zone (false easting 500,000 m; southern zones false northing 10,000 km).
    zone : str
        As :func:`utm_zone`.

    Examples
    --------
    >>> e, n, zone = to_utm(87.0, 0.0)
    >>> round(e), round(n), zone
    (500000, 0, '45N')
    """
    easting, northing = _utm_transformer(utm_epsg(lon, lat)).transform(lon, lat)
    return float(easting), float(northing), utm_zone(lon, lat)
