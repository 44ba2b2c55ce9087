"""Solar geometry against published references (SUNLIGHT.md §1.3, §3.3, §4.1)."""

import datetime as dt

import numpy as np
import pandas as pd
import pvlib
import pytest

from gis.sunlight.solar import standard_day_date, sun_path, tst_bjt_table, tst_to_utc

URUMQI = dict(lon=87.6, lat=43.8)


def test_nrel_spa_reference_vector():
    # Reda & Andreas (2004), spa_tester.c: 2003-10-17 12:30:30 local (UTC-7)
    t = pd.DatetimeIndex([pd.Timestamp("2003-10-17 12:30:30", tz="Etc/GMT+7")])
    sp = pvlib.solarposition.spa_python(t, 39.742476, -105.1786, altitude=1830.14, pressure=82000,
                                        temperature=11, delta_t=67, atmos_refract=0.5667)
    assert sp["apparent_zenith"].iloc[0] == pytest.approx(50.11162, abs=1e-4)  # SPA "topocentric zenith" (refracted)
    assert sp["azimuth"].iloc[0] == pytest.approx(194.34024, abs=1e-4)
    assert sp["equation_of_time"].iloc[0] == pytest.approx(14.641503, abs=1e-4)


@pytest.mark.parametrize(
    ("term", "year", "expected"),
    [("dahan", 2001, dt.date(2001, 1, 20)), ("dongzhi", 2001, dt.date(2001, 12, 22)),
     ("dahan", 2026, dt.date(2026, 1, 20)), ("dongzhi", 2025, dt.date(2025, 12, 21))],
)
def test_standard_day_dates(term, year, expected):
    # Chinese calendar (Beijing time): 大寒 2001-01-20, 冬至 2001-12-22, 大寒 2026-01-20, 冬至 2025-12-21
    assert standard_day_date(term, year) == expected


def test_tst_noon_is_due_south_and_bjt_conversion_urumqi():
    # SUNLIGHT.md §1.3: 大寒 2026-01-20, TST 08:00 ≈ BJT 10:20, 16:00 ≈ 18:21, transit 14:20:32 BJT,
    # EoT −10.90 min; noon elevation 26.12°.
    tab = tst_bjt_table(**URUMQI, date=dt.date(2026, 1, 20), tst_hours=np.array([8.0, 12.0, 16.0]))
    bjt = pd.to_timedelta(tab["bjt"])
    assert abs(bjt[0] - pd.Timedelta("10:20:18")) < pd.Timedelta(minutes=1)
    assert abs(bjt[1] - pd.Timedelta("14:20:32")) < pd.Timedelta(seconds=30)
    assert abs(bjt[2] - pd.Timedelta("18:21:00")) < pd.Timedelta(minutes=1)
    assert tab["azimuth_deg"][1] == pytest.approx(180.0, abs=0.02)
    assert tab["altitude_deg"][1] == pytest.approx(26.12, abs=0.05)
    assert tab["eot_min"][1] == pytest.approx(-10.90, abs=0.1)
    # formula check: BJT = TST + (120 − λ)·4 min − EoT
    utc = tst_to_utc(dt.date(2026, 1, 20), np.array([12.0]), **URUMQI)
    expect = pd.Timestamp("2026-01-20 12:00") + pd.Timedelta(minutes=(120 - 87.6) * 4 + 10.93)
    assert abs(utc.tz_convert("Asia/Shanghai")[0].tz_localize(None) - expect) < pd.Timedelta(seconds=5)


def test_sun_path_band_steps_and_refraction_switch():
    geo = sun_path(year=2001, band_start_h=8.0, band_end_h=16.0, step_min=1.0, **URUMQI, date=dt.date(2026, 1, 20), refraction=False)
    app = sun_path(year=2001, band_start_h=8.0, band_end_h=16.0, step_min=1.0, **URUMQI, date=dt.date(2026, 1, 20), refraction=True)
    assert len(geo) == 480 and geo.table["minutes"].sum() == 480
    assert geo.table["tst_h"].iloc[0] == pytest.approx(8 + 0.5 / 60)
    # refraction lifts the low sun by roughly 0.1–0.2°
    d = app.altitude - geo.altitude
    assert (d > 0).all() and d[0] == pytest.approx(0.15, abs=0.06)
    # azimuth increases through the band: 125° → 235° (SUNLIGHT.md §1.3)
    assert np.all(np.diff(geo.azimuth) > 0)
    assert geo.azimuth[0] == pytest.approx(125.3, abs=0.3) and geo.azimuth[-1] == pytest.approx(234.8, abs=0.3)


def test_bad_band_is_refused():
    with pytest.raises(ValueError, match="band_end_h"):
        sun_path(year=2001, step_min=1.0, **URUMQI, band_start_h=16, band_end_h=8)
    with pytest.raises(ValueError, match="standard_day"):
        standard_day_date("xiazhi", 2001)
