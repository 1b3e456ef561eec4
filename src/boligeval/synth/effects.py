"""Effect sizes of the synthetic world.

The programme acts through who moves in (seed §4): an arrival of working age
(16-64) into a department whose plan is active, or which has rent support, is
more likely to have employment as primary income source and may have a
higher disposable income. A programme-induced move into employment brings
``employment_income_share`` of the income difference between a job and the
person's other income source (calibrated so that the true income effects are
near the seed's). Stayers, children and the elderly get no effect.

Who counts as an arrival at measurement year ``t``: a person whose
``move_in_year`` lies after the previous measurement year and at or before
``t``. In-movers proper (``move_in_year == t``) get the full in-mover effect;
earlier arrivals in the window get the plan effect times
``plan_earlier_arrival_factor`` (rent-support effects act on in-movers only).
After the window the person is a stayer and follows their own path again, so
the expected area-level effect is the same in every treated department-year.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

from boligeval.errors import ConfigError

__all__ = ["Effects"]


@dataclass(frozen=True)
class Effects:
    """Effect sizes (percentage points and 2009 DKK) of plans and rent support.

    Parameters
    ----------
    plan_employed_pp : float
        Change in the probability (points) that a working-age in-mover into an
        active-plan department is employed.
    plan_income_dkk : float
        Direct change in real disposable income (2009 DKK) of such an in-mover,
        on top of the change that comes with employment.
    employment_income_share : float
        Share of the income difference between employment and the person's
        other income source that a programme-induced move into employment
        brings (the jobs found are marginal: part-time, lower wages). Applies
        to plan and rent-support effects alike.
    plan_earlier_arrival_factor : float
        Plan effect on arrivals earlier in the window (after the previous
        measurement year, before ``t``) relative to in-movers.
    rent_support_employed_pp, rent_support_income_dkk : float
        Effect of rent support on working-age in-movers (seed's psi).
    rent_support_in_plan_employed_pp, rent_support_in_plan_income_dkk : float
        Extra effect when both apply (seed's omega; negative in the seed).
    dynamic_growth : float
        With ``dynamic=True``: relative growth of the plan effect per year since
        the plan started.
    dynamic_cohort_step : float
        With ``dynamic=True``: relative change of the plan effect per grant year
        after 2006 (later cohorts differ).
    plan_youth_exam_grade, plan_youth_education_pp, plan_youth_placed_pp : float
        Effect of an active plan on every child's relative exam grade (grade
        points), probability of starting a youth education and of a placement
        outside the home (points); zero as the seed finds (:mod:`boligeval.synth.youth`).
    plan_youth_gp_visits, plan_youth_dentist_visits : float
        Effect of an active plan on a child's expected visits to the general
        practitioner and the dentist per year.
    """

    plan_employed_pp: float = 3.0
    plan_income_dkk: float = 0.0
    plan_earlier_arrival_factor: float = 4.0
    employment_income_share: float = 0.45
    rent_support_employed_pp: float = 12.0
    rent_support_income_dkk: float = 0.0
    rent_support_in_plan_employed_pp: float = -12.6
    rent_support_in_plan_income_dkk: float = 0.0
    dynamic_growth: float = 0.35
    dynamic_cohort_step: float = -0.15
    plan_youth_exam_grade: float = 0.0
    plan_youth_education_pp: float = 0.0
    plan_youth_placed_pp: float = 0.0
    plan_youth_gp_visits: float = 0.0
    plan_youth_dentist_visits: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or not math.isfinite(float(value)):
                raise ConfigError(f"Effect '{f.name}' must be a finite number, got {value!r}.")
        if self.plan_earlier_arrival_factor < 0:
            raise ConfigError("Effect 'plan_earlier_arrival_factor' must be >= 0.")
        if not 0 <= self.employment_income_share <= 1:
            raise ConfigError("Effect 'employment_income_share' must lie in [0, 1].")

    @classmethod
    def none(cls) -> Effects:
        """A world without any programme effect (observed equals counterfactual)."""
        return cls(
            plan_employed_pp=0.0,
            plan_income_dkk=0.0,
            rent_support_employed_pp=0.0,
            rent_support_income_dkk=0.0,
            rent_support_in_plan_employed_pp=0.0,
            rent_support_in_plan_income_dkk=0.0,
        )

    @classmethod
    def plan_only(cls) -> Effects:
        """Default plan effects, no rent-support effects (TWFE exactly unbiased)."""
        return replace(
            cls(),
            rent_support_employed_pp=0.0,
            rent_support_income_dkk=0.0,
            rent_support_in_plan_employed_pp=0.0,
            rent_support_in_plan_income_dkk=0.0,
        )

    @classmethod
    def from_mapping(
        cls, mapping: Mapping[str, float | int | str], base: Effects | None = None
    ) -> Effects:
        """Effects from ``{name: value}``; unnamed fields keep ``base`` (default values).

        Raises
        ------
        ConfigError
            Unknown name (the message names the nearest valid one) or a value
            that is not a number.
        """
        names = [f.name for f in fields(cls)]
        values: dict[str, float] = {}
        for key, raw in mapping.items():
            if key not in names:
                near = difflib.get_close_matches(key, names, n=1)
                hint = f" Did you mean '{near[0]}'?" if near else f" Valid: {', '.join(names)}."
                raise ConfigError(f"Unknown effect '{key}'.{hint}")
            try:
                values[key] = float(raw)
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"Effect '{key}' must be a number, got {raw!r}.") from exc
        return replace(base if base is not None else cls(), **values)

    @classmethod
    def parse(cls, text: str) -> Effects:
        """Effects from ``"key=value,key=value"``; ``"none"`` gives :meth:`none`."""
        text = text.strip()
        if text.lower() in ("none", "zero", "0"):
            return cls.none()
        pairs: dict[str, str] = {}
        for item in filter(None, (p.strip() for p in text.split(","))):
            if "=" not in item:
                raise ConfigError(f"Effects must be given as key=value, got '{item}'.")
            key, value = item.split("=", 1)
            pairs[key.strip()] = value.strip()
        return cls.from_mapping(pairs)

    def as_dict(self) -> dict[str, float]:
        """Field values as a plain dict (for truth.json)."""
        return {k: float(v) for k, v in asdict(self).items()}
