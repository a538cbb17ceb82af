"""``khanij score`` end to end: the sample atlas with every gate exercised, outputs, errors, cancel."""
from __future__ import annotations

import argparse
import re

import geopandas as gpd
import pandas as pd
import pytest

from cli.score import run_score
from geo.errors import Cancelled
from geo.feedback import Feedback
from main import main
from tests.assessment.columns import documented_columns

EXPECTED = re.compile(r"expected: stage (\w+), protected (\w+), state (\w+), conditions (.+?) -> (.+?)\. ")


@pytest.fixture(scope="module")
def sample_scores(tmp_path_factory):
    out = tmp_path_factory.mktemp("score") / "sample.gpkg"
    assert main(["score", "--sample", "-o", str(out)]) == 0
    return gpd.read_file(out)


def test_sample_atlas_scores_every_block_as_its_design_note_says(sample_scores):
    checked = 0
    for _, row in sample_scores.iterrows():
        match = EXPECTED.search(row["design_note"] + " ")
        assert match, f"{row['block_id']}: design note without expectations"
        stage, protected, state, conditions, readiness = match.groups()
        got = (row["gate_stage"], row["gate_protected"], row["gate_state"], row["readiness"])
        assert got == (stage, protected, state, readiness), row["block_id"]
        if "forest" in conditions:
            assert "prior approval of the Central Government" in row["conditions"], row["block_id"]
        if "NBWL" in conditions:
            assert "National Board for Wildlife" in row["conditions"], row["block_id"]
        checked += 1
    assert checked == len(sample_scores) >= 20


def test_sample_atlas_exercises_every_gate_outcome(sample_scores):
    assert set(sample_scores["gate_stage"]) == {"pass", "fail", "unknown"}
    assert set(sample_scores["gate_protected"]) == {"pass", "fail"}
    assert set(sample_scores["gate_state"]) == {"pass", "fail"}
    assert set(sample_scores["readiness"]) == {"Ready", "Ready with conditions", "Not ready"}
    from layers.atlas import sample_role_paths
    own = [c for c in gpd.read_file(sample_role_paths()["blocks"]).columns if c != "geometry"]
    # The blocks' own columns first; their stage and licence renamed so the contract's columns keep their names.
    assert list(sample_scores.columns[:len(own)]) == [f"input_{c}" if c in ("stage", "licence") else c for c in own]
    assert list(sample_scores.columns[len(own):-1]) == documented_columns(["railway_stations"], ["magnetic_anomaly"])
    assert sample_scores["explanation"].str.contains("Rules: rules.toml, version").all()
    # The forest union is measured, not the sum (OD-CL-01: two overlapping forest polygons).
    overlap = sample_scores.set_index("block_id").loc["OD-CL-01"]
    assert 0 < overlap["forest_pct"] <= 100 and overlap["forest_ha"] <= overlap["area_ha"]


