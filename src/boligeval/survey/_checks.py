"""Analysis-level consistency checks of the survey tables.

The contract reader (``boligeval.contract``) checks each table's columns,
codes and foreign keys. These checks look across tables at what the survey
analysis needs: no plan has more answers than questionnaires sent, every
answered item is in the codebook, every answer code belongs to its item's
scale. They take pandas DataFrames with the contract's column names, so the
contract's validation can call :func:`check_survey` after reading the files
and the analysis calls it again on whatever it is given.
"""

from __future__ import annotations

import pandas as pd

from boligeval.errors import SurveyError
from boligeval.survey._codebook import SCALE_CODES, _examples, normalise_codebook
from boligeval.vocabulary import ACTORS

__all__ = ["check_survey", "normalise_tables"]

RESPONDENT_COLUMNS = ("respondent_id", "wave", "actor", "plan_id", "status")
ANSWER_COLUMNS = ("respondent_id", "item_id", "value")
DISPATCH_COLUMNS = ("wave", "actor", "plan_id", "sent")
STATUSES = ("complete", "partial")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    """Raise when ``frame`` lacks one of ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SurveyError(
            f"survey table '{table}' lacks column(s) {', '.join(missing)}; "
            f"required: {', '.join(columns)}"
        )


def _strings(series: pd.Series) -> pd.Series:
    """Return ``series`` as stripped strings with missing values as ``pd.NA``."""
    stripped = series.astype("string").str.strip()
    return stripped.mask(stripped == "")


def _integers(series: pd.Series, table: str, column: str) -> pd.Series:
    """Return ``series`` as integers or raise naming the table and column."""
    numbers = pd.to_numeric(series, errors="coerce")
    bad = numbers.isna() | (numbers != numbers.round())
    if bad.any():
        examples = series[bad].astype(str).unique().tolist()
        raise SurveyError(
            f"survey table '{table}' column '{column}' must hold whole numbers; "
            f"{int(bad.sum())} row(s) do not, e.g. {_examples(examples)}"
        )
    return numbers.astype("int64")


def normalise_tables(
    respondents: pd.DataFrame,
    answers: pd.DataFrame,
    codebook: pd.DataFrame,
    dispatch: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Return copies of the survey tables with contract types.

    Ids and codes become strings (leading zeros survive), ``wave`` and
    ``sent`` integers; the codebook gains its optional columns.

    Raises
    ------
    SurveyError
        If a required column is missing or a number column is not whole.
    """
    _require(respondents, RESPONDENT_COLUMNS, "respondents")
    _require(answers, ANSWER_COLUMNS, "answers")
    resp = respondents.copy()
    for column in ("respondent_id", "actor", "plan_id", "status"):
        resp[column] = _strings(resp[column])
    if "department_id" in resp.columns:
        resp["department_id"] = _strings(resp["department_id"])
    resp["wave"] = _integers(resp["wave"], "respondents", "wave")
    ans = answers.copy()
    for column in ANSWER_COLUMNS:
        ans[column] = _strings(ans[column])
    book = normalise_codebook(codebook)
    disp = None
    if dispatch is not None:
        _require(dispatch, DISPATCH_COLUMNS, "dispatch")
        disp = dispatch.copy()
        for column in ("actor", "plan_id"):
            disp[column] = _strings(disp[column])
        disp["wave"] = _integers(disp["wave"], "dispatch", "wave")
        disp["sent"] = _integers(disp["sent"], "dispatch", "sent")
    return resp, ans, book, disp


