"""Benchmark: convert a column of 1,000,000 classification codes in mixed notations.

Target (DESIGN.md §11): ≤ 1 s, and ≥ 20x a per-row Python loop over ``assessment.convert`` run in
the same process on the same data. The loop is timed on ``--loop-rows`` rows (default 100,000,
to spare the shared machine) and scaled to the full column; ``--loop-rows 1000000`` times it all.

    .venv/bin/python bench/bench_convert.py [--rows 1000000] [--loop-rows 100000]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment.conversion import convert, convert_column  # noqa: E402
from assessment.notation import geological_levels  # noqa: E402
from timing import best_of  # noqa: E402

SPELLINGS = [
    "331", "332", "333", "334", "111", "121", "122", "211", "221", "222", 331, 332.0, "331.0", "(3,3,1)",
    "(3, 3, 2)", "3 3 3", "E1F1G1", "E1 F1 G2", "E2.F2.G1", "E2;F2;G2", "e2f2g3", "E1.1 F2.2 G1", "E3F3G4",
    "G1", "G2", "G3", "G4", "Measured", "indicated resource", "Inferred Mineral Resource", "Proven Reserve",
    "Probable Ore Reserve", "Exploration Target", "", None, "NA", "E1F1", "999", "gold", "3 3 1",
    "STD332", "STD 111", "332 (Indicated)", "Pre-Feasibility Mineral Resource", "Feasibility Mineral Resource",
    "Inferred (JORC 2012)", "Indicated (NI 43-101)", "G-3", "Stage G2", "M&I", "Viable projects G1",
]


def mixed_column(rows: int, seed: int = 7) -> pd.Series:
    """``rows`` codes drawn from the spellings above, as pandas reads a mixed column (object)."""
    choice = np.random.default_rng(seed).integers(0, len(SPELLINGS), rows)
    return pd.Series(np.array(SPELLINGS, dtype=object)[choice], name="UNFC_Code")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--loop-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    column = mixed_column(options.rows)
    as_strings = column.astype("str")  # the same values as a CSV reader's string column
    convert_column(column.head(1000))  # load the classification data once, outside the timing

    vectorised = best_of(lambda: convert_column(column), options.repeat)
    vectorised_str = best_of(lambda: convert_column(as_strings), options.repeat)
    levels = best_of(lambda: geological_levels(column), options.repeat)
    sample = column.head(min(options.loop_rows, options.rows)).tolist()
    loop = best_of(lambda: [convert(value) for value in sample], 1) * options.rows / len(sample)

    check = convert_column(column.head(2000))
    expected = [convert(value).status for value in column.head(2000)]
    assert check["UNFC_Code_status"].astype(str).tolist() == expected, "vectorised and per-row answers differ"

    print(f"rows: {options.rows:,} ({len(SPELLINGS)} spellings of India, UNFC, stage, JORC, names as written and junk)")
    print(f"convert_column (object column):    {vectorised:.3f} s  (target ≤ 1 s)")
    print(f"convert_column (string column):    {vectorised_str:.3f} s")
    print(f"geological_levels (object column): {levels:.3f} s")
    scaled = "" if len(sample) == options.rows else f", timed on {len(sample):,} rows and scaled"
    print(f"per-row loop over convert():       {loop:.3f} s{scaled}")
    print(f"ratio loop / vectorised:           {loop / vectorised:.0f}x  (target ≥ 20x)")


if __name__ == "__main__":
    main()
