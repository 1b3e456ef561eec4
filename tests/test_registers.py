"""`boligeval registers`: raw registers to residents, the pitfall rules, bad inputs.

Every case is hand-built: a few persons in BEF, AKM, IND, UDDA and KRAF under
DST's names, with the expected residents values written out here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from boligeval.cli import main
from boligeval.config import load_config
from boligeval.errors import ConfigError, ContractError
from boligeval.registers import build_residents, load_codelist

D = dt.date
YEARS = (2008, 2009)

#: One family per case; PNR, year and the BEF variables (address key ADRESSE_ID).
_BEF_COLS = ("PNR", "FOED_DAG", "KOEN", "IE_TYPE", "OPR_LAND", "FAMILIE_ID", "FAMILIE_TYPE",
             "PLADS", "ANTBOERNF", "BOP_VFRA", "ADRESSE_ID")


def _p(pnr: str, born: dt.date, koen: int, fam: str, plads: int, bop: dt.date, adr: str,
       ie: int = 1, land: int = 5100) -> dict[str, Any]:
    return {"PNR": pnr, "FOED_DAG": born, "KOEN": koen, "IE_TYPE": ie, "OPR_LAND": land,
            "FAMILIE_ID": fam, "FAMILIE_TYPE": 1, "PLADS": plads, "ANTBOERNF": 0,
            "BOP_VFRA": bop, "ADRESSE_ID": adr}


def _world() -> dict[str, dict[int, list[dict[str, Any]]]]:
    """The hand-built registers: BEF, AKM, IND, UDDA by year; KRAF and the key in year 0."""
    bef: dict[int, list[dict[str, Any]]] = {}
    for y in YEARS:
        bef[y] = [
            # a lone mother (45) with a son of 19 (in 2009) at home
            _p("p01", D(1964, 2, 1), 2, "F1", 1, D(2001, 5, 1), "A1"),
            _p("p02", D(1990, 1, 15), 1, "F1", 3, D(2001, 5, 1), "A1"),
            # a couple: moved into the department in 2005 (A2), within it in 2009 (A3)
            _p("p03", D(1970, 3, 3), 1, "F2", 1,
               D(2005, 4, 1) if y == 2008 else D(2009, 6, 1), "A2" if y == 2008 else "A3"),
            _p("p04", D(1972, 3, 3), 2, "F2", 2,
               D(2005, 4, 1) if y == 2008 else D(2009, 6, 1), "A2" if y == 2008 else "A3"),
            # a person outside public housing
            _p("p09", D(1950, 1, 1), 1, "F9", 1, D(1990, 1, 1), "X1"),
        ]
    bef[2009] += [
        # a baby born at the couple's new address in 2009
        _p("p05", D(2009, 8, 10), 1, "F2", 3, D(2009, 8, 10), "A3"),
        # an immigrant (non-western) who arrived in March 2009: no SOCIO13, no HFAUDD
        _p("p06", D(1979, 7, 7), 1, "F6", 1, D(2009, 3, 15), "A4", ie=2, land=5172),
        # a western immigrant, in Denmark all year
        _p("p07", D(1960, 7, 7), 2, "F7", 1, D(2003, 1, 1), "A5", ie=2, land=5120),
    ]
    akm = {
        2008: [{"PNR": "p01", "SOCIO13": 330}, {"PNR": "p02", "SOCIO13": 310},
               {"PNR": "p03", "SOCIO13": 134}, {"PNR": "p04", "SOCIO13": 210},
               {"PNR": "p09", "SOCIO13": 322}],
        2009: [{"PNR": "p01", "SOCIO13": 321}, {"PNR": "p02", "SOCIO13": 134},
               {"PNR": "p03", "SOCIO13": 134}, {"PNR": "p04", "SOCIO13": 220},
               {"PNR": "p07", "SOCIO13": 410}, {"PNR": "p09", "SOCIO13": 322}],
    }
    ind = {y: [{"PNR": p, "DISPON_13": 1000.0 * i + y, "PERINDKIALT_13": 2000.0 * i}
               for i, p in enumerate(["p01", "p02", "p03", "p04", "p09"], start=1)]
           for y in YEARS}
    ind[2009].append({"PNR": "p07", "DISPON_13": -50.0, "PERINDKIALT_13": 0.0})
    udda = {y: [{"PNR": "p01", "HFAUDD": 1010}, {"PNR": "p02", "HFAUDD": 2010},
                {"PNR": "p03", "HFAUDD": 4010}, {"PNR": "p04", "HFAUDD": 6510}]
            for y in YEARS}
    udda[2009].append({"PNR": "p06", "HFAUDD": None})
    kraf = {0: [
        # p03: guilty, criminal code, in 2009 -> convicted 2009 (not 2008)
        {"PNR": "p03", "AFG_DATO": D(2009, 2, 1), "AFG_AFGTYP": "11", "AFG_GER7": "1234567"},
        # p04: acquitted in 2008; p01: traffic offence 2008 -> neither counts
        {"PNR": "p04", "AFG_DATO": D(2008, 5, 1), "AFG_AFGTYP": "51", "AFG_GER7": "1234567"},
        {"PNR": "p01", "AFG_DATO": D(2008, 5, 1), "AFG_AFGTYP": "11", "AFG_GER7": "2110000"},
    ]}
    key = {0: [{"ADRESSE_ID": a, "year": y, "department_id": d}
               for y in YEARS
               for a, d in (("A1", "D1"), ("A2", "D2"), ("A3", "D2"), ("A4", "D1"),
                            ("A5", "D1"))]}
    return {"bef": bef, "akm": akm, "ind": ind, "udda": udda, "kraf": kraf,
            "adresse_afdeling": key}


_CODELISTS = {
    "hfaudd": "code,value\n1010,basic\n2010,upper_secondary\n4010,short_tertiary\n"
              "6510,long_tertiary\n9999,missing\n",
    "western_countries": "code,value\n5120,western\n",
    "kraf_offences": "# match: prefix\ncode,value\n1,offence\n",
    "kraf_decisions": "code,value\n11,guilty\n",
}


def _write(root: Path, world: dict[str, dict[int, list[dict[str, Any]]]],
           rules: dict[str, Any] | None = None, fmt: str = "parquet") -> Path:
    """Write the registers (hive Parquet, or a .dta/.xpt file per year for BEF) and a config."""
    reg = root / "registers"
    for name, by_year in world.items():
        for y, rows in by_year.items():
            df = pd.DataFrame(rows, columns=list(_BEF_COLS) if name == "bef" and not rows
                              else None)
            if y == 0:
                reg.mkdir(parents=True, exist_ok=True)
                pq.write_table(pa.Table.from_pandas(df, preserve_index=False),
                               reg / f"{name}.parquet")
            elif name == "bef" and fmt != "parquet":
                import pyreadstat

                reg.mkdir(parents=True, exist_ok=True)
                out = df.copy()  # dates stay dates: Stata %td, SAS DATE (days since 1960)
                writer = pyreadstat.write_dta if fmt == "dta" else pyreadstat.write_xport
                writer(out, str(reg / f"bef{y}.{fmt}"))
            else:
                d = reg / name / f"year={y}"
                d.mkdir(parents=True, exist_ok=True)
                pq.write_table(pa.Table.from_pandas(df, preserve_index=False),
                               d / "part-0.parquet")
    for name, text in _CODELISTS.items():
        (root / f"{name}.csv").write_text(text, encoding="utf-8")
    data = root / "data"
    data.mkdir(exist_ok=True)
    pd.DataFrame({"plan_id": ["P1"], "grant_year": [2008], "start_year": [2008],
                  "end_year": [None], "municipality": ["101"],
                  "intervention_areas": [None]}).to_csv(data / "plans.csv", index=False)
    pd.DataFrame({"department_id": ["D1", "D2"], "plan_id": ["P1", "P1"],
                  "capital_area": [True, False]}).to_csv(data / "departments.csv", index=False)
    bef = f'"bef{{year}}.{fmt}"' if fmt != "parquet" else '"bef"'
    rule_lines = "\n".join(
        f"{k} = {str(v).lower() if isinstance(v, bool) else repr(v)}".replace("'", '"')
        for k, v in (rules or {}).items()
    )
    lists = "\n".join(f'{n} = "{n}.csv"' for n in _CODELISTS)
    cfg = root / "config.toml"
    cfg.write_text(f"""
