"""Scoring, filter logic and plan answers: the shared first step of every analysis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from boligeval.survey._checks import check_survey, normalise_tables
from boligeval.survey._codebook import LIKERT_SCORES, PASS_CODES

__all__ = ["PreparedSurvey", "plan_answers", "prepare_survey"]


@dataclass(frozen=True)
class PreparedSurvey:
    """Checked survey tables and the scored answers.

    Attributes
    ----------
    respondents : pandas.DataFrame
        The respondents table with contract types.
    codebook : pandas.DataFrame
        The normalised codebook (with ``filter_item``, ``theme``, ``unit``).
    scored : pandas.DataFrame
        One row per answered item that survives the filter logic: respondent
        columns, codebook columns, ``value`` (the code) and ``score`` (1-4
        for degree items, 1/0 for yes/no, NaN for ``dont_know`` and
        ``not_relevant``).
    dispatch : pandas.DataFrame or None
        Questionnaires sent, when given.
    """

    respondents: pd.DataFrame
    codebook: pd.DataFrame
    scored: pd.DataFrame
    dispatch: pd.DataFrame | None

    @property
    def waves(self) -> list[int]:
        """Survey waves present in the respondents, ascending."""
        return sorted(int(w) for w in self.respondents["wave"].unique())

    def items(self, block: str) -> list[str]:
        """Item ids of ``block`` in codebook order."""
        book = self.codebook
        return book.loc[book["block"] == block, "item_id"].tolist()


def _score(values: pd.Series, scales: pd.Series) -> pd.Series:
    """Map answer codes to numbers: degree 1-4, yes 1 / no 0, else NaN."""
    likert = values.map(LIKERT_SCORES)
    yes_no = values.map({"yes": 1.0, "no": 0.0})
    out = np.where(scales == "likert4", likert, np.where(scales == "yes_no", yes_no, np.nan))
    return pd.Series(out, index=values.index, dtype="float64")


def _apply_filters(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop answers whose filter item the respondent did not pass.

    An item with a ``filter_item`` counts only for respondents whose answer
    to the filter item is in :data:`PASS_CODES`; chains of filters are
    followed until nothing changes.
    """
    while True:
        opened = frame.loc[frame["value"].isin(list(PASS_CODES)), ["respondent_id", "item_id"]]
        opened = opened.rename(columns={"item_id": "filter_item"}).assign(_open=True)
        joined = frame[["respondent_id", "filter_item"]].merge(
            opened, on=["respondent_id", "filter_item"], how="left"
        )
        keep = frame["filter_item"].isna().to_numpy() | joined["_open"].eq(True).to_numpy()
        if keep.all():
            return frame
        frame = frame.loc[keep].reset_index(drop=True)


def prepare_survey(
    respondents: pd.DataFrame,
    answers: pd.DataFrame,
    codebook: pd.DataFrame,
    dispatch: pd.DataFrame | None = None,
) -> PreparedSurvey:
    """Check the survey tables and score the answers.

    Parameters
    ----------
    respondents, answers, codebook : pandas.DataFrame
        The contract's survey tables.
    dispatch : pandas.DataFrame, optional
        Questionnaires sent (needed for response rates).

    Returns
    -------
    PreparedSurvey
        Input of every analysis function.

    Raises
    ------
    SurveyError
        If :func:`check_survey` finds a problem.
    """
    check_survey(respondents, answers, codebook, dispatch)
    resp, ans, book, disp = normalise_tables(respondents, answers, codebook, dispatch)
    keep_cols = ["respondent_id", "wave", "actor", "plan_id", "status"]
    if "department_id" in resp.columns:
        keep_cols.append("department_id")
    frame = (
        ans.dropna(subset=["value"])[["respondent_id", "item_id", "value"]]
        .merge(resp[keep_cols], on="respondent_id", how="inner")
        .merge(
            book[["item_id", "block", "scale", "filter_item", "theme", "unit"]],
            on="item_id",
            how="inner",
        )
    )
    frame = _apply_filters(frame.reset_index(drop=True))
    frame["score"] = _score(frame["value"], frame["scale"])
    order = {item: i for i, item in enumerate(book["item_id"])}
    frame["_order"] = frame["item_id"].map(order)
    frame = frame.sort_values(["wave", "_order", "actor", "plan_id", "respondent_id"])
    frame = frame.drop(columns="_order").reset_index(drop=True)
    return PreparedSurvey(respondents=resp, codebook=book, scored=frame, dispatch=disp)


def plan_answers(survey: PreparedSurvey, items: list[str] | None = None) -> pd.DataFrame:
    """Average each actor group's valid answers about a plan into one plan answer.

    Step (1) of docs/survey.md's averaging order, for plan-unit items only.

    Parameters
    ----------
    survey : PreparedSurvey
        Scored answers.
    items : list of str, optional
        Restrict to these items (default: every plan-unit item).

    Returns
    -------
    pandas.DataFrame
        Columns ``wave, actor, plan_id, item_id, score, n_answers``.
    """
    frame = survey.scored
    mask = (frame["unit"] == "plan") & frame["score"].notna()
    if items is not None:
        mask &= frame["item_id"].isin(items)
    grouped = frame.loc[mask].groupby(["wave", "actor", "plan_id", "item_id"], sort=True)["score"]
    out = grouped.agg(score="mean", n_answers="count").reset_index()
    out["n_answers"] = out["n_answers"].astype("int64")
    return out
