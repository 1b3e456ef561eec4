"""Analyses: from the panel (and the survey) to the records of results.json.

One function per analysis kind of the config; each turns the config's
``[[analysis]]`` block into thin calls of the public estimators and returns
flat records (design.md "Outputs"). Nothing here writes files.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from boligeval.config import POPULATIONS, AnalysisSpec, EvaluationConfig, default_analyses
from boligeval.design import CONTROL, DesignTable
from boligeval.errors import EstimationError, PanelError
from boligeval.panel import Panel
from boligeval.progress import Progress

__all__ = ["RegisterContext", "balance_records", "cell_records", "first_treated",
           "register_analyses", "unit_frame"]

Record = dict[str, Any]


@dataclass(frozen=True)
class RegisterContext:
    """What the register analyses need: the config, the connection, design and panel."""

    cfg: EvaluationConfig
    con: duckdb.DuckDBPyConnection
    design: DesignTable
    panel: Panel


def first_treated(data: pd.DataFrame) -> pd.Series:
    """Per row, the first period in which the row's department has an active plan (0 = never)."""
    treated = data[data["active_plan"] == 1]
    first = treated.groupby("department_id")["year"].min()
    return data["department_id"].map(first).fillna(0).astype("int64")


def _panel_wide(ctx: RegisterContext, population: str, outcome: str) -> pd.DataFrame:
    sub = ctx.panel.for_analysis(population, outcome).copy()
    sub["first_treated"] = first_treated(sub)
    return sub