[data]
dir = "data"
[design]
years = [2008, 2009]
cohorts = {{g1 = [2008]}}
rent_support_rounds = {{}}
[registers]
dir = "registers"
[registers.tables]
bef = {bef}
akm = "akm"
ind = "ind"
udda = "udda"
kraf = "kraf.parquet"
address_departments = "adresse_afdeling.parquet"
[registers.rules]
{rule_lines}
[registers.codelists]
{lists}
""", encoding="utf-8")
    return cfg


def _run(tmp_path: Path, rules: dict[str, Any] | None = None, fmt: str = "parquet",
         world: dict[str, Any] | None = None) -> pd.DataFrame:
    cfg = _write(tmp_path, world or _world(), rules, fmt)
    out = tmp_path / "out"
    build_residents(load_config(cfg), out)
    df = pd.read_parquet(out / "residents.parquet")
    return df.set_index(["person_id", "year"]).sort_index()


def test_hand_built_registers_give_the_residents_written_here(tmp_path: Path) -> None:
    r = _run(tmp_path)
    # p09 lives outside public housing: not a resident.
    assert sorted(r.index.get_level_values(0).unique()) == [
        "p01", "p02", "p03", "p04", "p05", "p06", "p07"]
    assert len(r) == 4 * 2 + 3
    row = r.loc[("p01", 2009)]
    assert row["department_id"] == "D1"
    assert row["household_id"] == "F1"
    assert row["birth_year"] == 1964
    assert row["sex"] == "F"
    assert row["origin"] == "danish"
    assert row["income_source"] == "disability_pension"
    assert row["disposable_income"] == 1000.0 + 2009
    assert row["gross_income"] == 2000.0
    assert row["education"] == "basic"
    assert row["move_in_year"] == 2001
    assert r.loc[("p01", 2008), "income_source"] == "social_assistance"
    assert r.loc[("p04", 2008), "income_source"] == "unemployed_long"
    assert r.loc[("p04", 2009), "income_source"] == "leave"
    assert r.loc[("p07", 2009), "origin"] == "western"
    assert r.loc[("p06", 2009), "origin"] == "non_western"
    assert r.loc[("p07", 2009), "income_source"] == "other"
    assert r.loc[("p07", 2009), "disposable_income"] == -50.0
    assert pd.isna(r.loc[("p06", 2009), "disposable_income"])
    # Convictions: a guilty criminal-code decision in 2009 only.
    assert r["convicted"].sum() == 1
    assert bool(r.loc[("p03", 2009), "convicted"])


def test_lone_parent_with_a_child_of_19(tmp_path: Path) -> None:
    r = _run(tmp_path / "default")
    # default (seed B1.1): the mother and her adult son both count
    assert bool(r.loc[("p01", 2009), "single_parent"])
    assert bool(r.loc[("p02", 2009), "single_parent"])
    assert not r.loc[["p03", "p04", "p05", "p06", "p07"], "single_parent"].any()
    only_parent = _run(tmp_path / "parent", {"lone_parent_adult_children": False})
    assert bool(only_parent.loc[("p01", 2009), "single_parent"])
    assert not bool(only_parent.loc[("p02", 2009), "single_parent"])
    # counting only children under 18, the mother of a 19-year-old is no lone parent in
    # 2009; in 2008 her son was 18 at year end, so not under 18 either
    under18 = _run(tmp_path / "u18", {"lone_parent_children": "under_18"})
    assert not under18["single_parent"].any()


def test_move_within_a_department_is_not_a_move_in(tmp_path: Path) -> None:
    r = _run(tmp_path / "default")
    assert r.loc[("p03", 2009), "move_in_year"] == 2005
    assert r.loc[("p04", 2009), "move_in_year"] == 2005
    raw = _run(tmp_path / "raw", {"within_department_moves": "in_mover"})
    assert raw.loc[("p03", 2009), "move_in_year"] == 2009


def test_move_within_a_department_across_a_gap_between_bef_years(tmp_path: Path) -> None:
    world = _world()
    # BEF 2008 missing: the previous BEF year of 2009 is 2007, where the couple lived at A2
    world["bef"][2007] = [dict(r) for r in world["bef"].pop(2008)]
    for key_row in list(world["adresse_afdeling"][0]):
        if key_row["year"] == 2008:
            world["adresse_afdeling"][0].append({**key_row, "year": 2007})
    cfg = _write(tmp_path, world)
    text = cfg.read_text().replace("years = [2008, 2009]", "years = [2007, 2009]")
    text = text.replace("cohorts = {g1 = [2008]}", "cohorts = {g1 = [2008, 2009]}")
    cfg.write_text(text)
    for name in ("akm", "ind", "udda"):
        (tmp_path / "registers" / name / "year=2008").rename(
            tmp_path / "registers" / name / "year=2007")
    build_residents(load_config(cfg), tmp_path / "out")
    r = pd.read_parquet(tmp_path / "out" / "residents.parquet").set_index(["person_id", "year"])
    assert r.loc[("p03", 2009), "move_in_year"] == 2005


def test_newborn_is_not_an_in_mover_by_default(tmp_path: Path) -> None:
    r = _run(tmp_path / "default")
    assert pd.isna(r.loc[("p05", 2009), "move_in_year"])
    born = _run(tmp_path / "born", {"newborns": "in_mover"})
    assert born.loc[("p05", 2009), "move_in_year"] == 2009


def test_arrival_in_march_without_socio13(tmp_path: Path) -> None:
    r = _run(tmp_path / "default")
    assert r.loc[("p06", 2009), "income_source"] == "missing"
    assert r.loc[("p06", 2009), "move_in_year"] == 2009
    other = _run(tmp_path / "other", {"socio13_arrivals": "other"})
    assert other.loc[("p06", 2009), "income_source"] == "other"
    # the baby has no SOCIO13 either: the children's rule, not the arrivals'
    assert other.loc[("p05", 2009), "income_source"] == "missing"
    kids = _run(tmp_path / "kids", {"socio13_children": "other"})
    assert kids.loc[("p05", 2009), "income_source"] == "other"
    assert kids.loc[("p06", 2009), "income_source"] == "missing"
    acc = pd.read_csv(tmp_path / "default" / "out" / "register_accounting.csv")
    rule = acc[(acc["year"] == 2009) & acc["reason"].str.startswith("socio13_arrivals")]
    assert rule["rows"].tolist() == [1]
    rule = acc[(acc["year"] == 2009) & acc["reason"].str.startswith("socio13_children")]
    assert rule["rows"].tolist() == [1]


def test_immigrant_without_hfaudd_is_missing_and_counted(tmp_path: Path) -> None:
    r = _run(tmp_path)
    assert r.loc[("p06", 2009), "education"] == "missing"
    assert r.loc[("p07", 2009), "education"] == "missing"  # no UDDA row at all
    acc = pd.read_csv(tmp_path / "out" / "register_accounting.csv").set_index(
        ["register", "year", "reason"])["rows"]
    assert acc[("residents", 2009, "education missing: HFAUDD empty")] == 1
    assert acc[("residents", 2009, "education missing: no UDDA row")] == 2  # p05, p07
    assert acc[("residents", 2009,
                "education missing (no row or empty HFAUDD): immigrants")] == 2
    kept = pd.read_csv(tmp_path / "out" / "register_accounting.csv")
    bef09 = kept[(kept["register"] == "bef") & (kept["year"] == 2009)].set_index("category")
    assert bef09.loc["kept", "rows"] == 7
    assert bef09.loc["outside_public_housing", "rows"] == 1


def test_household_from_the_dwelling(tmp_path: Path) -> None:
    r = _run(tmp_path, {"household": "dwelling"})
    assert r.loc[("p01", 2009), "household_id"] == "A1"
    assert r.loc[("p03", 2008), "household_id"] == "A2"
    assert r.loc[("p05", 2009), "household_id"] == "A3"


@pytest.mark.parametrize("fmt", ["dta", "xpt"])
def test_bef_as_stata_or_sas_transport_files_per_year(tmp_path: Path, fmt: str) -> None:
    parquet = _run(tmp_path / "parquet")
    other = _run(tmp_path / fmt, fmt=fmt)
    pd.testing.assert_frame_equal(parquet, other)


# ---------------------------------------------------------------------------
# bad inputs: exit 2, one message, nothing written


def _cli_fails(tmp_path: Path, world: dict[str, Any], *needles: str) -> str:
    cfg = _write(tmp_path, world)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["registers", str(cfg), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    for needle in needles:
        assert needle in result.output
    for pnr in ("p01", "p02", "p03", "p04", "p05", "p06", "p07", "p09"):
        assert pnr not in result.output
    return result.output


def test_missing_variable_is_named_with_register_and_year(tmp_path: Path) -> None:
    world = _world()
    for row in world["bef"][2009]:
        del row["BOP_VFRA"]
    _cli_fails(tmp_path, world, "register bef year 2009", "'BOP_VFRA'", "required_variable")


def test_year_missing_from_one_register(tmp_path: Path) -> None:
    world = _world()
    del world["akm"][2009]
    _cli_fails(tmp_path, world, "register akm", "year 2009 is missing", "missing_year")


def test_person_twice_in_one_bef_year(tmp_path: Path) -> None:
    world = _world()
    world["bef"][2008].append(dict(world["bef"][2008][0], ADRESSE_ID="A5"))
    _cli_fails(tmp_path, world, "register bef year 2008", "1 person(s) occur twice",
               "unique_person_year")


def test_address_mapped_to_two_departments(tmp_path: Path) -> None:
    world = _world()
    world["adresse_afdeling"][0].append({"ADRESSE_ID": "A1", "year": 2009,
                                         "department_id": "D2"})
    _cli_fails(tmp_path, world, "address_departments year 2009", "1 address(es)",
               "one_department_per_address", "ADRESSE_ID")


def test_unknown_socio13_code_is_refused(tmp_path: Path) -> None:
    world = _world()
    world["akm"][2009][0]["SOCIO13"] = 999
    _cli_fails(tmp_path, world, "register akm year 2009", "'999'", "known_code")


def test_out_folder_not_empty_is_refused(tmp_path: Path) -> None:
    """--out follows the rule of every command: new, empty, or an earlier output (issue 12)."""
    cfg = _write(tmp_path, _world())
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    for extra in ([], ["--overwrite"]):  # a folder of the user's files is never written into
        result = CliRunner().invoke(main, ["registers", str(cfg), "--out", str(out), *extra])
        assert result.exit_code == 2
        assert "holds no boligeval output" in result.output
        assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]
        assert (out / "mine.txt").read_text() == "keep me"
    fresh = tmp_path / "fresh"
    ok = CliRunner().invoke(main, ["registers", str(cfg), "--out", str(fresh)])
    assert ok.exit_code == 0, ok.output
    written = sorted(p.name for p in fresh.iterdir())
    assert "manifest.json" in written and "residents.parquet" in written
    again = CliRunner().invoke(main, ["registers", str(cfg), "--out", str(fresh)])
    assert again.exit_code == 2 and "--overwrite" in again.output
    (fresh / "stale.txt").write_text("from an earlier run")
    ok = CliRunner().invoke(main, ["registers", str(cfg), "--out", str(fresh), "--overwrite"])
    assert ok.exit_code == 0, ok.output
    assert sorted(p.name for p in fresh.iterdir()) == written  # replaced whole


def test_shipped_incomplete_code_list_refuses_to_run(tmp_path: Path) -> None:
    cfg = _write(tmp_path, _world())
    text = cfg.read_text().replace('hfaudd = "hfaudd.csv"\n', "")
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=r"code list hfaudd \(.*codelists/hfaudd.csv\)"):
        build_residents(load_config(cfg), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_shipped_code_lists_name_source_version_and_status() -> None:
    for name in ("socio13", "hfaudd", "western_countries", "kraf_offences", "kraf_decisions"):
        cl = load_codelist(name)
        for key in ("source", "version", "verified_years", "status"):
            assert key in cl.meta, (name, key)
    assert load_codelist("socio13").status == "verified"
    assert load_codelist("socio13").codes["330"] == "social_assistance"
    assert load_codelist("hfaudd").status == "incomplete"


def test_registers_config_errors_name_the_key(tmp_path: Path) -> None:
    cfg = _write(tmp_path, _world(), {"newborns": "sometimes"})
    with pytest.raises(ConfigError, match=r"registers\.rules\.newborns"):
        build_residents(load_config(cfg), tmp_path / "out")


def test_errors_are_contract_errors_with_the_rule(tmp_path: Path) -> None:
    world = _world()
    del world["udda"][2008]
    cfg = _write(tmp_path, world)
    with pytest.raises(ContractError) as info:
        build_residents(load_config(cfg), tmp_path / "out")
    assert info.value.rule == "missing_year"
    assert info.value.column == "year"


def test_registers_block_is_written_back_by_dump_config(tmp_path: Path) -> None:
    import tomllib

    from boligeval.config import dump_config, parse_config

    cfg = load_config(_write(tmp_path, _world(), {"newborns": "in_mover"}))
    again = parse_config(tomllib.loads(dump_config(cfg)), base=tmp_path)
    assert again.registers == cfg.registers
    assert again.registers is not None
    assert again.registers["rules"]["newborns"] == "in_mover"
