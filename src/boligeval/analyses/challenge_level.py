"""The overall level of challenges across actors, per wave (seed table 5.2)."""

from __future__ import annotations

from typing import Any

from boligeval.analyses import register
from boligeval.analyses._survey import SurveyTable
from boligeval.analyses.challenge_change import CHALLENGE_CHANGE
from boligeval.survey import _analyses as an


def _overall(records: Any) -> list[dict[str, Any]]:
    return [r for r in records if r.get("actor") == "all" and r.get("subset") == "all_answers"
            and not r.get("suppressed") and r.get("value") is not None]


class ChallengeLevel(SurveyTable):
    """Mean challenge score, plans weighted equally within and actors across."""

    def report(self, view: Any) -> list[Any]:
        from boligeval.report.figures import actor_figure
        from boligeval.report.tables import challenge_level_table

        records = view.records(self.id)
        table = challenge_level_table(records, view.records(CHALLENGE_CHANGE.id), view.lang,
                                      analysis=self.id, rules=view.rules)
        figure = actor_figure(records, view.lang)
        return [b for b in (table, figure) if b is not None]

    def findings(self, view: Any) -> list[str]:
        from boligeval.report.i18n import fmt_num, text

        levels = _overall(view.records(self.id))
        waves = sorted({int(r["wave"]) for r in levels})
        if len(waves) < 2:
            return []
        first = next(r for r in levels if r["wave"] == waves[0])["value"]
        last = next(r for r in levels if r["wave"] == waves[-1])["value"]
        return [str(text(view.lang, "finding_survey")).format(
            a=fmt_num(first, 2, view.lang), b=fmt_num(last, 2, view.lang),
            w0=waves[0], w1=waves[-1])]

    def screen(self, records: Any) -> list[str]:
        levels = [r for r in records if r.get("actor") == "all"
                  and r.get("subset") == "all_answers"]
        if not levels:
            return []
        shown = ", ".join(f"{r['wave']}: {r['value']:.2f}" for r in levels
                          if r.get("value") is not None)
        return [f"Challenge level across actors (survey): {shown}"]


register(ChallengeLevel(
    "challenge_level", 220,
    lambda s: an.challenge_level(s.prepared, s.plans, first_round_years=s.first_round_years)))