def test_the_esz_and_inter_state_carve_out_spared_blocks_only_before_13_november_2025(sample_scores, tmp_path):
    out = tmp_path / "mid2025.gpkg"
    assert main(["score", "--sample", "--as-of", "2025-06-01", "-o", str(out)]) == 0
    before = gpd.read_file(out).set_index("block_id")
    spared = before["gate_protected_finding"].str.contains("zone is not applied to")
    assert sorted(spared[spared].index) == ["OD-CL-02", "OD-CL-03"]
    assert (before.loc[["OD-CL-02", "OD-CL-03"], "gate_protected"] == "pass").all()
    assert before.loc["OD-CL-02", "gate_protected_rule"].endswith("; W3") and (before["as_of"] == "2025-06-01").all()
    today = sample_scores.set_index("block_id").loc[["OD-CL-02", "OD-CL-03"]]
    assert (today["gate_protected"] == "fail").all() and (today["gate_protected_rule"] == "W1; W11").all()
    assert today["gate_protected_source"].str.contains("In Re: Saranda Wildlife Sanctuary").all()
    assert not today["gate_protected_finding"].str.contains("not applied").any()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_table_outputs_are_ranked_rounded_with_units_in_the_headers(tmp_path, suffix, capsys):
    out = tmp_path / f"scores{suffix}"
    assert main(["score", "--sample", "-o", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig") if suffix == ".csv" else pd.read_excel(out, sheet_name="scores")
    assert {"rank", "score (of 100)", "readiness", "explanation", "rules_sha256", "w_forest (%)", "s_forest (0–100)",
            "c_forest (points)", "m_forest (% of the block)", "m_exploration (stage)", "area_ha", "protected_km"} <= set(table.columns)
    order = {"Ready": 0, "Ready with conditions": 1, "Not ready": 2}
    keys = list(zip(table["readiness"].map(order), -table["score (of 100)"]))
    assert keys == sorted(keys) and table["rank"].tolist() == list(range(1, len(table) + 1))
    for column, digits in (("area_ha", 2), ("protected_km", 2), ("forest_pct", 1), ("score (of 100)", 1),
                           ("c_forest (points)", 2)):
        values = table[column].dropna()
        assert (values == values.round(digits)).all(), column
    assert "blocks scored" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_xlsx_scores_carry_a_metadata_sheet_and_no_formula(tmp_path, sample_scores):
    from openpyxl import load_workbook

    out = tmp_path / "scores.xlsx"
    assert main(["score", "--sample", "-o", str(out)]) == 0
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["scores", "metadata"]
    metadata = {row[0]: row[1] for row in workbook["metadata"].iter_rows(min_row=2, values_only=True)}
    assert metadata["Rules SHA-256"] == sample_scores["rules_sha256"].iloc[0]
    assert metadata["Rules applied as of"] == sample_scores["as_of"].iloc[0]
    assert "blocks.gpkg" in metadata["Sources"] and "deposits.gpkg" in metadata["Sources"]
    assert metadata["Illustrative"].startswith("yes")
    from assessment.report import rule_ids_of
    from assessment.rules import load_rules

    used = {rule_id for _, row in sample_scores.iterrows() for rule_id in rule_ids_of(row)}
    assert used and {f"Rule {rule_id}" for rule_id in used} <= set(metadata)
    assert all(metadata[f"Rule {rule_id}"] == load_rules().citation(rule_id) for rule_id in used)
    assert not [c.coordinate for sheet in workbook for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_invalid_rules_file_exits_3_naming_the_key(tmp_path, capsys):
    rules = tmp_path / "bad.toml"
    from assessment.rules import DEFAULT_RULES_PATH
    rules.write_text(DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace("exploration = 25", "exploration = 5"),
                     encoding="utf-8")
    out = tmp_path / "never.csv"
    assert main(["score", "--sample", "--rules", str(rules), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "bad.toml" in err and "weights sum to 80, not 100" in err and "Traceback" not in err
    assert not out.exists()


def test_missing_input_and_bad_output_give_clear_exit_codes(tmp_path, capsys):
    assert main(["score", "--blocks", str(tmp_path / "none.gpkg"), "--deposits", str(tmp_path / "none.gpkg"),
                 "-o", str(tmp_path / "x.csv")]) == 3
    assert "none.gpkg" in capsys.readouterr().err
    assert main(["score", "--sample", "-o", str(tmp_path / "x.txt")]) == 4
    assert main(["score", "--sample", "-o", str(tmp_path / "no" / "folder" / "x.csv")]) == 4


def test_blocks_without_crs_are_refused_naming_the_file(tmp_path, capsys):
    from shapely.geometry import box
    shapefile = tmp_path / "blocks.shp"
    gpd.GeoDataFrame({"block_id": ["a"]}, geometry=[box(85, 23, 85.1, 23.1)]).to_file(shapefile)
    assert not shapefile.with_suffix(".prj").exists()
    code = main(["score", "--blocks", str(shapefile), "--deposits", str(shapefile), "-o", str(tmp_path / "o.csv")])
    assert code == 3 and "blocks.shp" in capsys.readouterr().err


def test_cancel_leaves_no_partial_file(tmp_path):
    from layers.atlas import sample_role_paths

    roles = sample_role_paths()
    out = tmp_path / "cancelled.gpkg"
    args = argparse.Namespace(blocks=roles["blocks"], deposits=roles["deposits"], forest=roles["forest"],
                              protected=roles["protected_areas"], infra=roles["infrastructure"],
                              raster=roles["evidence"], boundaries=roles["boundaries"], rules=None, output=str(out))
    seen = []

    def cancel_once_writing(fraction, text):
        """Cancel from inside the writer: at its first progress report after "writing …"."""
        if seen and seen[-1].startswith("writing"):
            feedback.cancel()
        seen.append(text)

    feedback = Feedback(cancel_once_writing)
    with pytest.raises(Cancelled):
        run_score(args, feedback)
    assert any(text.startswith("writing") for text in seen)
    assert list(tmp_path.iterdir()) == []


def test_scoring_twice_writes_identical_files(tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    assert main(["score", "--sample", "-o", str(first)]) == 0
    assert main(["score", "--sample", "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_a_line_layer_given_as_boundaries_is_refused_naming_the_file(external, tmp_path, capsys):
    from layers.atlas import sample_role_paths

    roles = sample_role_paths()
    outline = external / "datameet-maps" / "Country" / "india-land-simplified.geojson"
    out = tmp_path / "scores.csv"
    code = main(["score", "--blocks", roles["blocks"], "--deposits", roles["deposits"], "--boundaries", str(outline),
                 "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 3 and "india-land-simplified.geojson" in err and "LineString" in err and "Traceback" not in err
    assert not out.exists()
