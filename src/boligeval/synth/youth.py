"""Children's and youth outcomes of the synthetic world (seed ch. 4, "børn og unge").

Every child aged 0-17 gets the register outcomes of docs/input-contract.md:
placements outside the home and visits to the general practitioner and the
dentist every year, the relative grade at the lower-secondary leaving exam in
the year they turn ``EXAM_AGE``, and whether they started a youth education
in the year after. Levels depend on the family background (no adult of the
household employed, or none with a competence-giving education: the
``vulnerable_youth`` rule of docs/methods.md §3.1) and a little on the
department, so the populations differ as in the registers.

The seed finds no effect on children and youth within the plans' 1-3 years,
so the true effect is zero by default; the ``plan_youth_*`` fields of
:class:`~boligeval.synth.effects.Effects` shift the outcomes of every child
in an active-plan department-year (the counterfactual world keeps the
unshifted values, drawn from the same uniforms). Convictions are the
residents' ``convicted`` column, drawn with the adults, and have no youth
effect. The draws come from their own generator, so every other column of the
world is the same as without them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from boligeval.synth.effects import Effects

__all__ = ["EXAM_AGE", "YOUTH_COLUMNS", "YouthDraw", "youth_outcomes"]

#: Age at the lower-secondary leaving exam (9th grade, the year of the 16th birthday).
EXAM_AGE = 16
#: Last age of a child (18 and over are adults).
CHILD_MAX_AGE = 17
#: Residents columns written here, in schema order.
YOUTH_COLUMNS = ("exam_grade_relative", "youth_education_started", "placed_outside_home",
                 "gp_visits", "dentist_visits")
_COMPETENCE = ("vocational", "short_tertiary", "medium_tertiary", "long_tertiary")


@dataclass(frozen=True)
class YouthDraw:
    """The youth columns of one department in both worlds (object arrays with None)."""

    observed: dict[str, np.ndarray]
    counterfactual: dict[str, np.ndarray]


def _vulnerable(columns: dict[str, np.ndarray], age: np.ndarray) -> np.ndarray:
    """Whether the row's household has no adult employed or none educated (False if no adult)."""
    household, _ = pd.factorize(columns["household_id"])
    year, _ = pd.factorize(columns["year"])
    group = household.astype(np.int64) * (int(year.max(initial=0)) + 1) + year
    adult = age >= CHILD_MAX_AGE + 1
    n_groups = int(group.max(initial=-1)) + 1

    def anyone(flag: np.ndarray) -> np.ndarray:
        return (np.bincount(group, weights=flag, minlength=n_groups) > 0)[group]

    employed = adult & (columns["income_source"] == "employed")
    educated = adult & np.isin(columns["education"], _COMPETENCE)
    return anyone(adult) & (~anyone(employed) | ~anyone(educated))


def _poisson(u: np.ndarray, mean: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Poisson counts by inversion, computed only where they are kept (children).

    The smallest ``k`` whose cumulative probability reaches ``u`` (as
    ``scipy.stats.poisson.ppf``, about 15 times faster), summing the
    probabilities up from ``k = 0`` for the draws not yet reached.
    """
    out = np.zeros(len(u), dtype=np.int64)
    uu, mu = u[keep], mean[keep]
    count = np.zeros(len(uu), dtype=np.int64)
    prob = np.exp(-mu)
    cdf = prob.copy()
    todo = np.flatnonzero(uu > cdf)
    k = 0
    while todo.size:
        k += 1
        prob[todo] *= mu[todo] / k
        cdf[todo] += prob[todo]
        count[todo] = k
        todo = todo[uu[todo] > cdf[todo]]
    out[keep] = count
    return out


def _masked(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    out = values.astype(object)
    out[~keep] = None
    return out


def youth_outcomes(rng: np.random.Generator, columns: dict[str, np.ndarray], start: int,
                   x: float, effects: Effects) -> YouthDraw:
    """Draw the youth columns of one department's person-years.

    Parameters
    ----------
    rng : numpy.random.Generator
        The department's own generator for these draws.
    columns : dict of str to numpy.ndarray
        The department's residents columns (year, birth_year, household_id,
        income_source, education).
    start : int
        First year the department's plan is active (-1 or 0: never).
    x : float
        The department's disadvantage index (higher: more disadvantaged).
    effects : Effects
        The ``plan_youth_*`` effects apply in active-plan years.
    """
    year = np.asarray(columns["year"], dtype=np.int64)
    age = year - np.asarray(columns["birth_year"], dtype=np.int64)
    n = len(year)
    child = (age >= 0) & (age <= CHILD_MAX_AGE)
    vuln = _vulnerable(columns, age).astype(float)
    active = (start > 0) & (year >= start)
    level = float(np.clip(x, -2.0, 2.0))
    u_exam, u_start, u_placed, u_gp, u_dent = rng.random((5, n))
    z_exam = stats.norm.ppf(np.clip(u_exam, 1e-12, 1 - 1e-12))

    def draw(shift: np.ndarray) -> dict[str, np.ndarray]:
        eff = shift.astype(float)
        exam = np.round(np.clip(-0.2 - 1.1 * vuln - 0.15 * level + 2.2 * z_exam
                                + eff * effects.plan_youth_exam_grade, -9.0, 9.0), 1)
        p_start = np.clip(0.82 - 0.17 * vuln - 0.02 * level
                          + eff * effects.plan_youth_education_pp / 100, 0.0, 1.0)
        p_placed = np.clip(0.008 + 0.03 * vuln + 0.003 * level
                           + eff * effects.plan_youth_placed_pp / 100, 0.0, 1.0)
        gp = np.clip(3.2 + 1.1 * vuln + 0.1 * level + eff * effects.plan_youth_gp_visits,
                     0.01, None)
        dentist = np.clip(1.3 - 0.35 * vuln - 0.05 * level
                          + eff * effects.plan_youth_dentist_visits, 0.01, None)
        return {
            "exam_grade_relative": _masked(exam, child & (age == EXAM_AGE)),
            "youth_education_started": _masked(u_start < p_start, child & (age == EXAM_AGE + 1)),
            "placed_outside_home": _masked(u_placed < p_placed, child),
            "gp_visits": _masked(_poisson(u_gp, gp, child), child),
            "dentist_visits": _masked(_poisson(u_dent, dentist, child), child),
        }

    return YouthDraw(observed=draw(active), counterfactual=draw(np.zeros(n, dtype=bool)))