def unit_frame(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> pd.DataFrame:
    """Person- or household-level rows for the individual-level DiD.

    Units are those of the analysis population in departments found in the
    register every year, with design indicators and the in-mover flag.
    """
    years = ", ".join(str(y) for y in ctx.cfg.measurement_years)
    cov = "".join(f', p."{c}"' for c in spec.covariates if c != outcome)
    if spec.unit == "household" or POPULATIONS[spec.population] == "household":
        source = (
            "SELECT household_id AS unit_id, department_id, year, "
            "avg(CAST(equivalised_income AS DECIMAL(38, 8))) AS equivalised_income, "
            "max(CASE WHEN in_mover THEN 1 ELSE 0 END) AS in_mover FROM persons "
            "GROUP BY household_id, department_id, year"
        )
        if outcome != "equivalised_income":
            raise PanelError(
                f"The household-level model supports the outcome equivalised_income, not "
                f"'{outcome}'."
            )
        if spec.covariates:
            raise PanelError("The household-level model takes no individual covariates.")
        cov = ""
        where = "TRUE"
    else:
        from boligeval.panel.aggregate import PERSON_FILTERS

        if spec.population not in PERSON_FILTERS:
            raise PanelError(
                f"The individual-level model needs a person population, not '{spec.population}'."
            )
        source = (
            "SELECT *, person_id AS unit_id, CASE WHEN in_mover THEN 1 ELSE 0 END AS in_mover_flag "
            "FROM persons"
        )
        where = PERSON_FILTERS[spec.population]
    frame = ctx.con.execute(
        f"""
        WITH p AS ({source}),
        every_year AS (
            SELECT department_id FROM persons GROUP BY department_id
            HAVING count(DISTINCT year) = {len(ctx.cfg.measurement_years)}
        )
        SELECT p.department_id, p.year, d.plan_id, d.active_plan,
               {"p.in_mover_flag" if "in_mover_flag" in source else "p.in_mover"} AS in_mover,
               p."{outcome}" AS "{outcome}" {cov}
        FROM p JOIN design d USING (department_id, year)
        WHERE p.year IN ({years}) AND ({where})
          AND p.department_id IN (SELECT department_id FROM every_year)
          AND p."{outcome}" IS NOT NULL
        ORDER BY p.department_id, p.year, p.unit_id
        """
    ).df()
    frame["active_plan"] = frame["active_plan"].astype("float64")
    frame["in_mover"] = frame["in_mover"].astype("float64")
    return frame


def _tidy_records(tidy: pd.DataFrame, base: Record) -> list[Record]:
    out = []
    for _, row in tidy.iterrows():
        rec = dict(base)
        for key, value in row.items():
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and math.isnan(value):
                value = None
            rec[str(key)] = value
        out.append(rec)
    return out


# --------------------------------------------------------------------------- per kind


def _area_did(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    from boligeval.estimate.did import area_did

    data = ctx.panel.for_analysis(spec.population, outcome)
    fit = area_did(data, spec.population, outcome, fixed_effects=_fe(spec),
                   weights=None if spec.weights == "none" else spec.weights,
                   covariates=spec.covariates)
    return list(fit.records("area_did", spec.population, outcome))


def _area_ddd_rent_support(ctx: RegisterContext, spec: AnalysisSpec,
                           outcome: str) -> list[Record]:
    from boligeval.estimate.did import area_ddd_rent_support

    data = ctx.panel.for_analysis(spec.population, outcome)
    fit = area_ddd_rent_support(data, spec.population, outcome,
                                weights=None if spec.weights == "none" else spec.weights)
    return list(fit.records("area_ddd_rent_support", spec.population, outcome))


def _area_ddd_capital(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    from boligeval.estimate.did import area_ddd_capital

    data = ctx.panel.for_analysis(spec.population, outcome)
    fit = area_ddd_capital(data, spec.population, outcome,
                           weights=None if spec.weights == "none" else spec.weights)
    return list(fit.records("area_ddd_capital", spec.population, outcome))


def _individual_did(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    from boligeval.estimate.did import individual_did

    unit = "household" if POPULATIONS[spec.population] == "household" else spec.unit
    persons = unit_frame(ctx, spec, outcome)
    records: list[Record] = []
    for model, movers in (("without_movers", False), ("with_movers", True)):
        fit = individual_did(persons, outcome,
                             unit="household" if unit == "household" else "person",
                             mover_terms=movers,
                             covariates=spec.covariates)
        for rec in fit.records("individual_did", spec.population, outcome):
            rec["model"] = model
            records.append(rec)
    return records


def _att_gt(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    from boligeval.estimate.staggered import att_gt

    data = _panel_wide(ctx, spec.population, outcome)
    inf = ctx.cfg.inference
    res = att_gt(data, yname="value", tname="year", idname="department_id",
                 gname="first_treated",
                 control_group=spec.control_group,  # type: ignore[arg-type]
                 est_method=spec.est_method,  # type: ignore[arg-type]
                 covariates=spec.covariates, cluster="plan_id", bootstrap=True,
                 bootstrap_draws=inf.bootstrap_draws, seed=inf.seed, alpha=inf.alpha)
    base = {"analysis": "att_gt", "population": spec.population, "outcome": outcome,
            "n_departments": int(data["department_id"].nunique()),
            "n_plans": int(data["plan_id"].nunique()), "suppressed": False}
    records = _tidy_records(res.tidy(), base)
    for kind in ("simple", "group", "dynamic", "calendar"):
        agg = res.aggregate(kind)
        records += _tidy_records(
            agg.tidy(), {**base, "analysis": "att_aggregate", "aggregation": kind})
    return records


def _bacon(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    from boligeval.estimate.bacon import bacon

    data = _panel_wide(ctx, spec.population, outcome)
    res = bacon(data, yname="value", tname="year", idname="department_id",
                gname="first_treated")
    base = {"analysis": "bacon", "population": spec.population, "outcome": outcome,
            "n_departments": int(data["department_id"].nunique()), "suppressed": False}
    return _tidy_records(res.tidy(), base)


def _event_study_fit(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> Any:
    from boligeval.estimate.event_study import event_study

    data = _panel_wide(ctx, spec.population, outcome)
    periods = sorted(data["year"].unique())
    index = {y: i for i, y in enumerate(periods)}
    data["period"] = data["year"].map(index)
    data["first_period"] = data["first_treated"].map(lambda g: index.get(g, 0) if g else 0)
    treated = data.loc[data["first_period"] > 0, "first_period"]
    if treated.empty:
        raise EstimationError("The event study needs treated departments.")
    leads = int(treated.max())          # periods before the latest cohort's start
    lags = int(len(periods) - 1 - treated.min())
    if leads < 2:
        raise EstimationError(
            "The event study needs at least two pre-treatment measurement years for some "
            "cohort (one is the reference); use annual data (synth --years 2000-2012)."
        )
    return event_study(data, "value", "period", "department_id", "first_period",
                       leads=leads, lags=lags, cluster="plan_id"), data


def _event_study(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    res, data = _event_study_fit(ctx, spec, outcome)
    base = {"analysis": "event_study", "population": spec.population, "outcome": outcome,
            "n_departments": int(data["department_id"].nunique()),
            "n_plans": int(data["plan_id"].nunique()), "n_obs": int(res.fit.n_obs),
            "suppressed": False}
    records = _tidy_records(res.tidy(alpha=ctx.cfg.inference.alpha), base)
    if res.pretrend is not None:
        records.append({**base, "term": "pretrend_wald", "statistic": float(res.pretrend.statistic),
                        "p_value": float(res.pretrend.p_value), "df": int(res.pretrend.df_num)})
    return records


def _honest_did(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    from boligeval.estimate.honest import honest_did

    res, data = _event_study_fit(ctx, spec, outcome)
    tidy = res.tidy()
    pre = tidy[(tidy["event_time"] < res.ref)]
    post = tidy[tidy["event_time"] >= 0]
    names = [*pre["term"], *post["term"]]
    index = [res.fit.terms.index(t) for t in names]
    betahat = np.asarray(res.fit.beta)[index]
    sigma = np.asarray(res.fit.vcov)[np.ix_(index, index)]
    l_vec = np.zeros(len(post))
    l_vec[0] = 1.0  # the effect at the first treated period
    out = honest_did(betahat, sigma, num_pre=len(pre), num_post=len(post),
                     method="relative_magnitude", l_vec=l_vec.tolist(),
                     alpha=ctx.cfg.inference.alpha)
    base = {"analysis": "honest_did", "population": spec.population, "outcome": outcome,
            "n_departments": int(data["department_id"].nunique()), "suppressed": False}
    records = _tidy_records(out.tidy(), base)
    breakdown = float(out.breakdown)
    records.append({**base, "term": "breakdown_mbar",
                    "estimate": breakdown if math.isfinite(breakdown) else None})
    return records


def _wild_bootstrap(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    from boligeval.estimate.bootstrap import wild_cluster_bootstrap
    from boligeval.estimate.did import area_ddd_rent_support, area_did

    data = ctx.panel.for_analysis(spec.population, outcome)
    weights = None if spec.weights == "none" else spec.weights
    fit = area_did(data, spec.population, outcome, fixed_effects=_fe(spec), weights=weights)
    inf = ctx.cfg.inference
    records = []
    res = wild_cluster_bootstrap(fit, "active_plan", bootstrap_draws=inf.wild_bootstrap_draws,
                                 seed=inf.seed, alpha=inf.alpha)
    for rec in res.records("wild_bootstrap", spec.population, outcome):
        rec["model"] = "area_did"
        records.append(rec)
    # The triple-differences combined effect psi + tau + omega, where the model is identified.
    try:
        ddd = area_ddd_rent_support(data, spec.population, outcome, weights=weights)
        combined = {"rent_support": 1.0, "active_plan": 1.0, "rent_support_in_plan": 1.0}
        res = wild_cluster_bootstrap(ddd, combined, bootstrap_draws=inf.wild_bootstrap_draws,
                                     seed=inf.seed, alpha=inf.alpha, label="combined")
    except EstimationError:
        return records
    for rec in res.records("wild_bootstrap", spec.population, outcome):
        rec["model"] = "area_ddd_rent_support"
        records.append(rec)
    return records


def _randomization_inference(ctx: RegisterContext, spec: AnalysisSpec,
                             outcome: str) -> list[Record]:
    from boligeval.estimate.randomization import randomization_inference

    data = ctx.panel.for_analysis(spec.population, outcome)
    inf = ctx.cfg.inference
    res = randomization_inference(data, spec.population, outcome, fixed_effects=_fe(spec),
                                  n_permutations=inf.permutations, seed=inf.seed)
    return res.records("randomization_inference", spec.population, outcome)


def _decomposition(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    from boligeval.estimate.decomposition import mover_decomposition
    from boligeval.panel.decompose import decomposition_terms

    data = ctx.panel.for_analysis(spec.population, outcome)
    terms = decomposition_terms(ctx.con, spec.population, outcome, ctx.cfg.measurement_years)
    terms = terms[terms["department_id"].isin(set(data["department_id"]))]
    res = mover_decomposition(terms, ctx.design.frame)
    return res.records(spec.population, outcome)


def _power(ctx: RegisterContext, spec: AnalysisSpec, outcome: str) -> list[Record]:
    from boligeval.estimate.power import power_analysis

    data = ctx.panel.for_analysis(spec.population, outcome)
    inf = ctx.cfg.inference
    res = power_analysis(data, alpha=inf.alpha, power=inf.power, seed=inf.seed)
    base = {"analysis": "power", "population": spec.population, "outcome": outcome,
            "n_departments": int(data["department_id"].nunique()),
            "n_plans": int(data["plan_id"].nunique()), "suppressed": False}
    return _tidy_records(res.tidy(), base)


def _fe(spec: AnalysisSpec) -> Literal["cohort", "department"]:
    return "department" if spec.fixed_effects == "department" else "cohort"


ANALYSES: dict[str, Callable[[RegisterContext, AnalysisSpec, str], list[Record]]] = {
    "area_did": _area_did,
    "area_ddd_rent_support": _area_ddd_rent_support,
    "area_ddd_capital": _area_ddd_capital,
    "individual_did": _individual_did,
    "att_gt": _att_gt,
    "bacon": _bacon,
    "event_study": _event_study,
    "wild_bootstrap": _wild_bootstrap,
    "randomization_inference": _randomization_inference,
    "honest_did": _honest_did,
    "decomposition": _decomposition,
    "power": _power,
}

#: Analyses that need more than the seed's three measurement years; skipped with a note.
_NEEDS_PRE_PERIODS = ("event_study", "honest_did")


def register_analyses(ctx: RegisterContext, progress: Progress) -> tuple[list[Record],
                                                                          list[str]]:
    """Run every register analysis of the config; return records and notes on skipped ones."""
    records: list[Record] = []
    notes: list[str] = []
    # The default analyses adapt to the data (a small world may not identify every model);
    # analyses the user asked for by name must run or fail with a clear error.
    defaults = ctx.cfg.analysis == default_analyses()
    for spec in ctx.cfg.analysis:
        for outcome in spec.outcomes:
            label = f"{spec.kind} ({spec.population}, {outcome})"
            with progress.stage(label):
                try:
                    records += ANALYSES[spec.kind](ctx, spec, outcome)
                except (EstimationError, PanelError) as exc:
                    pre_periods = spec.kind in _NEEDS_PRE_PERIODS and "pre-treatment" in str(exc)
                    if not (defaults or pre_periods):
                        raise
                    notes.append(f"{label} not estimated: {exc}")
                    progress.log(f"{label} not estimated: {exc}")
    return records, notes


# --------------------------------------------------------------------------- descriptives


def balance_records(ctx: RegisterContext) -> list[Record]:
    """Balance at baseline per group (methods §4; seed tables 4.1 and 4.9)."""
    from boligeval.estimate.balance import balance_table

    baseline = ctx.cfg.measurement_years[0]
    depts = ctx.con.execute(
        "SELECT department_id, capital_area, built_1955_1975_share, one_two_room_share, "
        "long_vacancy FROM departments"
    ).df()
    cells = ctx.panel.cells
    dep = cells[(cells["population"] == "all") & (cells["outcome"] == "deprivation")
                & (cells["year"] == baseline)][["department_id", "value", "n"]]
    dep = dep.rename(columns={"value": "deprivation", "n": "n_deprivation"})
    every = ctx.panel.cells.groupby("department_id")["year"].nunique()
    linked = set(every.index[every == len(ctx.cfg.measurement_years)])
    groups = ctx.design.departments()[["department_id", "cohort"]]
    data = depts.merge(groups, on="department_id").merge(dep, on="department_id", how="left")
    data = data[data["department_id"].isin(linked)]
    table = balance_table(data)
    return _tidy_records(table, {"analysis": "balance"})


def cell_records(ctx: RegisterContext) -> list[Record]:
    """Cohort-by-year means of the analysed panels, with 95 % intervals (seed fig. 4.1-4.2)."""
    wanted = {(a.population, o) for a in ctx.cfg.analysis if a.kind == "area_did"
              for o in a.outcomes}
    frame = ctx.panel.frame
    records: list[Record] = []
    for (population, outcome), sub in frame.groupby(["population", "outcome"], sort=True):
        if (population, outcome) not in wanted:
            continue
        for (cohort, _year), g in sub.groupby(["cohort", "year"], sort=True):
            k = len(g)
            mean = float(g["value"].mean())
            half = (float(stats.t.ppf(0.975, k - 1) * g["value"].std(ddof=1) / math.sqrt(k))
                    if k > 1 else float("nan"))
            # Largest single contribution to the cohort's sum, over that sum.
            amount = (g["value"].abs() * g["n"])
            top = (g["top_share"] * amount).max() / amount.sum() if amount.sum() > 0 else np.nan
            records.append({
                "population": population, "outcome": outcome, "cohort": cohort,
                "year": int(g["year"].iloc[0]), "mean": mean,
                "ci_low": mean - half if k > 1 else None,
                "ci_high": mean + half if k > 1 else None,
                "n_departments": int(k), "n_persons": int(g["n"].sum()),
                "top_share": None if pd.isna(top) else float(top),
            })
    return records


def cohort_names(design: DesignTable) -> dict[str, str]:
    """Department id -> cohort name (``control`` for the comparison group)."""
    d = design.departments()
    return dict(zip(d["department_id"], d["cohort"].fillna(CONTROL), strict=True))
