"""Acceptance checks of ATT(g, t), its aggregations and the Bacon decomposition.

Expected values and tolerances are read at run time from the repository's
``tests/data/validation/expected.csv`` (see its README, traps 4-7): mpdta (Callaway &
Sant'Anna, never- and not-yet-treated), the JEL 2xT and GxT event studies
(universal base, population weights) and the castle-doctrine Bacon
decomposition. Rows of other engineers (static TWFE and its SEs, 2x2 means,
the TWFE event study) are not selected here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boligeval.estimate.bacon import bacon
from boligeval.estimate.staggered import AttGtResult, att_gt

VALIDATION_DIR = Path(
    os.environ.get("BOLIGEVAL_VALIDATION_DIR", Path(__file__).resolve().parent / "data" / "validation")
)
OWN_IDS = re.compile(
    r"^(M\.(attgt|attgt_se|attgt_se_boot|dyn|dynbal1|simple|group|calendar|ny)\."
    r"|J\.(2xT\.att\.|2xT\.overall|GxT\.)"
    r"|C\.(bacon\.|twfe\.b$))"
)
BOOT_SEED = 20240611  # bootstrap SEs are compared with did's random draws (+/- 20 %)


def _rows() -> list[object]:
    path = VALIDATION_DIR / "expected.csv"
    exp = pd.read_csv(path)
    exp = exp[exp["id"].map(lambda s: bool(OWN_IDS.match(s)))].drop_duplicates("id")
    return [
        pytest.param((r.id, float(r.expected), float(r.tolerance)), id=r.id)
        for r in exp.itertuples()
    ]


def _mpdta() -> pd.DataFrame:
    return pd.read_csv(VALIDATION_DIR / "data" / "mpdta.csv")


def _mpdta_values(prefix: str, res: AttGtResult, boot: AttGtResult | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for g, t, a, s in zip(res.groups, res.times, res.att, res.std_errors, strict=True):
        out[f"{prefix}attgt.{g:g}.{t:g}"] = a
        out[f"{prefix}attgt_se.{g:g}.{t:g}"] = s
    if boot is not None:
        for g, t, s in zip(boot.groups, boot.times, boot.std_errors, strict=True):
            out[f"{prefix}attgt_se_boot.{g:g}.{t:g}"] = s
    dyn_key = "dyn" if prefix == "M." else "dynamic"
    for kind, key in [
        ("simple", "simple"),
        ("group", "group"),
        ("calendar", "calendar"),
        ("dynamic", dyn_key),
    ]:
        agg = res.aggregate(kind)  # type: ignore[arg-type]
        out[f"{prefix}{key}.overall"] = agg.overall
        out[f"{prefix}{key}.overall_se"] = agg.overall_se
    dyn = res.aggregate("dynamic")
    for e, v in zip(dyn.labels, dyn.estimates, strict=True):
        out[f"{prefix}dyn.e{e:g}"] = v
    if prefix == "M.":
        bal = res.aggregate("dynamic", balance_e=1)
        out["M.dynbal1.overall"] = bal.overall
        for e, v in zip(bal.labels, bal.estimates, strict=True):
            out[f"M.dynbal1.e{e:g}"] = v
    return out


def _jel_values() -> dict[str, float]:
    jel = pd.read_csv(VALIDATION_DIR / "data" / "jel_county_mortality.csv")
    out: dict[str, float] = {}
    two = jel[(jel["yaca"] == 2014) | jel["yaca"].isna() | (jel["yaca"] > 2019)].copy()
    two["g"] = np.where(two["yaca"] == 2014, 2014, 0)
    common = {"yname": "crude_rate_20_64", "tname": "year", "idname": "county_code"}
    res = att_gt(
        two, **common, gname="g", control_group="nevertreated", base_period="universal",
        weights="set_wt", est_method="reg", bootstrap=False,
    )  # fmt: skip
    for t, a in zip(res.times, res.att, strict=True):
        out[f"J.2xT.att.{t:g}"] = a
    out["J.2xT.overall_e0_5"] = res.aggregate("dynamic", min_e=0, max_e=5).overall
    gxt = att_gt(
        jel, **common, gname="treat_year", control_group="notyettreated",
        base_period="universal", weights="set_wt", bootstrap=False,
    )  # fmt: skip
    dyn = gxt.aggregate("dynamic", min_e=-5, max_e=5)
    for e, v in zip(dyn.labels, dyn.estimates, strict=True):
        out[f"J.GxT.dyn.e{e:g}"] = v
    out["J.GxT.overall_e0_5"] = dyn.overall
    return out


def _castle_values() -> dict[str, float]:
    castle = pd.read_csv(VALIDATION_DIR / "data" / "castle_bacondecomp.csv")
    res = bacon(castle, yname="l_homicide", tname="year", idname="sid", treatment="post")
    comp = res.comparisons
    out = {"C.twfe.b": res.twfe_estimate, "C.bacon.sum": float(comp["weight"] @ comp["estimate"])}
    for row in res.by_type().itertuples():
        key = str(row.type).split()[0]
        out[f"C.bacon.w.{key}"] = float(row.weight)
        out[f"C.bacon.avg.{key}"] = float(row.avg_estimate)
    top = comp.loc[comp["weight"].idxmax()]
    assert (top["treated"], top["control"], top["type"]) == (2006, np.inf, "Treated vs Untreated")
    out["C.bacon.top.est"] = float(top["estimate"])
    out["C.bacon.top.w"] = float(top["weight"])
    return out


def _all_values() -> dict[str, float]:
    mp = _mpdta()
    spec = {"yname": "lemp", "tname": "year", "idname": "countyreal", "gname": "first.treat"}
    never = att_gt(mp, **spec, control_group="nevertreated", bootstrap=False)
    never_boot = att_gt(mp, **spec, control_group="nevertreated", bootstrap_draws=999, seed=BOOT_SEED)
    nyt = att_gt(mp, **spec, control_group="notyettreated", bootstrap=False)
    values = _mpdta_values("M.", never, never_boot)
    values |= _mpdta_values("M.ny.", nyt, None)
    values |= _jel_values()
    values |= _castle_values()
    return values


@pytest.fixture(scope="module")
def computed() -> dict[str, float]:
    """Every value this module checks, computed once."""
    return _all_values()


@pytest.mark.validation
@pytest.mark.parametrize("row", _rows())
def test_expected_value(row: tuple[str, float, float], computed: dict[str, float]) -> None:
    """Our number equals the published/reference number within the stated tolerance."""
    key, expected, tol = row
    assert key in computed, f"no computed value for {key}"
    got = computed[key]
    assert abs(got - expected) <= tol, f"{key}: got {got!r}, expected {expected} +/- {tol}"


@pytest.mark.validation
def test_invariant_to_row_order_and_relabelling() -> None:
    """ATT(g, t) and SEs do not depend on row order or on unit ids."""
    mp = _mpdta()
    spec: dict[str, str] = {
        "yname": "lemp",
        "tname": "year",
        "idname": "countyreal",
        "gname": "first.treat",
    }
    fit: Callable[[pd.DataFrame], AttGtResult] = lambda d: att_gt(d, **spec, bootstrap=False)  # noqa: E731
    base = fit(mp)
    rng = np.random.default_rng(5)
    shuffled = mp.sample(frac=1.0, random_state=rng).reset_index(drop=True)
    new_ids = dict(
        zip(mp["countyreal"].unique(), rng.permutation(mp["countyreal"].nunique()), strict=True)
    )
    shuffled["countyreal"] = shuffled["countyreal"].map(new_ids)
    other = fit(shuffled)
    np.testing.assert_allclose(other.att, base.att, rtol=0, atol=1e-12)
    np.testing.assert_allclose(other.std_errors, base.std_errors, rtol=1e-10)
    pd.testing.assert_frame_equal(mp, _mpdta())  # input not mutated
