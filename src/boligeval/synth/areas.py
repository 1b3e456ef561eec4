"""Areas of the synthetic world, their reference figures and their true status.

Areas are drawn from their own child of the world's seed, so adding them
changes no resident: about seven in ten plans have their departments
delimited as one area (large plans give areas of 1,000 residents or more,
small ones fall below the law's minimum). The national conviction share
and the regional mean gross income are set from the synthetic residents
(a fixed fraction of the all-resident figure) so that areas fall on both
sides of the thresholds and cross them between years.

The true status of every area-year under the current rules (almenboligloven
§ 61 a / § 61 b) is computed here with plain pandas from the residents
file, independently of :mod:`boligeval.areas`: the rule constants below
are the law's, written out again on purpose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["area_reference", "area_truth", "assign_areas", "official_list"]

# The law's rules, written out independently of the ruleset files.
_OUTSIDE = ("unemployed_long", "social_assistance", "disability_pension", "retired", "other")
_MIN_RESIDENTS = 1000
# Synthetic national figures relative to the synthetic residents' own.
_CONVICTION_FACTOR = 0.35      # national share = 0.35 x the residents' share
_INCOME_FACTOR = 1.7           # regional mean = 1.7 x the residents' mean (times a region factor)
_REGION_FACTOR = {"1084": 1.12, "1085": 0.97, "1083": 0.96, "1082": 1.0, "1081": 0.94}


def _region(municipality: Any) -> str:
    code = int(str(municipality))
    if code < 253 or code == 400:
        return "1084"
    if code < 400:
        return "1085"
    if code < 615 or code in (607, 621, 630):
        return "1083"
    if code in (773, 787) or code >= 810:
        return "1081"
    return "1082"


def assign_areas(departments: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """Each department's ``area_id`` (null for departments in no area).

    About seven in ten plans have all their departments delimited as one
    area named ``A`` + the plan's id.
    """
    plans = sorted(departments["plan_id"].astype(str).unique())
    chosen = {p for p, u in zip(plans, rng.random(len(plans)), strict=True) if u < 0.7}
    area = [f"A{p}" if p in chosen else None for p in departments["plan_id"].astype(str)]
    return pd.Series(area, index=departments.index, name="area_id", dtype="string")


def _read(path: Path) -> pd.DataFrame:
    cols = ["year", "department_id", "birth_year", "origin", "income_source", "education",
            "convicted", "gross_income"]
    if path.suffix == ".parquet":
        return pq.read_table(path, columns=cols).to_pandas()
    return pacsv.read_csv(path).select(cols).to_pandas()


def _municipality(plans: pd.DataFrame, departments: pd.DataFrame) -> pd.Series:
    by_plan = plans.set_index("plan_id")["municipality"].astype(str)
    own = departments["municipality"].astype("string")
    return own.fillna(departments["plan_id"].astype(str).map(by_plan)).astype(str)


def area_reference(residents_path: Path, plans: pd.DataFrame,
                   departments: pd.DataFrame) -> pd.DataFrame:
    """The synthetic reference table: year, criterion, region, value."""
    people = _read(residents_path)
    age = people["year"] - people["birth_year"]
    conv = people[age >= 18].groupby("year")["convicted"].mean() * _CONVICTION_FACTOR
    earners = people[(age >= 15) & (age <= 64) & (people["income_source"] != "student")
                     & people["gross_income"].notna()]
    income = earners.groupby("year")["gross_income"].mean() * _INCOME_FACTOR
    rows: list[dict[str, Any]] = [
        {"year": int(y), "criterion": "convictions", "region": None, "value": float(v)}
        for y, v in zip(conv.index, conv.to_numpy(), strict=True)]
    for y, v in zip(income.index, income.to_numpy(), strict=True):
        for region, factor in _REGION_FACTOR.items():
            rows.append({"year": int(y), "criterion": "income", "region": region,
                         "value": float(v * factor)})
    return pd.DataFrame(rows)


def area_truth(residents_path: Path, plans: pd.DataFrame, departments: pd.DataFrame,
               reference: pd.DataFrame) -> list[dict[str, Any]]:
    """Every area-year's true status under the current rules (plain pandas).

    A status the data cannot decide (a two-year average without the year
    before that could tip it) is ``undetermined``; a transformation area
    needs five consecutive parallel-society years in the data.
    """
    depts = departments.assign(municipality=_municipality(plans, departments))
    depts = depts[depts["area_id"].notna()]
    region = depts.groupby("area_id")["municipality"].agg(lambda s: _region(s.mode().iloc[0]))
    people = _read(residents_path).merge(depts[["department_id", "area_id"]],
                                         on="department_id")
    age = people["year"] - people["birth_year"]
    p = pd.DataFrame({
        "area_id": people["area_id"], "year": people["year"],
        "w18": age.between(18, 64), "wadult": age >= 18, "w30": age.between(30, 59),
        "winc": age.between(15, 64) & (people["income_source"] != "student")
        & people["gross_income"].notna(),
    })
    p["outside"] = p["w18"] & people["income_source"].isin(_OUTSIDE)
    p["conv"] = p["wadult"] & people["convicted"]
    p["basic"] = p["w30"] & (people["education"] == "basic")
    p["gross"] = people["gross_income"].where(p["winc"], 0.0)
    p["nw"] = people["origin"] == "non_western"
    g = p.groupby(["area_id", "year"]).agg(
        residents=("year", "size"), n18=("w18", "sum"), outside=("outside", "sum"),
        n_adult=("wadult", "sum"), conv=("conv", "sum"), n30=("w30", "sum"), basic=("basic", "sum"),
        ninc=("winc", "sum"), gross=("gross", "sum"), nw=("nw", "sum")).reset_index()
    g["s_out"] = g["outside"] / g["n18"]
    g["s_conv"] = g["conv"] / g["n_adult"]
    g["s_basic"] = g["basic"] / g["n30"]
    g["mean_inc"] = g["gross"] / g["ninc"]
    g["s_nw"] = g["nw"] / g["residents"]
    prev = g[["area_id", "year", "s_out", "s_conv"]].assign(year=g["year"] + 1)
    g = g.merge(prev, on=["area_id", "year"], how="left", suffixes=("", "_prev"))
    nat = reference[reference["criterion"] == "convictions"].set_index("year")["value"]
    g["region"] = g["area_id"].map(region)
    inc = reference[reference["criterion"] == "income"].set_index(["year", "region"])["value"]
    g["ref_inc"] = [inc.get((y, r), np.nan) for y, r in zip(g["year"], g["region"], strict=True)]
    out2 = (g["s_out"] + g["s_out_prev"]) / 2
    conv2 = (g["s_conv"] + g["s_conv_prev"]) / 2 / (
        (g["year"].map(nat) + (g["year"] - 1).map(nat)) / 2)
    ratio_inc = g["mean_inc"] / g["ref_inc"]

    def flags(t_out: float, t_conv: float, t_basic: float, t_inc: float) -> pd.DataFrame:
        # +1 met, 0 not met, NaN unknown; "more than", "at least", "more than", "below"
        r = lambda x: x.round(12)  # noqa: E731
        return pd.DataFrame({
            "out": np.where(out2.isna(), np.nan, (r(out2) > t_out).astype(float)),
            "conv": np.where(conv2.isna(), np.nan, (r(conv2) >= t_conv).astype(float)),
            "basic": (r(g["s_basic"]) > t_basic).astype(float),
            "inc": (r(ratio_inc) < t_inc).astype(float),
        })

    def at_least_two(f: pd.DataFrame) -> pd.Series:
        yes, unknown = f.sum(axis=1), f.isna().sum(axis=1)
        return pd.Series(np.where(yes >= 2, 1.0, np.where(yes + unknown < 2, 0.0, np.nan)))

    main = at_least_two(flags(0.40, 3.0, 0.60, 0.55))
    prevention_crit = at_least_two(flags(0.30, 2.0, 0.60, 0.65))
    nw = g["s_nw"].round(12)

    def both(a: pd.Series, b: pd.Series) -> pd.Series:
        return pd.Series(np.where((a == 0) | (b == 0), 0.0,
                                  np.where(a.isna() | b.isna(), np.nan, 1.0)))

    vulnerable = main
    parallel = both(main, (nw > 0.5).astype(float))
    prevention = both(both(prevention_crit, (nw > 0.3).astype(float)), 1.0 - vulnerable)
    g["vulnerable"], g["parallel"], g["prevention"] = vulnerable, parallel, prevention
    # Transformation: a parallel society in this year and each of the four before.
    lookup = {(a, y): v for a, y, v in zip(g["area_id"], g["year"], g["parallel"], strict=True)}
    trans = []
    for a, y in zip(g["area_id"], g["year"], strict=True):
        seq = [lookup.get((a, y - k), np.nan) for k in range(5)]
        trans.append(0.0 if any(v == 0 for v in seq) else
                     np.nan if any(np.isnan(v) for v in seq) else 1.0)
    g["trans"] = trans
    result = []
    for row in list[Any](g.itertuples()):
        if row.residents < _MIN_RESIDENTS:
            status = "below_min_residents"
        elif row.trans == 1:
            status = "transformation"
        elif row.parallel == 1:
            status = "parallel_society"
        elif np.isnan(row.parallel):
            status = "undetermined"
        elif row.vulnerable == 1:
            status = "vulnerable"
        elif np.isnan(row.vulnerable):
            status = "undetermined"
        elif row.prevention == 1:
            status = "prevention"
        elif np.isnan(row.prevention):
            status = "undetermined"
        else:
            status = "none"
        result.append({"area_id": str(row.area_id), "year": int(row.year),
                       "residents": int(row.residents), "status": status})
    return result


def official_list(truth: list[dict[str, Any]], rng: np.random.Generator) -> tuple[
        pd.DataFrame, list[dict[str, Any]]]:
    """A synthetic "official list": the listed true statuses, two of them changed on purpose.

    Returns the list and the changed entries (kept in truth.json), so that
    the reconciliation has disagreements to find.
    """
    listed = [t for t in truth if t["status"] in
              ("transformation", "parallel_society", "vulnerable", "prevention")]
    rows = [dict(area_id=t["area_id"], year=t["year"], status=t["status"]) for t in listed]
    changed: list[dict[str, Any]] = []
    if rows:
        for i in sorted(rng.choice(len(rows), size=min(2, len(rows)), replace=False)):
            old = rows[int(i)]["status"]
            new = "none" if old != "none" else "vulnerable"
            rows[int(i)] = {**rows[int(i)], "status": new}
            changed.append({"area_id": rows[int(i)]["area_id"], "year": rows[int(i)]["year"],
                            "true_status": old, "official_status": new})
    frame = pd.DataFrame(rows, columns=["area_id", "year", "status"])
    frame = frame[frame["status"] != "none"].reset_index(drop=True)
    return frame, changed
