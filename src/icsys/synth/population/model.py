"""The epidemiological model of the synthetic population, as data.

Everything the generator draws from is in this module: prevalence of each long-term condition by
age band, sex and IMD quintile; mortality; moves; and the rate of every kind of care event by age,
sex, deprivation and conditions, with its seasonality. Relative shapes are written here; their
levels are *calibrated* against the structure the population is placed in (``calibrate``), so the
registered-population prevalence and the national event rates land on the published England
figures whatever the age structure of the areas used.

Sources of the targets (England, the latest year before 2025 unless noted):

- QOF 2023-24 registers, % of registered patients (of those aged 17+ for diabetes, 18+ for CKD
  and depression): hypertension 14.8, diabetes 7.7, asthma 6.5, COPD 1.9, CHD 3.0, AF 2.2,
  heart failure 1.1, stroke/TIA 1.8, CKD 4.1, dementia 0.75, depression 13.2, SMI 0.95,
  cancer 3.5, learning disability 0.55. Age and sex shapes follow the QOF age-specific
  prevalence publications and the deprivation gradients the Fingertips practice profiles show
  (e.g. diabetes about 1.8 times as common in the most deprived fifth as in the least).
- Hospital Episode Statistics 2023-24: about 6.4 million emergency admissions (0.11 per person
  per year) and 7.6 million elective (ordinary and day case, 0.13); A&E about 23 million
  attendances at type 1 and type 3 departments (0.40), 4-hour performance 72-76% (type 1 about
  60%, type 3 about 97%), 12-hour waits from arrival about 10% of type 1 attendances;
  outpatients about 100 million appointments (1.8) with 7% not attended.
- Community Services Data Set, Mental Health Services Data Set and the Short and Long Term
  (SALT) social care return: community contacts about 1.5 per person per year, secondary mental
  health contacts about 0.35, long-term social care support for about 1.5% of people 65+.
- Referral to treatment: about 7.5 million open pathways (about 13 per 100 people), about 59%
  within 18 weeks, median wait about 14 weeks.
- ONS: about 1% of people die each year (crude), with winter excess; about 10% move home a year.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

AGES = 91  # single years 0..89 and the open band 90+
# Bands of the relative age shapes below: the first age of each band (the last is 85+).
BAND_STARTS = (0, 5, 10, 15, 18, 25, 35, 45, 55, 65, 75, 85)
QUINTILES = 5  # IMD quintile 1 = most deprived fifth of LSOAs


def age_curve(bands: tuple[float, ...]) -> FloatArray:
    """A single-year curve (0..90+) interpolated linearly between the band midpoints."""
    if len(bands) != len(BAND_STARTS):
        msg = f"an age shape needs {len(BAND_STARTS)} band values, got {len(bands)}"
        raise ValueError(msg)
    ends = (*BAND_STARTS[1:], 95)
    mids = [(lo + hi - 1) / 2 for lo, hi in zip(BAND_STARTS, ends, strict=True)]
    curve = np.interp(np.arange(AGES, dtype=np.float64), mids, bands)
    # a band that is zero stays zero throughout (no interpolation into ages it excludes)
    for lo, hi, value in zip(BAND_STARTS, ends, bands, strict=True):
        if value == 0:
            curve[lo : min(hi, AGES)] = 0.0
    return curve


class Condition(enum.StrEnum):
    """Long-term conditions, as the QOF registers name them."""

    HYPERTENSION = "hypertension"
    DIABETES = "diabetes"
    ASTHMA = "asthma"
    COPD = "copd"
    CHD = "chd"
    AF = "atrial_fibrillation"
    HEART_FAILURE = "heart_failure"
    STROKE = "stroke_tia"
    CKD = "ckd"
    DEMENTIA = "dementia"
    DEPRESSION = "depression"
    SMI = "smi"
    CANCER = "cancer"
    LEARNING_DISABILITY = "learning_disability"


@dataclass(frozen=True)
class ConditionModel:
    """Prevalence of one condition: relative shape by age band, sex and IMD quintile, and the
    target share of the registered population at or above ``min_age`` that has it."""

    condition: Condition
    target: float
    min_age: int
    bands: tuple[float, ...]  # relative prevalence by BAND_STARTS (persons)
    male: float  # prevalence in men relative to women at the same age
    quintiles: tuple[float, float, float, float, float]  # IMD quintile 1 (most deprived) .. 5
    snomed: str  # a SNOMED CT concept for the diagnosis (the QOF cluster's main code)
    earliest_age: int = 0  # youngest age at diagnosis


#                                 0   5   10  15  18  25  35  45  55  65  75  85
CONDITIONS: tuple[ConditionModel, ...] = (
    ConditionModel(
        Condition.HYPERTENSION, 0.148, 0,
        (0, 0, 0, 0.001, 0.004, 0.015, 0.05, 0.14, 0.29, 0.45, 0.58, 0.62),
        1.12, (1.22, 1.12, 1.04, 0.97, 0.90), "38341003", 18,
    ),
    ConditionModel(
        Condition.DIABETES, 0.077, 17,
        (0.002, 0.002, 0.003, 0.004, 0.006, 0.015, 0.04, 0.085, 0.145, 0.195, 0.22, 0.18),
        1.3, (1.75, 1.3, 1.0, 0.84, 0.72), "44054006", 1,
    ),
    ConditionModel(
        Condition.ASTHMA, 0.065, 0,
        (0, 0.05, 0.07, 0.075, 0.065, 0.06, 0.06, 0.065, 0.07, 0.075, 0.07, 0.055),
        0.85, (1.18, 1.07, 1.0, 0.95, 0.9), "195967001", 5,
    ),
    ConditionModel(
        Condition.COPD, 0.019, 0,
        (0, 0, 0, 0, 0, 0.0005, 0.003, 0.011, 0.03, 0.055, 0.075, 0.07),
        1.1, (2.0, 1.35, 1.0, 0.8, 0.62), "13645005", 35,
    ),
    ConditionModel(
        Condition.CHD, 0.030, 0,
        (0, 0, 0, 0, 0, 0.0003, 0.003, 0.015, 0.04, 0.08, 0.13, 0.17),
        1.8, (1.45, 1.2, 1.0, 0.88, 0.78), "53741008", 30,
    ),
    ConditionModel(
        Condition.AF, 0.022, 0,
        (0, 0, 0, 0, 0.0003, 0.0006, 0.002, 0.006, 0.02, 0.06, 0.13, 0.19),
        1.35, (1.0, 1.0, 1.0, 1.0, 1.0), "49436004", 18,
    ),
    ConditionModel(
        Condition.HEART_FAILURE, 0.011, 0,
        (0, 0, 0, 0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.025, 0.06, 0.11),
        1.35, (1.45, 1.2, 1.0, 0.9, 0.8), "84114007", 18,
    ),
    ConditionModel(
        Condition.STROKE, 0.018, 0,
        (0, 0, 0, 0, 0.0005, 0.001, 0.003, 0.01, 0.025, 0.05, 0.09, 0.12),
        1.1, (1.35, 1.15, 1.0, 0.9, 0.82), "230690007", 18,
    ),
    ConditionModel(
        Condition.CKD, 0.041, 18,
        (0, 0, 0, 0, 0.001, 0.002, 0.004, 0.01, 0.03, 0.08, 0.2, 0.35),
        0.8, (1.25, 1.1, 1.0, 0.93, 0.85), "433144002", 18,
    ),
    ConditionModel(
        Condition.DEMENTIA, 0.0075, 0,
        (0, 0, 0, 0, 0, 0, 0.0001, 0.0006, 0.002, 0.012, 0.05, 0.15),
        0.75, (1.2, 1.1, 1.0, 0.95, 0.9), "52448006", 40,
    ),
    ConditionModel(
        Condition.DEPRESSION, 0.132, 18,
        (0, 0, 0, 0.02, 0.08, 0.13, 0.15, 0.16, 0.15, 0.13, 0.12, 0.12),
        0.6, (1.35, 1.15, 1.0, 0.9, 0.8), "35489007", 15,
    ),
    ConditionModel(
        Condition.SMI, 0.0095, 0,
        (0, 0, 0, 0.001, 0.005, 0.009, 0.012, 0.013, 0.012, 0.01, 0.009, 0.008),
        1.15, (2.1, 1.35, 1.0, 0.8, 0.65), "58214004", 15,
    ),
    ConditionModel(
        Condition.CANCER, 0.035, 0,
        (0.0005, 0.0005, 0.0005, 0.001, 0.001, 0.003, 0.008, 0.02, 0.045, 0.08, 0.11, 0.12),
        0.9, (0.9, 0.95, 1.0, 1.04, 1.08), "363346000", 0,
    ),
    ConditionModel(
        Condition.LEARNING_DISABILITY, 0.0055, 0,
        (0.002, 0.006, 0.006, 0.006, 0.006, 0.006, 0.006, 0.006, 0.005, 0.004, 0.002, 0.001),
        1.5, (1.5, 1.2, 1.0, 0.85, 0.75), "110359009", 0,
    ),
)  # fmt: skip

# Conditions cluster in people: a shared normal factor with this loading (Gaussian copula).
COMORBIDITY_LOADING = 0.55
MAX_PREVALENCE = 0.97

# Share of women by single year of age (England mid-year estimates: 48.8% at 0, 50% at 40,
# 56% at 80, 66% at 90+).
FEMALE_SHARE = np.interp(
    np.arange(AGES, dtype=np.float64),
    [0, 30, 60, 70, 80, 85, 90],
    [0.488, 0.5, 0.508, 0.52, 0.56, 0.6, 0.66],
)

# Ethnic group (2021 Census, England): NHS Data Dictionary ethnic category codes and shares,
# and how much more common each non-white group is in the most deprived quintile.
ETHNICITY_CODES = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S")
ETHNICITY_SHARES = (
    0.735, 0.005, 0.063, 0.005, 0.008, 0.004, 0.011, 0.033, 0.027, 0.011, 0.017,
    0.025, 0.016, 0.005, 0.004, 0.031,
)  # fmt: skip
ETHNICITY_DEPRIVATION_TILT = 0.5  # non-white shares x (1 + tilt) in quintile 1 .. (1 - tilt) in 5


# --- mortality and moves --------------------------------------------------------------------
def mortality_hazard() -> FloatArray:
    """Annual death hazard by single year of age (persons, before sex and other multipliers):
    Gompertz from 30, an infant peak, a floor in childhood (ONS national life tables 2020-22)."""
    ages = np.arange(AGES, dtype=np.float64)
    gompertz = 3.5e-5 * np.exp(0.09 * ages)
    hazard = np.maximum(gompertz, 0.0001)
    hazard[0] = 0.0038
    hazard[90] = 0.19
    return hazard


MORTALITY_MALE = 1.2
MORTALITY_FEMALE = 0.84
MORTALITY_QUINTILES = (1.45, 1.2, 1.0, 0.88, 0.75)
MORTALITY_CONDITIONS = {
    Condition.HEART_FAILURE: 1.9,
    Condition.DEMENTIA: 2.3,
    Condition.CANCER: 1.8,
    Condition.COPD: 1.6,
    Condition.CKD: 1.3,
    Condition.SMI: 1.8,
    Condition.LEARNING_DISABILITY: 2.0,
    Condition.DIABETES: 1.2,
    Condition.STROKE: 1.3,
}
MORTALITY_TARGET = 0.0095  # deaths per person per year
MORTALITY_SEASONALITY = 0.15  # winter deaths +15% on the year's average, summer -15%

# Moves home, per person per year by age: peaks in the twenties (ONS internal migration).
MOVE_RATE = age_curve((0.09, 0.06, 0.05, 0.06, 0.2, 0.18, 0.09, 0.06, 0.05, 0.04, 0.04, 0.06))
MOVE_WITHIN_SUB_ICB = 0.7  # the rest move anywhere in the world (weighted by population)
PRACTICE_CHANGE_RATE = 0.02  # change of practice without moving, per person per year
BIRTH_RATE = 0.0105  # births per person per year


# --- events ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventModel:
    """The rate of one kind of event: a relative shape by age band, sex and IMD quintile, times a
    multiplier for each condition a person has, scaled so the mean rate is ``target`` per person
    per year; then a seasonal cycle peaking in ``peak_month`` with ``amplitude``."""

    name: str
    target: float
    bands: tuple[float, ...]
    male: float
    quintiles: tuple[float, float, float, float, float]
    conditions: dict[Condition, float] = field(default_factory=dict)
    amplitude: float = 0.1  # seasonal: +amplitude at the peak month, -amplitude six months on
    peak_month: float = 1.0  # 1 = January
    min_age: int = 0
    max_age: int = 90


EMERGENCY = EventModel(
    "emergency_admissions", 0.11,
    (0.16, 0.05, 0.04, 0.06, 0.07, 0.07, 0.07, 0.09, 0.13, 0.2, 0.38, 0.7),
    1.05, (1.45, 1.2, 1.0, 0.88, 0.77),
    {
        Condition.HEART_FAILURE: 2.0, Condition.COPD: 2.0, Condition.DEMENTIA: 1.7,
        Condition.CANCER: 1.5, Condition.CKD: 1.3, Condition.DIABETES: 1.3, Condition.AF: 1.2,
        Condition.CHD: 1.3, Condition.ASTHMA: 1.2, Condition.SMI: 1.4, Condition.STROKE: 1.3,
    },
    amplitude=0.15,
)  # fmt: skip
ELECTIVE = EventModel(
    "elective_admissions", 0.13,
    (0.03, 0.03, 0.03, 0.04, 0.05, 0.07, 0.09, 0.13, 0.2, 0.3, 0.33, 0.22),
    1.0, (1.1, 1.05, 1.0, 0.98, 0.95),
    {Condition.CANCER: 3.0, Condition.CKD: 1.3, Condition.DIABETES: 1.2, Condition.CHD: 1.3},
    amplitude=0.04, peak_month=3.0,
)  # fmt: skip
AE = EventModel(
    "ae_attendances", 0.40 - 0.11 * 0.7,  # the rest arrive with the emergency admissions
    (0.55, 0.3, 0.3, 0.38, 0.5, 0.42, 0.35, 0.31, 0.32, 0.36, 0.55, 0.9),
    1.02, (1.5, 1.22, 1.0, 0.88, 0.77),
    {
        Condition.SMI: 2.0, Condition.COPD: 1.5, Condition.HEART_FAILURE: 1.4,
        Condition.DEPRESSION: 1.3, Condition.ASTHMA: 1.2, Condition.DEMENTIA: 1.3,
        Condition.LEARNING_DISABILITY: 1.4,
    },
    amplitude=0.1,
)  # fmt: skip
OUTPATIENT = EventModel(
    "outpatient_appointments", 1.8,
    (0.6, 0.5, 0.55, 0.7, 0.8, 1.2, 1.3, 1.6, 2.1, 2.9, 3.4, 2.8),
    0.8, (1.12, 1.06, 1.0, 0.97, 0.94),
    {
        Condition.CANCER: 2.5, Condition.DIABETES: 1.4, Condition.CKD: 1.4, Condition.CHD: 1.3,
        Condition.HEART_FAILURE: 1.4, Condition.AF: 1.2, Condition.COPD: 1.2,
    },
    amplitude=0.05, peak_month=3.0,
)  # fmt: skip
COMMUNITY = EventModel(
    "community_contacts", 1.5,
    (1.2, 0.5, 0.4, 0.3, 0.2, 0.3, 0.3, 0.4, 0.7, 1.5, 4.5, 11.0),
    0.8, (1.3, 1.15, 1.0, 0.92, 0.85),
    {
        Condition.HEART_FAILURE: 1.8, Condition.DEMENTIA: 2.0, Condition.DIABETES: 1.4,
        Condition.COPD: 1.5, Condition.STROKE: 1.4, Condition.LEARNING_DISABILITY: 1.5,
    },
    amplitude=0.08,
)  # fmt: skip
MENTAL_HEALTH = EventModel(
    "mental_health_contacts", 0.35,
    (0.05, 0.15, 0.35, 0.5, 0.45, 0.4, 0.35, 0.3, 0.2, 0.15, 0.2, 0.3),
    0.95, (1.6, 1.25, 1.0, 0.85, 0.72),
    {
        Condition.SMI: 25.0, Condition.DEPRESSION: 3.0, Condition.DEMENTIA: 4.0,
        Condition.LEARNING_DISABILITY: 3.0,
    },
    amplitude=0.05,
)  # fmt: skip
WAITING = EventModel(
    "rtt_clock_starts", 0.34,
    (0.1, 0.1, 0.12, 0.15, 0.18, 0.22, 0.27, 0.33, 0.45, 0.6, 0.65, 0.5),
    0.85, (1.1, 1.05, 1.0, 0.98, 0.96),
    {Condition.CANCER: 1.6, Condition.DIABETES: 1.3, Condition.CKD: 1.3, Condition.CHD: 1.3},
    amplitude=0.05, peak_month=3.0,
)  # fmt: skip
EVENTS = (EMERGENCY, ELECTIVE, AE, OUTPATIENT, COMMUNITY, MENTAL_HEALTH, WAITING)

# Share of emergency admissions that arrive through a type 1 A&E attendance.
EMERGENCY_VIA_AE = 0.7
AE_TYPE1_SHARE = 0.62  # of attendances not ending in admission: type 1 (the rest type 3)
# A&E time in department, minutes: lognormal (median, sigma) for type 1 non-admitted,
# type 1 admitted and type 3.
AE_DURATION = {"type1": (150.0, 0.65), "admitted": (450.0, 1.0), "type3": (75.0, 0.55)}
# Length of stay, days: elective day cases share, then the lognormal of the rest.
ELECTIVE_DAY_CASE = 0.8
ELECTIVE_LOS = (2.5, 0.8)
EMERGENCY_ZERO_LOS = 0.3
EMERGENCY_LOS = (3.5, 1.0)  # scaled up by (1 + age / 60)
OUTPATIENT_DNA = 0.07
OUTPATIENT_FIRST = 0.33
# RTT: waits are gamma(shape, scale weeks) — median about 14 weeks, 59% within 18.
RTT_WAIT_SHAPE = 1.5
RTT_WAIT_SCALE_WEEKS = 13.3
RTT_ADMITTED_SHARE = 0.25  # pathways ending in an admission (the rest non-admitted)
# Long-term social care support (SALT): share of people 65+ receiving it at a point in time,
# by its relative shape across ages 65-74, 75-84, 85+; and the 18-64 share (mainly learning
# disability and SMI).
SOCIAL_CARE_65 = 0.015
SOCIAL_CARE_AGE = {65: 0.25, 75: 1.0, 85: 3.5}
SOCIAL_CARE_CONDITIONS = {
    Condition.DEMENTIA: 6.0,
    Condition.STROKE: 2.0,
    Condition.HEART_FAILURE: 1.6,
    Condition.LEARNING_DISABILITY: 12.0,
    Condition.SMI: 3.0,
}
SOCIAL_CARE_18_64 = 0.0035
SOCIAL_CARE_MEAN_YEARS = 2.0  # mean length of a long-term support episode
SOCIAL_CARE_SETTINGS = (("community", 0.72), ("residential", 0.17), ("nursing", 0.11))


# --- treatment functions and specialties ------------------------------------------------------
# (code, name, weight) — main treatment functions of outpatient and elective activity.
SPECIALTIES = (
    ("100", "General Surgery", 0.08),
    ("101", "Urology", 0.06),
    ("110", "Trauma and Orthopaedic", 0.12),
    ("120", "Ear Nose and Throat", 0.06),
    ("130", "Ophthalmology", 0.11),
    ("300", "General Internal Medicine", 0.05),
    ("301", "Gastroenterology", 0.06),
    ("320", "Cardiology", 0.07),
    ("330", "Dermatology", 0.06),
    ("340", "Respiratory Medicine", 0.04),
    ("370", "Medical Oncology", 0.04),
    ("400", "Neurology", 0.04),
    ("420", "Paediatrics", 0.05),
    ("502", "Gynaecology", 0.07),
    ("800", "Clinical Oncology", 0.03),
    ("410", "Rheumatology", 0.03),
    ("361", "Nephrology", 0.02),
    ("307", "Diabetes and Endocrinology", 0.01),
)


def seasonal_factor(month: FloatArray, amplitude: float, peak_month: float) -> FloatArray:
    """Relative intensity by (fractional) month of the year, 1 on average over a year."""
    return 1.0 + amplitude * np.cos(2.0 * math.pi * (month - peak_month) / 12.0)
