"""TWFE, DD and DDD estimates against published results (tests/data/validation).

Every expected value and tolerance is read from ``expected.csv`` at test time.
The public data files ship with the repository, so these tests run (never skip)
from a fresh clone; ``BOLIGEVAL_VALIDATION_DIR`` points them at another copy.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boligeval.errors import CollinearityWarning
from boligeval.estimate import add_dummies, event_study, feols

pytestmark = pytest.mark.validation


def _validation_dir() -> Path:
    env = os.environ.get("BOLIGEVAL_VALIDATION_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent / "data" / "validation"


VALIDATION = _validation_dir()

EXPECTED = pd.read_csv(VALIDATION / "expected.csv").set_index("id")
YEARS = range(1986, 2001)
CONTROLS = ["acc", "pi", "ir", "alcohol", "crack", "poverty", "income", "ur"]


def check(fit_value: float, check_id: str) -> None:
    """Assert a value is within the expected.csv tolerance of its check."""
    row = EXPECTED.loc[check_id]
    expected, tol = float(row["expected"]), float(row["tolerance"])
    assert abs(fit_value - expected) <= tol, (
        f"{check_id}: got {fit_value!r}, expected {expected} +/- {tol}"
    )


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(VALIDATION / "data" / name)


# --------------------------------------------------------------------------- castle


def test_castle_twfe_and_state_clustered_se() -> None:
    castle = read("castle_bacondecomp.csv")
    fit = feols(castle, "l_homicide", ["post"], ["sid", "year"], cluster="sid")
    check(fit.coef()["post"], "C.twfe.b")
    check(fit.se()["post"], "C.twfe.se")
    assert fit.n_clusters == 50
    # state FE nested in the state cluster count as one: K = 1 + 1 + (11 - 1)
    assert fit.df_k == 12


# --------------------------------------------------------------------------- JEL 2x2


@pytest.fixture(scope="module")
def jel() -> pd.DataFrame:
    return read("jel_county_mortality.csv")


def _jel_2x2(jel: pd.DataFrame) -> pd.DataFrame:
    sub = jel[jel["yaca"].isna() | (jel["yaca"] == 2014) | (jel["yaca"] > 2019)]
    sub = sub[sub["year"].isin([2013, 2014])].copy()
    sub["treat_post"] = ((sub["yaca"] == 2014) & (sub["year"] == 2014)).astype(float)
    return sub


@pytest.mark.parametrize(("weights", "label"), [(None, "unw"), ("set_wt", "w")])
def test_jel_2x2_twfe_tables_3_and_5(jel: pd.DataFrame, weights: str | None, label: str) -> None:
    sub = _jel_2x2(jel)
    assert sub["county_code"].nunique() == 2200
    fit = feols(
        sub,
        "crude_rate_20_64",
        ["treat_post"],
        ["county_code", "year"],
        weights=weights,
        cluster="county_code",
    )
    check(fit.coef()["treat_post"], f"J.T5.{label}.b")
    check(fit.se()["treat_post"], f"J.T5.{label}.se")
    # README §4 reference run (printed to 6 decimals): 0.121630 (3.748009), -2.562875 (1.489837)
    ref_b, ref_se = {"unw": (0.121630, 3.748009), "w": (-2.562875, 1.489837)}[label]
    assert fit.coef()["treat_post"] == pytest.approx(ref_b, abs=5e-7)
    assert fit.se()["treat_post"] == pytest.approx(ref_se, abs=5e-7)
    assert fit.df_k == 3  # one regressor + T with county FE nested in the cluster


def test_jel_twfe_event_study_equals_published_att(jel: pd.DataFrame) -> None:
    sub = jel[jel["yaca"].isna() | (jel["yaca"] == 2014) | (jel["yaca"] > 2019)].copy()
    sub["g"] = np.where(sub["yaca"] == 2014, 2014, 0)
    es = event_study(
        sub,
        "crude_rate_20_64",
        "year",
        "county_code",
        "g",
        leads=5,
        lags=5,
        weights="set_wt",
        cluster="county_code",
    )
    coef = es.coef()
    for e in (-5, -4, -3, -2, 0, 1, 2, 3, 4, 5):
        check(coef[e], f"J.2xT.twfe_es.e{e}")
    assert es.pretrend.df_num == 4


# --------------------------------------------------------------------------- abortion


def _interact(df: pd.DataFrame, var: str, dummies: list[str], prefix: str) -> pd.DataFrame:
    """Add ``<prefix>_<dummy> = var * dummy`` columns at once."""
    new = pd.DataFrame({f"{prefix}_{d}": df[var] * df[d] for d in dummies}, index=df.index)
    return pd.concat([df, new], axis=1)


@pytest.fixture(scope="module")
def abortion() -> pd.DataFrame:
    return read("abortion.csv")


def test_abortion_dd_coefficients_and_clustered_ses(abortion: pd.DataFrame) -> None:
    df = abortion[abortion["bf15"] == 1].copy()
    df, years = add_dummies(df, "year")
    df, states = add_dummies(df, "fip")
    df = _interact(df, "repeal", years, "repeal_x")
    x = ["repeal", *years, *[f"repeal_x_{d}" for d in years], *states, *CONTROLS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CollinearityWarning)
        fit = feols(df, "lnr", x, weights="totpop", cluster="fip")
    coef, se = fit.coef(), fit.se()
    for year in YEARS:
        check(coef[f"repeal_x_year_{year}"], f"A.DD.{year}.b")
        check(se[f"repeal_x_year_{year}"], f"A.DD.{year}.se")


def test_abortion_ddd_coefficients_zero_weights_and_collinear_terms(abortion: pd.DataFrame) -> None:
    df = abortion[
        (abortion["wht"] == 0) & (abortion["male"] == 0) & abortion["age"].isin([15, 25])
    ].copy()
    df["yr"] = df["repeal"] * df["younger"]
    df, years = add_dummies(df, "year")
    df, states = add_dummies(df, "fip")
    df["younger_x_repeal"] = df["younger"] * df["repeal"]
    for var, dummies in (("repeal", years), ("younger", years), ("yr", years), ("t", states)):
        df = _interact(df, var, dummies, f"{var}_x")
    x = [
        "repeal",
        *years,
        *[f"repeal_x_{d}" for d in years],
        "younger",
        "younger_x_repeal",
        *[f"younger_x_{d}" for d in years],
        "yr",
        *[f"yr_x_{d}" for d in years],
        *states,
        "t",
        *[f"t_x_{d}" for d in states],
        *CONTROLS,
    ]
    with pytest.warns(CollinearityWarning):
        fit = feols(df, "lnr", x, weights="totpop", cluster="fip")
    # yr duplicates younger x repeal; t lies in the span of the year dummies
    assert {"yr", "t"} <= set(fit.dropped)
    assert fit.n_dropped_zero_weight == 2
    assert fit.n_obs == int(EXPECTED.loc["A.DDD.N", "expected"])
    coef, se = fit.coef(), fit.se()
    for year in YEARS:
        check(coef[f"yr_x_year_{year}"], f"A.DDD.{year}.b")
        check(se[f"yr_x_year_{year}"], f"A.DDD.{year}.se")
