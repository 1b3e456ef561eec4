"""The seed's difference-in-differences analyses as thin calls on ``feols``.

Area level (docs/methods.md §5.1-5.2) on the long department-year panel, individual
level (§5.3) on a person-level frame. Every model clusters on plan with CR1
and ``t(G - 1)`` inference; a department without a plan is its own cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from boligeval.errors import EstimationError
from boligeval.estimate.ols import FeolsResult, LincomResult, add_dummies, feols
from boligeval.vocabulary import stars

__all__ = [
    "DidResult",
    "area_ddd_capital",
    "area_ddd_rent_support",
    "area_did",
    "individual_did",
]

CLUSTER = "_plan_cluster"

# What each model is, for summaries and error messages.
_AREA = "area-level DiD"
_RENT = "triple differences (rent support)"
_CAPITAL = "capital-area sensitivity"
_INDIVIDUAL = "individual-level DiD"
PANEL_COLUMNS = (
    "department_id",
    "plan_id",
    "year",
    "population",
    "outcome",
    "value",
    "cohort",
    "active_plan",
)


@dataclass(frozen=True, slots=True, eq=False)
class DidResult:
    """A DiD model with its sample sizes, ready for tables and results.json.

    Attributes
    ----------
    model : str
        What was estimated (area-level DiD, triple differences, ...).
    population, outcome : str or None
        What was estimated.
    fit : FeolsResult
        The regression.
    n_departments, n_plans : int
        Departments and plans in the estimation sample.
    combinations : tuple of (str, LincomResult)
        Extra reported linear combinations (e.g. ``combined`` = psi + tau + omega).
    """

    model: str
    population: str | None
    outcome: str | None
    fit: FeolsResult
    n_departments: int
    n_plans: int
    combinations: tuple[tuple[str, LincomResult], ...] = ()

    @property
    def n_obs(self) -> int:
        """Observations used."""
        return self.fit.n_obs

    @property
    def adj_r2(self) -> float:
        """Adjusted R-squared of the full model."""
        return self.fit.adj_r2

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """Coefficients and combinations, in the ``FeolsResult.tidy`` columns."""
        parts = [self.fit.tidy(alpha)]
        parts += [lc.tidy(name) for name, lc in self.combinations]
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        """Seed-style table: coefficient, stars, (SE), departments, plans, adj. R2."""
        label = " / ".join(x for x in (self.population, self.outcome) if x)
        lines = [f"{self.model}" + (f" ({label})" if label else "")]
        for row in self.tidy().to_dict("records"):
            lines.append(
                f"  {row['term']:<30}{row['estimate']:>12.4f}{stars(row['p_value']):<3} "
                f"({row['std_error']:.4f})"
            )
        lines.append(
            f"  departments {self.n_departments}, plans {self.n_plans}, N {self.n_obs}, "
            f"adj. R2 {self.adj_r2:.3f}"
        )
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise EstimationError(f"{what} lacks the columns {missing}")


def _with_cluster(frame: pd.DataFrame) -> pd.DataFrame:
    """Plan as cluster; a department without a plan is a cluster of its own."""
    plan_codes = pd.factorize(frame["plan_id"])[0]
    if (plan_codes >= 0).all():
        return frame.assign(**{CLUSTER: plan_codes})
    dep_codes = pd.factorize(frame["department_id"])[0]
    codes = np.where(plan_codes >= 0, plan_codes, plan_codes.max() + 1 + dep_codes)
    return frame.assign(**{CLUSTER: codes})


def _slice(panel: pd.DataFrame, population: str, outcome: str) -> pd.DataFrame:
    _require(panel, PANEL_COLUMNS, "the panel")
    pops = set(panel["population"].dropna().unique())
    if population not in pops:
        raise EstimationError(
            f"population {population!r} is not in the panel; it has {sorted(pops)}"
        )
    sub = panel[panel["population"] == population]
    outs = set(sub["outcome"].dropna().unique())
    if outcome not in outs:
        raise EstimationError(
            f"outcome {outcome!r} is not in the panel for population {population!r}; "
            f"it has {sorted(outs)}"
        )
    return _with_cluster(sub[sub["outcome"] == outcome].reset_index(drop=True))


def _check_groups(frame: pd.DataFrame, what: str) -> None:
    treated = frame.groupby("department_id")["active_plan"].max()
    if not (treated > 0).any():
        raise EstimationError(f"{what}: no treated departments (active_plan is never 1)")
    if not (treated == 0).any():
        raise EstimationError(
            f"{what}: no control departments (every department has an active plan)"
        )


def _counts(frame: pd.DataFrame, fit: FeolsResult) -> tuple[int, int]:
    used = frame.loc[np.asarray(fit.design.sample)]
    return int(used["department_id"].nunique()), int(used["plan_id"].dropna().nunique())


def _weights(frame: pd.DataFrame, weights: str | None) -> str | None:
    if weights is not None and weights not in frame.columns:
        raise EstimationError(f"weights must be None or a column of the panel; got {weights!r}")
    return weights


def _area_terms(
    frame: pd.DataFrame, fixed_effects_level: str, covariates: Sequence[str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Year dummies plus cohort dummies or department fixed effects."""
    _require(frame, list(covariates), "the panel")
    frame, years = add_dummies(frame, "year", prefix="year")
    if fixed_effects_level == "cohort":
        if "control" not in set(frame["cohort"]):
            raise EstimationError('no control departments (cohort "control") in the sample')
        frame, cohorts = add_dummies(frame, "cohort", reference="control")
        return frame, [*years, *cohorts], []
    if fixed_effects_level == "department":
        return frame, years, ["department_id"]
    raise EstimationError(
        f'fixed_effects_level must be "cohort" or "department", got {fixed_effects_level!r}'
    )


