"""Solar geometry for the sunlight standard (日照标准日, 有效日照时间带, 真太阳时).

Everything here is in **local true solar time** (真太阳时, TST) as GB 50180-2018 4.0.9 and
GB/T 50947-2014 require, with sun positions from the NREL Solar Position Algorithm
(SPA, Reda & Andreas 2004) as implemented by :func:`pvlib.solarposition.spa_python`.

Conventions
-----------
- Azimuths are degrees clockwise from true north (pvlib convention); altitudes are degrees
  above the horizon.
- Time steps are the *midpoints* of the intervals of length ``step_min`` that tile the band,
  so a 8–16 h band at 1 min has 480 steps of one minute each and a never-shaded point gets
  exactly 8 h.
- Beijing time (北京时间, BJT) is UTC+8; ``BJT = TST + (120° − λ)·4 min − EoT``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pvlib
from pvlib import spa

__all__ = [
    "SOLAR_TERM_LONGITUDE",
    "SunPath",
    "apparent_sun_longitude",
    "standard_day_date",
    "sun_path",
    "tst_to_utc",
    "tst_bjt_table",
]

#: Apparent ecliptic longitude of the sun (degrees) that defines each standard day (节气).
SOLAR_TERM_LONGITUDE = {"dahan": 300.0, "dongzhi": 270.0}

_BJT = dt.timezone(dt.timedelta(hours=8))


def apparent_sun_longitude(unixtime: np.ndarray, *, delta_t: float = 67.0) -> np.ndarray:
    """Apparent geocentric ecliptic longitude of the sun λ (degrees, 0–360), SPA terms.

    Parameters
    ----------
    unixtime : array of float
        Seconds since 1970-01-01 UTC.
    delta_t : float
        TT − UT in seconds (about 64 s in 2001, 69 s in 2025; the effect on a solar-term
        date is a fraction of a second).
    """
    ut = np.atleast_1d(np.asarray(unixtime, dtype=float))
    jd = spa.julian_day(ut)
    jde = spa.julian_ephemeris_day(jd, delta_t)
    jce = spa.julian_ephemeris_century(jde)
    jme = spa.julian_ephemeris_millennium(jce)
    big_r = spa.heliocentric_radius_vector(jme)
    theta = spa.geocentric_longitude(spa.heliocentric_longitude(jme))
    x0 = spa.mean_elongation(jce)
    x1 = spa.mean_anomaly_sun(jce)
    x2 = spa.mean_anomaly_moon(jce)
    x3 = spa.moon_argument_latitude(jce)
    x4 = spa.moon_ascending_longitude(jce)
    nut = np.empty((2, len(x0)))
    spa.longitude_obliquity_nutation(jce, x0, x1, x2, x3, x4, nut)
    lam = spa.apparent_sun_longitude(theta, nut[0], spa.aberration_correction(big_r))
    return np.mod(lam, 360.0)


def standard_day_date(standard_day: str, year: int) -> dt.date:
    """Calendar date (Beijing time) of the standard day 大寒日 or 冬至日 of ``year``.

    The day is the one on which the apparent solar longitude reaches 300° (大寒) or
    270° (冬至), as in the Chinese calendar (Beijing time, UTC+8).

    Parameters
    ----------
    standard_day : {"dahan", "dongzhi"}
        大寒日 or 冬至日.
    year : int
        Calendar year (GB/T 50947: 日照基准年 2001).

    Examples
    --------
    >>> standard_day_date("dahan", 2001), standard_day_date("dongzhi", 2001)
    (datetime.date(2001, 1, 20), datetime.date(2001, 12, 22))
    """
    if standard_day not in SOLAR_TERM_LONGITUDE:
        raise ValueError(
            f"sunlight.standard_day = {standard_day!r} is not known; use 'dahan' (大寒日) or 'dongzhi' (冬至日)"
        )
    return _solar_term_date(standard_day, int(year))


@functools.lru_cache(maxsize=64)
def _solar_term_date(standard_day: str, year: int) -> dt.date:
    target = SOLAR_TERM_LONGITUDE[standard_day]
    # search window: 大寒 lies between Jan 15 and Jan 25, 冬至 between Dec 18 and Dec 25
    start = dt.datetime(year, 1, 15) if standard_day == "dahan" else dt.datetime(year, 12, 18)
    t0 = start.replace(tzinfo=dt.UTC).timestamp()

    def f(t: np.ndarray) -> np.ndarray:
        return (apparent_sun_longitude(t) - target + 180.0) % 360.0 - 180.0

    # bracket the crossing hourly, then to the second (two vectorised SPA calls), then interpolate:
    # the longitude is smooth (≈ 0.04°/h), so the crossing instant is exact to far below a second
    hours = t0 + 3600.0 * np.arange(241)
    fh = f(hours)
    k = np.flatnonzero((fh[:-1] < 0) & (fh[1:] >= 0))
    if len(k) == 0:
        raise ValueError(f"solar term {standard_day} not found in {year}")
    secs = hours[k[0]] + np.arange(3601.0)
    fs = f(secs)
    j = int(np.flatnonzero((fs[:-1] < 0) & (fs[1:] >= 0))[0])
    t = secs[j] - fs[j] / (fs[j + 1] - fs[j])
    return dt.datetime.fromtimestamp(t, tz=_BJT).date()


def _eot_minutes(utc: pd.DatetimeIndex, lat: float, lon: float) -> np.ndarray:
    sp = pvlib.solarposition.spa_python(utc, lat, lon)
    return sp["equation_of_time"].to_numpy()


def tst_to_utc(date: dt.date, tst_hours: np.ndarray, *, lon: float, lat: float) -> pd.DatetimeIndex:
    """UTC instants at given local true solar times of a day.

    ``UTC = TST − λ/15 h − EoT`` with the equation of time from SPA, iterated twice
    (EoT changes by < 1 s per hour, so the result is exact to far below a second).

    Parameters
    ----------
    date : datetime.date
        The (local) day.
    tst_hours : array of float
        True solar time, hours after local true midnight.
    lon, lat : float
        Site longitude (degrees east) and latitude (degrees north).
    """
    tst = np.asarray(tst_hours, dtype=float)
    base = pd.Timestamp(date, tz="UTC")
    mean = base + pd.to_timedelta((tst - lon / 15.0) * 3600.0, unit="s")
    utc = mean
    for _ in range(2):
        eot = _eot_minutes(pd.DatetimeIndex(utc), lat, lon)
        utc = mean - pd.to_timedelta(eot * 60.0, unit="s")
    return pd.DatetimeIndex(utc)


@dataclass(frozen=True)
class SunPath:
    """Sun positions at the time steps of the standard day's effective band.

    Attributes
    ----------
    date : datetime.date
        The standard day (Beijing calendar date).
    table : pandas.DataFrame
        One row per time step: ``tst_h`` (TST, hours), ``utc``, ``bjt`` (Beijing time),
        ``altitude_deg``, ``azimuth_deg`` (clockwise from true north), ``minutes``
        (the step length each sample stands for).
    refraction : bool
        Whether altitudes include atmospheric refraction (apparent) or not (geometric).
    step_min : float
        Time step, minutes.
    """

    date: dt.date
    table: pd.DataFrame
    refraction: bool
    step_min: float
    lon: float
    lat: float

    @property
    def altitude(self) -> np.ndarray:
        """Sun altitude per step, degrees."""
        return self.table["altitude_deg"].to_numpy()

    @property
    def azimuth(self) -> np.ndarray:
        """Sun azimuth per step, degrees clockwise from true north."""
        return self.table["azimuth_deg"].to_numpy()

    @property
    def tan_alt(self) -> np.ndarray:
        """tan(altitude) per step (float64); ``-inf`` where the sun is below the horizon."""
        alt = self.altitude
        out = np.tan(np.radians(alt))
        out[alt <= 0] = -np.inf
        return out

    def direction_grid(self, grid_north_azimuth_deg: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Horizontal unit vector towards the sun in the site grid (x east-ish, y grid north).

        Parameters
        ----------
        grid_north_azimuth_deg : float
            Azimuth of the grid +y axis, degrees clockwise from true north (子午线收敛角 of a
            Gauss–Krüger grid, or a local grid's rotation).
        """
        a = np.radians(self.azimuth - grid_north_azimuth_deg)
        return np.sin(a), np.cos(a)

    def __len__(self) -> int:
        return len(self.table)