def check_survey(
    respondents: pd.DataFrame,
    answers: pd.DataFrame,
    codebook: pd.DataFrame,
    dispatch: pd.DataFrame | None = None,
) -> None:
    """Check that the survey tables are consistent enough to analyse.

    Reusable by the contract's validation: call it with the four tables as
    read (contract column names); it raises on the first problem.

    Parameters
    ----------
    respondents, answers, codebook : pandas.DataFrame
        The contract's survey tables.
    dispatch : pandas.DataFrame, optional
        Questionnaires sent per wave, actor and plan.

    Raises
    ------
    SurveyError
        Naming the problem, the count, up to ten examples and the fix, when:
        a column is missing; a respondent id repeats; an actor or status is
        unknown; an answer's respondent is unknown; an answered item is not in
        the codebook; a respondent answers an item twice; an answer code is
        outside its item's scale; a plan has more answers than questionnaires
        sent (or answers with no dispatch row).
    """
    resp, ans, book, disp = normalise_tables(respondents, answers, codebook, dispatch)

    dup = resp.loc[resp["respondent_id"].duplicated(), "respondent_id"].unique().tolist()
    if dup:
        raise SurveyError(
            f"respondents: respondent_id {_examples(dup)} occur more than once; "
            "each questionnaire needs its own id"
        )
    bad_actor = sorted(set(resp["actor"].fillna("<empty>")) - set(ACTORS))
    if bad_actor:
        raise SurveyError(
            f"respondents: unknown actor code(s) {_examples(bad_actor)}; "
            f"use {', '.join(ACTORS)}"
        )
    bad_status = sorted(set(resp["status"].fillna("<empty>")) - set(STATUSES))
    if bad_status:
        raise SurveyError(
            f"respondents: unknown status code(s) {_examples(bad_status)}; "
            f"use {', '.join(STATUSES)}"
        )
    if resp["plan_id"].isna().any():
        raise SurveyError(
            f"respondents: {int(resp['plan_id'].isna().sum())} row(s) have no plan_id; "
            "every questionnaire is about one plan"
        )

    orphan = sorted(set(ans["respondent_id"].dropna()) - set(resp["respondent_id"]))
    if orphan or ans["respondent_id"].isna().any():
        orphan = orphan or ["<empty>"]
        raise SurveyError(
            f"answers: respondent_id {_examples(orphan)} not found in respondents; "
            "every answer must belong to a listed respondent"
        )
    unknown = sorted(set(ans["item_id"].fillna("<empty>")) - set(book["item_id"]))
    if unknown:
        n_rows = int((~ans["item_id"].isin(book["item_id"])).sum())
        raise SurveyError(
            f"answers: item_id {_examples(unknown)} missing from the codebook "
            f"({n_rows} answer rows); add the item to the codebook or drop its answers"
        )
    twice = ans.duplicated(["respondent_id", "item_id"], keep=False)
    if twice.any():
        pairs = (
            ans.loc[twice, ["respondent_id", "item_id"]]
            .drop_duplicates()
            .astype(str)
            .agg("/".join, axis=1)
            .tolist()
        )
        raise SurveyError(
            f"answers: {len(pairs)} respondent/item pair(s) answered more than once, "
            f"e.g. {_examples(pairs)}; keep one row per respondent and item"
        )

    answered = ans.dropna(subset=["value"]).merge(
        book[["item_id", "scale"]], on="item_id", how="left"
    )
    allowed = pd.Series(
        [
            str(v) in SCALE_CODES[str(sc)]
            for v, sc in zip(answered["value"].tolist(), answered["scale"].tolist(), strict=True)
        ],
        index=answered.index,
        dtype=bool,
    )
    if not allowed.all():
        bad = answered.loc[~allowed]
        examples = (
            bad[["item_id", "value", "scale"]]
            .drop_duplicates()
            .apply(lambda r: f"{r['item_id']}={r['value']} ({r['scale']})", axis=1)
            .tolist()
        )
        raise SurveyError(
            f"answers: {len(bad)} answer code(s) outside the item's scale, e.g. "
            f"{_examples(examples)}; likert4 allows {', '.join(SCALE_CODES['likert4'])}, "
            f"yes_no allows {', '.join(SCALE_CODES['yes_no'])}"
        )

    if disp is not None:
        _check_dispatch(resp, disp)


def _check_dispatch(resp: pd.DataFrame, disp: pd.DataFrame) -> None:
    """Raise when a wave, actor and plan has more respondents than questionnaires sent."""
    keys = ["wave", "actor", "plan_id"]
    if (disp["sent"] < 0).any():
        raise SurveyError("dispatch: 'sent' must be >= 0")
    sent = disp.groupby(keys, as_index=False)["sent"].sum()
    got = resp.groupby(keys, as_index=False).size().rename(columns={"size": "answers"})
    both = got.merge(sent, on=keys, how="left")
    both["sent"] = both["sent"].fillna(0).astype("int64")
    over = both[both["answers"] > both["sent"]]
    if len(over):
        examples = [
            f"plan {r.plan_id} {r.actor} {r.wave}: {r.answers} answers, {r.sent} sent"
            for r in over.itertuples(index=False)
        ]
        raise SurveyError(
            f"dispatch: {len(over)} plan/actor/wave group(s) have more answers than "
            f"questionnaires sent, e.g. {_examples(examples)}; correct 'sent' in dispatch "
            "or the respondents' plan_id"
        )
