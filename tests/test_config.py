"""The evaluation config: defaults, validation, nearest-key suggestions, round trip."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from boligeval.config import dump_config, load_config, parse_config
from boligeval.errors import ConfigError


def test_minimal_config_defaults_to_the_seed(tmp_path: Path):
    cfg = parse_config({"data": {"dir": "world"}}, base=tmp_path)
    assert cfg.data.dir == (tmp_path / "world").resolve()
    assert cfg.measurement_years == (2005, 2007, 2009)
    assert dict(cfg.design.cohorts) == {"g1": (2006, 2007), "g2": (2008, 2009)}
    assert cfg.panel.min_count == 20
    assert cfg.population.working_age == (16, 64)
    assert cfg.income.child_age_cutoff == 15
    assert cfg.deprivation.weights["disability_pension_young"] == 2.5
    assert cfg.disclosure.min_persons == 5
    assert {a.kind for a in cfg.analysis} >= {"area_did", "area_ddd_rent_support",
                                              "individual_did", "att_gt"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"data": {"dir": "w"}, "desing": {}}, "Unknown key 'desing' in [top level]. Did you mean 'design'?"),
        ({"data": {"dir": "w"}, "panel": {"min_cout": 5}}, "Did you mean 'min_count'?"),
        ({"data": {"dir": "w"}, "design": {"implementaton_lag": 1}}, "Did you mean 'implementation_lag'?"),
        ({"data": {"dir": "w"}, "analysis": [{"kind": "area_did", "outcome": ["x"]}]},
         "Did you mean 'outcomes'?"),
        ({"data": {"dir": "w"}, "analysis": [{"kind": "area-did"}]}, "Did you mean 'area_did'?"),
        ({"data": {"dir": "w"}, "deprivation": {"weights": {"convicte": 1}}},
         "Did you mean 'convicted'?"),
        ({"data": {"dir": "w", "rename": {"resident": {"PNR": "person_id"}}}},
         "Did you mean 'residents'?"),
        ({"data": {"dir": "w"}, "panel": {"min_count": "20"}}, "must be a whole number"),
        ({"data": {"dir": "w"}, "report": {"lang": "de"}}, "'da' or 'en'"),
        ({"design": {}}, "needs a [data] table"),
        ({"data": {"dir": "w"}, "design": {"cohorts": {"g1": [2006], "g2": [2006]}}},
         "Grant year 2006 is in two cohorts"),
    ],
)
def test_bad_config_is_refused_with_a_helpful_message(raw, message):
    with pytest.raises(ConfigError) as err:
        parse_config(raw)
    assert message in str(err.value)


def test_dump_and_load_round_trip(tmp_path: Path):
    raw = {
        "data": {"dir": "world", "rename": {"residents": {"PNR": "person_id"}}},
        "design": {"years": [2005, 2007, 2009, 2011], "implementation_lag": 1},
        "income": {"unit": "household", "child_age_cutoff": 14},
        "deprivation": {"weights": {"convicted": 2.0}},
        "analysis": [{"kind": "area_did", "population": "all", "outcomes": ["employed"],
                      "weighting": "count"}],
        "report": {"lang": "en"},
    }
    cfg = parse_config(raw, base=tmp_path)
    path = tmp_path / "config.toml"
    path.write_text(dump_config(cfg, data_dir=Path("world")), encoding="utf-8")
    again = load_config(path)
    assert again.design == cfg.design
    assert again.income == cfg.income
    assert again.deprivation == cfg.deprivation
    assert again.analysis == cfg.analysis
    assert again.data.rename == cfg.data.rename
    assert again.data.dir == cfg.data.dir


def test_missing_config_file_and_bad_toml(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[data\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_docx_template_is_resolved_and_checked(tmp_path: Path) -> None:
    template = tmp_path / "house.dotx"
    template.write_bytes(b"not checked here: the writer reads it")
    cfg = parse_config({"data": {"dir": "w"}, "report": {"docx_template": "house.dotx"}},
                       base=tmp_path)
    assert cfg.report.docx_template == template.resolve()
    assert parse_config(tomllib.loads(dump_config(cfg)), base=tmp_path).report == cfg.report
    with pytest.raises(ConfigError, match=r"docx_template .* is not a file"):
        parse_config({"data": {"dir": "w"}, "report": {"docx_template": "missing.docx"}},
                     base=tmp_path)
