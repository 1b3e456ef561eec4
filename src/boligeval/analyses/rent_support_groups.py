"""Departments by rent-support round and deprivation by rent support (seed tables 4.8, 4.9).

Table 4.8: the share of departments in each intervention group (and the
control group) by the round in which they received rent support, or none in
the period. Table 4.9: the mean deprivation score at baseline of the control
group and of the intervention groups together, without and with rent
support, with a two-sample t-test (equal variances) of with against without
inside each group, as the seed's note says.
"""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses.base import Context, PanelAnalysis
from boligeval.records import BALANCE, Record, from_rows

#: How the seed's table 4.9 pools the groups: the control group, and every intervention group.
POOLED = ("control", "intervention")


def round_shares(departments: Any) -> list[dict[str, Any]]:
    """Rows of table 4.8: per group and rent-support round, the share (pct.) of departments.

    Parameters
    ----------
    departments : pandas.DataFrame
        One row per linked department with ``cohort`` and ``rent_support_cohort``
        (``"none"`` when it had no rent support in the period).

    Returns
    -------
    list of dict
        ``table="rounds"``, group, round, value (percent), n (departments in
        the group); one ``statistic="n_departments"`` row per group.
    """
    rows: list[dict[str, Any]] = []
    for group, sub in departments.groupby("cohort", sort=True):
        n = len(sub)
        for rnd, count in sub["rent_support_cohort"].value_counts().sort_index().items():
            rows.append({"table": "rounds", "group": str(group), "round": str(rnd),
                         "statistic": "share_departments", "value": 100.0 * count / n,
                         "n": n})
        rows.append({"table": "rounds", "group": str(group), "round": None,
                     "statistic": "n_departments", "value": n, "n": n})
    return rows


def deprivation_by_support(departments: Any) -> list[dict[str, Any]]:
    """Rows of table 4.9: mean baseline deprivation by pooled group and rent support.

    Parameters
    ----------
    departments : pandas.DataFrame
        One row per linked department with ``cohort``, ``rent_support_cohort``
        and ``deprivation`` (baseline; missing values are left out).

    Returns
    -------
    list of dict
        ``table="deprivation"``, group (control or intervention), rent_support
        (0/1), value (mean), n (departments); the rows with rent support carry
        the p-value of the t-test against the same group without it.
    """
    from scipy import stats

    data = departments.dropna(subset=["deprivation"])
    data = data.assign(pooled=data["cohort"].where(data["cohort"] == "control", "intervention"),
                       support=(data["rent_support_cohort"] != "none").astype(int))
    rows: list[dict[str, Any]] = []
    for group in POOLED:
        sub = data[data["pooled"] == group]
        without = sub.loc[sub["support"] == 0, "deprivation"].astype(float)
        with_ = sub.loc[sub["support"] == 1, "deprivation"].astype(float)
        p = None
        if len(without) >= 2 and len(with_) >= 2:
            p = float(stats.ttest_ind(with_, without, equal_var=True).pvalue)
        for support, values in ((0, without), (1, with_)):
            if len(values) == 0:
                continue
            rows.append({"table": "deprivation", "group": group, "rent_support": support,
                         "statistic": "mean", "value": float(values.mean()),
                         "n": len(values), "p_value": p if support == 1 else None})
    return rows


@register
class RentSupportGroups(PanelAnalysis, id="rent_support_groups", chapter="rent_support",
                        order=35):
    """Which departments had rent support, and how deprived they were (seed tables 4.8-4.9)."""

    def run_all(self, ctx: Context) -> list[Record]:
        panel = ctx.register
        if panel.design is None:
            return []
        design = panel.design.departments()
        design = design[design["department_id"].isin(panel.linked)]
        baseline = ctx.cfg.measurement_years[0]
        cells = panel.cells
        dep = cells[(cells["population"] == "all") & (cells["outcome"] == "deprivation")
                    & (cells["year"] == baseline)][["department_id", "value"]]
        data = design.merge(dep.rename(columns={"value": "deprivation"}), on="department_id",
                            how="left")
        rows = round_shares(data) + deprivation_by_support(data)
        return from_rows(rows, section=BALANCE, analysis=self.id)

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.tables import deprivation_support_table, rent_round_table

        recs = [r for r in view.section(BALANCE) if r.get("analysis") == self.id]
        out = [rent_round_table([r for r in recs if r.get("table") == "rounds"], view.lang,
                                key=self.id + "_rounds", rules=view.rules),
               deprivation_support_table([r for r in recs if r.get("table") == "deprivation"],
                                         view.lang, key=self.id + "_deprivation",
                                         rules=view.rules)]
        return [t for t in out if t is not None]
