"""Floor-area pooling: hand-computed ledgers, brute-force enumeration on small cases, ledger laws (m²)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.parcels.pooling import check_transfers, parcel_caps, pool_floor_area


def table(**cols):
    return pd.DataFrame(cols)


def test_hand_computed_transfer_and_ledger():
    # A (resettlement) needs 2,000 m² more than its base; B has 3,000 m² spare; A's cap leaves room for 2,500
    p = table(parcel_id=["A", "B"], unit_id=["U", "U"], base_m2=[10_000.0, 8_000.0], required_m2=[12_000.0, 5_000.0],
              resettlement=[True, False], cap_m2=[12_500.0, 9_000.0], cap_source=["far_max", "far_max"])
    r = pool_floor_area(p, unit_caps={"U": 20_000.0})
    led = r.ledger.set_index("parcel_id")
    assert r.feasible
    assert led.loc["A", "in_m2"] == pytest.approx(2_000.0) and led.loc["A", "out_m2"] == 0
    assert led.loc["B", "out_m2"] == pytest.approx(2_000.0) and led.loc["B", "in_m2"] == 0
    assert led.loc["A", "result_m2"] == pytest.approx(12_000.0)
    assert led.loc["B", "result_m2"] == pytest.approx(6_000.0)
    assert list(r.transfers[["from_parcel", "to_parcel"]].iloc[0]) == ["B", "A"]
    assert r.transfers["area_m2"].sum() == pytest.approx(2_000.0)


def test_unit_cap_shortage_is_named_with_its_m2():
    p = table(parcel_id=["A", "B"], unit_id=["U", "U"], base_m2=[10_000.0, 10_000.0], required_m2=[12_000.0, 7_200.0],
              resettlement=[True, False])
    r = pool_floor_area(p, unit_caps={"U": 16_000.0})
    assert not r.feasible
    led = r.ledger.set_index("parcel_id")
    # resettlement first: A gets its 12,000 m², B absorbs the 3,200 m² the unit cap lacks
    assert led.loc["A", "shortfall_m2"] == 0
    assert led.loc["B", "shortfall_m2"] == pytest.approx(3_200.0)
    assert led.loc["B", "binding"] == "unit_cap"
    [s] = r.shortages
    assert s.constraint == "unit_cap" and s.short_m2 == pytest.approx(3_200.0)
    assert "3,200 m² short" in s.message_en and "3,200" in s.message_zh


def test_parcel_cap_and_entitlement_shortages():
    p = table(parcel_id=["A", "B"], unit_id=["U", "U"], base_m2=[5_000.0, 1_000.0], required_m2=[7_000.0, 1_000.0],
              cap_m2=[6_000.0, np.inf], cap_source=["far_max", ""])
    r = pool_floor_area(p)
    kinds = {s.constraint: s.short_m2 for s in r.shortages}
    # A may hold only 6,000 m² (cap) and the unit has no spare entitlement at all
    assert kinds["parcel_cap"] == pytest.approx(1_000.0)
    assert kinds["entitlement"] == pytest.approx(2_000.0)


def test_no_transfer_across_units():
    p = table(parcel_id=["A", "B"], unit_id=["U1", "U2"], base_m2=[1_000.0, 5_000.0], required_m2=[2_000.0, 1_000.0])
    r = pool_floor_area(p)
    assert r.ledger["in_m2"].sum() == 0 and not r.feasible
    assert any("across planning units are refused" in n for n in r.notes)
    refused = check_transfers(pd.DataFrame({"from_parcel": ["B"], "to_parcel": ["A"], "area_m2": [500.0]}), p)
    assert len(refused) == 1 and "refused" in refused[0] and "U2" in refused[0] and "U1" in refused[0]
    # allowed when the pack says so
    r2 = pool_floor_area(p, same_unit_only=False)
    assert r2.feasible and r2.ledger.set_index("parcel_id").loc["A", "in_m2"] == pytest.approx(1_000.0)


def test_parcel_caps_from_planning_conditions():
    p = table(area_m2=[1_000.0, 1_000.0, 1_000.0], far_max=[2.0, 3.0, np.nan], height_max_m=[30.0, 20.0, np.nan],
              density_max=[0.3, 0.25, np.nan])
    caps = parcel_caps(p, storey_height_m=3.0)
    # row 0: FAR 2,000 vs 0.3 × 1,000 × 10 floors = 3,000 → FAR governs
    assert caps["cap_m2"].iloc[0] == pytest.approx(2_000.0) and caps["cap_source"].iloc[0] == "far_max"
    # row 1: FAR 3,000 vs 0.25 × 1,000 × 6 floors = 1,500 → envelope governs
    assert caps["cap_m2"].iloc[1] == pytest.approx(1_500.0) and caps["cap_source"].iloc[1] == "height×density"
    assert np.isinf(caps["cap_m2"].iloc[2])


# ---------------------------------------------------------------------------------------------
# brute force on small cases (all data in multiples of 100 m², so the LP optimum lies on the grid)


def brute_force(base, req, cap, res, unit_cap, step=100.0):
    n = len(base)
    upper = np.maximum(cap, base)
    best = None
    lo = [-base[i] for i in range(n - 1)]
    hi = [upper[i] - base[i] for i in range(n - 1)]
    axes = [np.arange(lo[i], hi[i] + step / 2, step) for i in range(n - 1)]
    for nets in itertools.product(*axes):
        net = np.array([*nets, -sum(nets)])
        result = base + net
        if result[-1] < -1e-9 or result[-1] > upper[-1] + 1e-9:
            continue
        usable = np.minimum(req, result)
        res_built = min(usable[res].sum(), unit_cap)
        oth_built = min(usable[~res].sum(), unit_cap - res_built)
        key = (req[res].sum() - res_built, req[~res].sum() - oth_built, np.clip(net, 0, None).sum())
        if best is None or key < best:
            best = key
    return best


@st.composite
def small_case(draw):
    n = draw(st.integers(2, 3))
    h = st.integers(0, 10).map(lambda k: 100.0 * k)
    base = np.array(draw(st.lists(h, min_size=n, max_size=n)))
    req = np.array(draw(st.lists(h, min_size=n, max_size=n)))
    cap = np.array(draw(st.lists(h, min_size=n, max_size=n)))
    res = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    unit_cap = draw(st.integers(0, 30).map(lambda k: 100.0 * k))
    return base, req, cap, res, unit_cap


@settings(max_examples=60, deadline=None)
@given(small_case())
def test_lp_matches_brute_force_and_keeps_the_ledger_laws(case):
    base, req, cap, res, unit_cap = case
    n = len(base)
    p = table(parcel_id=[f"p{i}" for i in range(n)], unit_id=["U"] * n, base_m2=base, required_m2=req,
              resettlement=res, cap_m2=cap, cap_source=["far_max"] * n)
    r = pool_floor_area(p, unit_caps={"U": unit_cap})
    led = r.ledger
    res_short = led.loc[led["resettlement"], "shortfall_m2"].sum()
    oth_short = led.loc[~led["resettlement"], "shortfall_m2"].sum()
    moved = led["in_m2"].sum()
    expected = brute_force(base, req, cap, res, unit_cap)
    assert (res_short, oth_short, moved) == pytest.approx(expected, abs=0.01)
    # laws: zero-sum, result = base + in − out, within every cap, built within the unit cap
    assert led["in_m2"].sum() == pytest.approx(led["out_m2"].sum(), abs=0.01)
    assert np.allclose(led["result_m2"], led["base_m2"] + led["in_m2"] - led["out_m2"], atol=0.01)
    assert (led["result_m2"] <= np.maximum(led["cap_m2"], led["base_m2"]) + 0.01).all()
    assert (led["required_m2"] - led["shortfall_m2"]).sum() <= unit_cap + 0.01
    assert (led["required_m2"] - led["shortfall_m2"] <= led["result_m2"] + 0.01).all()
    assert r.feasible == (led["shortfall_m2"].sum() <= 0.01)