def sun_path(
    *,
    lon: float,
    lat: float,
    standard_day: str = "dahan",
    year: int,
    band_start_h: float,
    band_end_h: float,
    step_min: float,
    refraction: bool = True,
    pressure_pa: float = 101325.0,
    temperature_c: float = 12.0,
    date: dt.date | None = None,
) -> SunPath:
    """Sun positions (SPA) over the effective band of the standard day, in true solar time.

    Parameters
    ----------
    lon, lat : float
        Site longitude (degrees east) and latitude (degrees north).
    standard_day : {"dahan", "dongzhi"}
        日照标准日: 大寒日 or 冬至日 (rule pack ``sunlight.standard_day``).
    year : int
        日照基准年 (rule pack ``sunlight.year``, GB/T 50947: 2001).
    band_start_h, band_end_h : float
        有效日照时间带, hours of true solar time (e.g. 8 and 16).
    step_min : float
        Time step in minutes (GB/T 50947: ≤ 1 min).  The band length must be a multiple.
    refraction : bool
        Use the apparent (refracted) altitude; ``False`` for the geometric one.  The report
        records the choice (it moves marginal windows by 1–4 min in Urumqi).
    pressure_pa, temperature_c : float
        Atmosphere for the refraction correction (SPA defaults).
    date : datetime.date, optional
        Override the standard day (e.g. for a test at another date).

    Returns
    -------
    SunPath
    """
    if not band_end_h > band_start_h:
        raise ValueError(f"sunlight band: band_end_h ({band_end_h}) must exceed band_start_h ({band_start_h})")
    if not step_min > 0:
        raise ValueError(f"sunlight.step_min must be > 0 (got {step_min})")
    n = (band_end_h - band_start_h) * 60.0 / step_min
    if abs(n - round(n)) > 1e-6:
        raise ValueError(
            f"sunlight band {band_start_h}–{band_end_h} h is not a whole number of {step_min}-min steps"
        )
    n = int(round(n))
    day = date or standard_day_date(standard_day, year)
    tst = band_start_h + (np.arange(n) + 0.5) * step_min / 60.0
    utc = tst_to_utc(day, tst, lon=lon, lat=lat)
    sp = pvlib.solarposition.spa_python(utc, lat, lon, pressure=pressure_pa, temperature=temperature_c)
    alt = sp["apparent_elevation" if refraction else "elevation"].to_numpy()
    table = pd.DataFrame(
        {
            "tst_h": tst,
            "utc": utc,
            "bjt": utc.tz_convert("Asia/Shanghai"),
            "altitude_deg": alt,
            "azimuth_deg": sp["azimuth"].to_numpy(),
            "minutes": np.full(n, float(step_min)),
        }
    )
    return SunPath(date=day, table=table, refraction=refraction, step_min=float(step_min), lon=lon, lat=lat)


