"""Power and minimum detectable effect of the area-level DiD on the actual panel.

Analytical: with the cluster-robust standard error ``SE`` of the TWFE
estimate on the real panel and ``G - 1`` degrees of freedom,
``MDE = (t_{1-alpha/2} + t_{power}) * SE`` and the power against an effect
``tau`` is ``P(|T| > t_{1-alpha/2})`` for ``T ~ t(G-1) + tau/SE``.

Simulation: the real outcomes are kept (after removing the estimated effect),
cohort labels are reassigned at random across plans keeping the cohort sizes
(placebo designs with the real correlation structure), ``tau`` is added to the
placebo-treated department-years, the model is re-estimated with CR1 SEs
clustered on plan, and the share of rejections at ``alpha`` is the power.

When an activity reaches only a share ``p`` of the residents, an area effect
``tau`` corresponds to an individual effect ``tau / p``; the detectable
individual effect is ``MDE / p``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.errors import EstimationError
from boligeval.estimate.ols import feols

__all__ = [
    "MdeResult",
    "PowerAnalysisResult",
    "PowerResult",
    "mde",
    "power",
    "simulated_power",
]

FixedEffects = Literal["department", "cohort"]
_D = "_boligeval_d"
_G = "_boligeval_g"
_C = "_boligeval_c"


@dataclass(frozen=True)
class MdeResult:
    """Analytical minimum detectable effect.

    Attributes
    ----------
    mde : float
        Minimum detectable area-level effect.
    mde_individual : float
        ``mde / share_reached``: the detectable effect on those reached.
    std_error : float
        Cluster-robust SE of the TWFE estimate on the real panel.
    df : int
        Degrees of freedom (clusters - 1).
    power, alpha, share_reached : float
        Target power, test level and share of residents reached.
    """

    mde: float
    mde_individual: float
    std_error: float
    df: int
    power: float
    alpha: float
    share_reached: float

    def tidy(self) -> pd.DataFrame:
        """Two rows: the area-level MDE and the individual-level MDE."""
        return pd.DataFrame(
            {
                "term": ["mde", "mde_individual"],
                "estimate": [self.mde, self.mde_individual],
                "std_error": [self.std_error, self.std_error / self.share_reached],
                "p_value": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
            }
        )

    def summary(self) -> str:
        """One-paragraph text."""
        return (
            f"Minimum detectable effect at power {self.power:g}, alpha {self.alpha:g}: "
            f"{self.mde:.4g} (SE {self.std_error:.4g}, df {self.df}); "
            f"reaching {100 * self.share_reached:g}% of residents: {self.mde_individual:.4g}"
        )


@dataclass(frozen=True)
class PowerResult:
    """Power against an effect, analytical and simulated.

    Attributes
    ----------
    effect : float
        Injected area-level effect.
    analytic_power : float
        Power from the t approximation with the real panel's SE.
    simulated_power : float
        Share of placebo designs rejecting at ``alpha`` (NaN when ``n_sim = 0``).
    simulated_se : float
        Monte Carlo standard error of ``simulated_power``.
    n_sim : int
        Placebo designs drawn.
    std_error : float
        Cluster-robust SE of the TWFE estimate on the real panel.
    df : int
        Degrees of freedom (clusters - 1).
    alpha : float
        Test level.
    """

    effect: float
    analytic_power: float
    simulated_power: float
    simulated_se: float
    n_sim: int
    std_error: float
    df: int
    alpha: float

    def tidy(self) -> pd.DataFrame:
        """Rows for the analytical and the simulated power (Monte Carlo SE on the latter)."""
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        return pd.DataFrame(
            {
                "term": ["analytic_power", "simulated_power"],
                "estimate": [self.analytic_power, self.simulated_power],
                "std_error": [0.0, self.simulated_se],
                "p_value": np.nan,
                "ci_low": [self.analytic_power, self.simulated_power - z * self.simulated_se],
                "ci_high": [self.analytic_power, self.simulated_power + z * self.simulated_se],
            }
        )

    def summary(self) -> str:
        """One-paragraph text."""
        return (
            f"Power against {self.effect:g} at alpha {self.alpha:g}: analytic "
            f"{self.analytic_power:.3f}, simulated {self.simulated_power:.3f} "
            f"(MC SE {self.simulated_se:.3f}, {self.n_sim} placebo designs)"
        )


def _design(
    data: pd.DataFrame, yname: str, tname: str, idname: str, gname: str, cluster: str,
    cohort: str | None = None,
) -> pd.DataFrame:
    cols = [yname, tname, idname, gname, cluster, *([cohort] if cohort else [])]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise EstimationError(f"columns not in data: {missing}")
    df = data.loc[:, list(dict.fromkeys(cols))].copy()
    if df[cols].isna().any().any():
        raise EstimationError("missing values in outcome, period, id, group or cluster")
    plan_g = df.groupby(cluster)[gname].nunique()
    if (plan_g > 1).any():
        raise EstimationError(f"{gname!r} must be constant within each {cluster!r} (plan)")
    g = df[gname].to_numpy(dtype=float)
    df[_G] = g
    df[_D] = ((g > 0) & (df[tname].to_numpy(dtype=float) >= g)).astype(float)
    # Cohort fixed effects: the design's cohorts (grant years) when given, else first years.
    df[_C] = pd.factorize(df[cohort])[0].astype(float) if cohort else g
    if df[_D].nunique() < 2:
        raise EstimationError("no treated department-years (or no untreated ones)")
    return df


def _fit(
    df: pd.DataFrame,
    yname: str,
    tname: str,
    idname: str,
    cluster: str,
    fe: FixedEffects,
    weights: str | None,
) -> tuple[float, float, int]:
    fes = [idname, tname] if fe == "department" else [_C, tname]
    res = feols(df, yname, [_D], fixed_effects=fes, weights=weights, vcov="CR1",
                cluster=cluster)
    i = list(res.terms).index(_D)
    return float(res.beta[i]), float(np.sqrt(res.vcov[i, i])), int(res.df_resid)


def _check(alpha: float, share_reached: float) -> None:
    if not 0 < alpha < 1:
        raise EstimationError("alpha must be in (0, 1)")
    if not 0 < share_reached <= 1:
        raise EstimationError("share_reached must be in (0, 1]")


def mde(
    data: pd.DataFrame,
    *,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    cluster: str,
    power: float = 0.8,
    alpha: float = 0.05,
    fixed_effects_level: FixedEffects = "department",
    weights: str | None = None,
    share_reached: float = 1.0,
    cohort: str | None = None,
) -> MdeResult:
    """Analytical minimum detectable effect of the TWFE DiD on this panel.

    Parameters
    ----------
    data : pandas.DataFrame
        Department-year panel (long).
    yname, tname, idname, gname, cluster : str
        Outcome, year, department, first active year (0 = never) and plan columns.
    power, alpha : float
        Target power and two-sided test level.
    fixed_effects_level : {"department", "cohort"}
        Department or cohort fixed effects, with year effects (docs/methods.md §5.1).
    weights : str, optional
        Analytic weights column (e.g. the cell count).
    share_reached : float
        Share of residents the activity reaches; the individual MDE is MDE / p.
    cohort : str, optional
        Column of the design's cohorts (constant within plan) for cohort fixed
        effects, as the DiD tables use; default the first active year.
    """
    _check(alpha, share_reached)
    if not 0 < power < 1:
        raise EstimationError("power must be in (0, 1)")
    df = _design(data, yname, tname, idname, gname, cluster, cohort)
    _, se, dof = _fit(df, yname, tname, idname, cluster, fixed_effects_level, weights)
    m = (stats.t.ppf(1 - alpha / 2, dof) + stats.t.ppf(power, dof)) * se
    return MdeResult(float(m), float(m / share_reached), se, dof, power, alpha, share_reached)


def simulated_power(
    data: pd.DataFrame,
    *,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    cluster: str,
    effect: float,
    alpha: float = 0.05,
    fixed_effects_level: FixedEffects = "department",
    weights: str | None = None,
    n_sim: int = 500,
    seed: int | None = None,
    remove_estimated_effect: bool = True,
    cohort: str | None = None,
) -> PowerResult:
    """Power of the TWFE DiD against ``effect``: analytical and by placebo simulation.

    Parameters
    ----------
    data : pandas.DataFrame
        Department-year panel (long).
    yname, tname, idname, gname, cluster : str
        Outcome, year, department, first active year (0 = never) and plan columns.
    effect : float
        Area-level effect injected into placebo-treated department-years.
    alpha : float
        Two-sided test level.
    fixed_effects_level : {"department", "cohort"}
        Department or cohort fixed effects, with year effects.
    weights : str, optional
        Analytic weights column.
    n_sim : int
        Placebo designs (cohort labels permuted across plans, sizes kept).
    seed : int, optional
        Seed of ``numpy.random.default_rng``.
    remove_estimated_effect : bool
        Subtract the estimated effect from the really treated cells first, so
        a real effect does not leak into the placebo designs.
    cohort : str, optional
        Column of the design's cohorts for cohort fixed effects (moved with
        the first years in the placebo designs).
    """
    _check(alpha, 0.5)
    if n_sim < 0:
        raise EstimationError("n_sim must be non-negative")
    df = _design(data, yname, tname, idname, gname, cluster, cohort)
    beta, se, dof = _fit(df, yname, tname, idname, cluster, fixed_effects_level, weights)
    crit = stats.t.ppf(1 - alpha / 2, dof)
    shift = effect / se
    analytic = float(stats.t.sf(crit - shift, dof) + stats.t.cdf(-crit - shift, dof))
    base_y = df[yname].to_numpy(dtype=float) - (
        beta * df[_D].to_numpy() if remove_estimated_effect else 0.0
    )
    plans = df.groupby(cluster, sort=True)[_G].first()
    plan_cohort = df.groupby(cluster, sort=True)[_C].first().to_numpy(dtype=float)
    codes = pd.Index(plans.index).get_indexer(df[cluster])
    t = df[tname].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    rejections = 0
    sim = df.copy()
    for _ in range(n_sim):
        order = rng.permutation(len(plans))
        g = plans.to_numpy(dtype=float)[order][codes]
        d = ((g > 0) & (t >= g)).astype(float)
        sim[_G] = g
        sim[_C] = plan_cohort[order][codes]
        sim[_D] = d
        sim[yname] = base_y + effect * d
        b, s, k = _fit(sim, yname, tname, idname, cluster, fixed_effects_level, weights)
        rejections += bool(abs(b / s) > stats.t.ppf(1 - alpha / 2, k))
    sp = rejections / n_sim if n_sim else float("nan")
    mc = float(np.sqrt(sp * (1 - sp) / n_sim)) if n_sim else float("nan")
    return PowerResult(float(effect), analytic, float(sp), mc, n_sim, se, dof, alpha)




@dataclass(frozen=True)
class PowerAnalysisResult:
    """MDE and the simulated power at it, for the pipeline.

    Attributes
    ----------
    mde : MdeResult
        Analytical minimum detectable effect.
    power : PowerResult
        Analytical and simulated power against that MDE.
    """

    mde: MdeResult
    power: PowerResult

    def tidy(self) -> pd.DataFrame:
        """MDE rows, then the power rows."""
        return pd.concat([self.mde.tidy(), self.power.tidy()], ignore_index=True)

    def summary(self) -> str:
        """Both summaries."""
        return self.mde.summary() + "\n" + self.power.summary()


def power(
    data: pd.DataFrame,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    seed: int | None = None,
    yname: str = "value",
    tname: str = "year",
    idname: str = "department_id",
    cluster: str = "plan_id",
    treatment: str = "active_plan",
    share_reached: float = 1.0,
    n_sim: int = 500,
    fixed_effects_level: FixedEffects = "department",
    cohort: str | None = None,
) -> PowerAnalysisResult:
    """MDE and simulated power at the MDE on a panel in the project's long format.

    The first year with ``treatment == 1`` is each department's cohort (0 if never).

    Parameters
    ----------
    data : pandas.DataFrame
        Panel of one population and outcome (``panel.parquet`` columns).
    alpha, power : float
        Test level and target power.
    seed : int, optional
        Seed of ``numpy.random.default_rng`` for the placebo draws.
    yname, tname, idname, cluster, treatment : str
        Column names.
    share_reached : float
        Share of residents an activity reaches (individual MDE = MDE / p).
    n_sim : int
        Placebo designs.
    fixed_effects_level : {"department", "cohort"}
        The model whose standard error the MDE uses: the one the analysis asks
        for (the seed's area models have cohort and year effects).
    cohort : str, optional
        Column of the design's cohorts for cohort fixed effects (``"cohort"``
        in the panel), so the SE is the DiD table's; default the first active year.
    """
    if treatment not in data.columns:
        raise EstimationError(f"column {treatment!r} not in data")
    active = data[treatment].to_numpy(dtype=float) > 0
    first = pd.Series(np.where(active, data[tname].to_numpy(dtype=float), np.inf))
    g = first.groupby(data[idname].to_numpy()).transform("min").to_numpy()
    df = data.assign(_boligeval_first=np.where(np.isinf(g), 0.0, g))
    gname = "_boligeval_first"
    m = mde(df, yname=yname, tname=tname, idname=idname, gname=gname, cluster=cluster,
            power=power, alpha=alpha, share_reached=share_reached,
            fixed_effects_level=fixed_effects_level, cohort=cohort)  # fmt: skip
    p = simulated_power(df, yname=yname, tname=tname, idname=idname, gname=gname,
                        cluster=cluster, effect=m.mde, alpha=alpha, n_sim=n_sim, seed=seed,
                        fixed_effects_level=fixed_effects_level, cohort=cohort)
    return PowerAnalysisResult(m, p)