# --------------------------------------------------------------------------- area level


def area_did(
    panel: pd.DataFrame,
    population: str,
    outcome: str,
    *,
    fixed_effects_level: Literal["cohort", "department"] = "cohort",
    weights: str | None = None,
    covariates: Sequence[str] = (),
) -> DidResult:
    """Area-level DiD: ``Y_st = a + year + cohort (or department) + tau D_st + Z'd``.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long department-year panel.
    population, outcome : str
        The slice of the panel to estimate.
    fixed_effects_level : {"cohort", "department"}, default "cohort"
        Cohort dummies (the seed's tables) or absorbed department effects.
    weights : str, optional
        Column of analytic weights (``"n"``: the number of units in the cell).
    covariates : sequence of str
        Extra numeric panel columns.

    Returns
    -------
    DidResult
        Terms ``active_plan``, ``year_<t>``, ``cohort_<g>`` (and covariates).
    """
    frame = _slice(panel, population, outcome)
    _check_groups(frame, _AREA)
    frame, dummies, fes = _area_terms(frame, fixed_effects_level, covariates)
    fit = feols(
        frame,
        "value",
        ["active_plan", *dummies, *covariates],
        fes,
        weights=_weights(frame, weights),
        vcov="CR1",
        cluster=CLUSTER,
    )
    n_dep, n_plans = _counts(frame, fit)
    return DidResult(_AREA, population, outcome, fit, n_dep, n_plans)


def area_ddd_rent_support(
    panel: pd.DataFrame,
    population: str,
    outcome: str,
    *,
    fixed_effects_level: Literal["cohort", "department"] = "cohort",
    weights: str | None = None,
    covariates: Sequence[str] = (),
) -> DidResult:
    """Triple differences for plans and rent support (docs/methods.md §5.2).

    ``Y = ... + tau D + psi R + omega D R + rent-support cohort dummies``. The
    reference (control) group is the departments with neither an active plan
    nor rent support in the period; departments with rent support only
    identify ``psi``. Reports ``active_plan`` (tau), ``rent_support`` (psi),
    ``rent_support_in_plan`` (omega) and ``combined`` = psi + tau + omega with
    its cluster-robust standard error.

    Parameters
    ----------
    panel, population, outcome, fixed_effects_level, weights, covariates
        As ``area_did``; the panel also needs ``rent_support`` and
        ``rent_support_cohort`` (reference level ``"none"``).

    Returns
    -------
    DidResult
    """
    _require(panel, ["rent_support", "rent_support_cohort"], "the panel")
    frame = _slice(panel, population, outcome)
    _check_groups(frame, _RENT)
    by_dep = frame.groupby("department_id")[["active_plan", "rent_support"]].max()
    if not (by_dep["rent_support"] > 0).any():
        raise EstimationError(f"{_RENT}: no department receives rent support")
    if not ((by_dep["rent_support"] == 0) & (by_dep["active_plan"] == 0)).any():
        raise EstimationError(
            f"{_RENT}: no control departments with neither a plan nor rent support"
        )
    frame = frame.assign(rent_support_in_plan=frame["active_plan"] * frame["rent_support"])
    frame, dummies, fes = _area_terms(frame, fixed_effects_level, covariates)
    rs_dummies: list[str] = []
    if fixed_effects_level == "cohort":
        if "none" not in set(frame["rent_support_cohort"]):
            raise EstimationError('rent_support_cohort has no reference level "none"')
        frame, rs_dummies = add_dummies(frame, "rent_support_cohort", reference="none")
    x = ["active_plan", "rent_support", "rent_support_in_plan", *dummies, *rs_dummies, *covariates]
    fit = feols(
        frame, "value", x, fes, weights=_weights(frame, weights), vcov="CR1", cluster=CLUSTER
    )
    combined = fit.lincom({"active_plan": 1, "rent_support": 1, "rent_support_in_plan": 1})
    n_dep, n_plans = _counts(frame, fit)
    return DidResult(
        _RENT, population, outcome, fit, n_dep, n_plans, (("combined", combined),)
    )