def tst_bjt_table(
    *, lon: float, lat: float, date: dt.date, tst_hours: np.ndarray | None = None, refraction: bool = True
) -> pd.DataFrame:
    """True solar time ↔ Beijing time table for the report (真太阳时与北京时间对照).

    Parameters
    ----------
    lon, lat : float
        Site longitude / latitude, degrees.
    date : datetime.date
        The standard day.
    tst_hours : array of float, optional
        TST instants, hours (default: every whole hour 8–16).
    refraction : bool
        Altitude with or without refraction.

    Returns
    -------
    pandas.DataFrame
        Columns ``tst`` ("HH:MM"), ``bjt`` ("HH:MM:SS"), ``altitude_deg``, ``azimuth_deg``,
        ``eot_min`` (equation of time, minutes).
    """
    tst = np.arange(8.0, 16.01, 1.0) if tst_hours is None else np.asarray(tst_hours, dtype=float)
    utc = tst_to_utc(date, tst, lon=lon, lat=lat)
    sp = pvlib.solarposition.spa_python(utc, lat, lon)
    bjt = utc.tz_convert("Asia/Shanghai")
    return pd.DataFrame(
        {
            "tst": [f"{int(h):02d}:{int(round((h % 1) * 60)):02d}" for h in tst],
            "bjt": bjt.strftime("%H:%M:%S"),
            "altitude_deg": sp["apparent_elevation" if refraction else "elevation"].to_numpy().round(2),
            "azimuth_deg": sp["azimuth"].to_numpy().round(2),
            "eot_min": sp["equation_of_time"].to_numpy().round(2),
        }
    )