def area_ddd_capital(
    panel: pd.DataFrame,
    population: str,
    outcome: str,
    *,
    fixed_effects_level: Literal["cohort", "department"] = "cohort",
    weights: str | None = None,
    covariates: Sequence[str] = (),
) -> DidResult:
    """Capital-area sensitivity: ``area_did`` plus ``capital_area x year`` and ``capital_area x D``.

    Terms ``capital_area`` (with cohort dummies), ``capital_area_x_year_<t>``
    and ``capital_area_x_active_plan`` are added; ``active_plan`` is then the
    effect outside the capital area.

    Parameters
    ----------
    panel, population, outcome, fixed_effects_level, weights, covariates
        As ``area_did``; the panel also needs ``capital_area``.

    Returns
    -------
    DidResult
    """
    _require(panel, ["capital_area"], "the panel")
    frame = _slice(panel, population, outcome)
    _check_groups(frame, _CAPITAL)
    cap = frame["capital_area"].astype(float)
    if cap.nunique() < 2:
        raise EstimationError(f"{_CAPITAL}: capital_area does not vary in the sample")
    frame, dummies, fes = _area_terms(frame.assign(capital_area=cap), fixed_effects_level,
                                      covariates)
    years = [d for d in dummies if d.startswith("year_")]
    inter = {f"capital_area_x_{y}": frame["capital_area"] * frame[y] for y in years}
    inter["capital_area_x_active_plan"] = frame["capital_area"] * frame["active_plan"]
    frame = frame.assign(**inter)
    main = ["capital_area"] if fixed_effects_level == "cohort" else []
    x = ["active_plan", *dummies, *main, *inter, *covariates]
    fit = feols(
        frame, "value", x, fes, weights=_weights(frame, weights), vcov="CR1", cluster=CLUSTER
    )
    n_dep, n_plans = _counts(frame, fit)
    return DidResult(_CAPITAL, population, outcome, fit, n_dep, n_plans)


# --------------------------------------------------------------------------- individual level


def individual_did(
    persons: pd.DataFrame,
    outcome: str,
    *,
    unit: Literal["person", "household"] = "person",
    mover_terms: bool = True,
    covariates: Sequence[str] = (),
    population: str | None = None,
    weights: str | None = None,
) -> DidResult:
    """Individual-level DiD (docs/methods.md §5.3) with absorbed department effects.

    ``y_ist = department FE + year + tau D_st + theta M_ist + phi M_ist D_st``,
    clustered on plan (CR1). Terms ``active_plan``, ``in_mover``,
    ``in_mover_active_plan`` and ``year_<t>``.

    Parameters
    ----------
    persons : pandas.DataFrame
        One row per person (or household) and year: department_id, plan_id,
        year, active_plan, in_mover, the outcome and any covariates.
    outcome : str
        Outcome column.
    unit : {"person", "household"}, default "person"
        What a row is (recorded as the population when none is given).
    mover_terms : bool, default True
        Include ``in_mover`` and ``in_mover_active_plan``.
    covariates : sequence of str
        Extra numeric columns.
    population : str, optional
        Population label for the records.
    weights : str, optional
        Analytic-weight column.

    Returns
    -------
    DidResult
    """
    base = ["department_id", "plan_id", "year", "active_plan", outcome, *covariates]
    if mover_terms:
        base.append("in_mover")
    if weights:
        base.append(weights)
    _require(persons, base, "the person data")
    frame = _with_cluster(persons[list(dict.fromkeys(base))])
    _check_groups(frame, _INDIVIDUAL)
    x = ["active_plan"]
    if mover_terms:
        frame = frame.assign(in_mover_active_plan=frame["in_mover"] * frame["active_plan"])
        x += ["in_mover", "in_mover_active_plan"]
    frame, years = add_dummies(frame, "year", prefix="year")
    fit = feols(
        frame,
        outcome,
        [*x, *years, *covariates],
        ["department_id"],
        weights=weights,
        vcov="CR1",
        cluster=CLUSTER,
    )
    n_dep, n_plans = _counts(frame, fit)
    return DidResult(_INDIVIDUAL, population or unit, outcome, fit, n_dep, n_plans)
