"""Data-integrity tests of the bundled data files.

These check a bundled table against its own published relations (no nanomed model is run): they
catch transcription errors in the data, not bugs in the code.
"""

import math

import numpy as np
import pandas as pd

from nanomed.data import data_path

# ISDD Table 3 (Nanotoxicology 9:871, 2015, reproducing Pal et al., ACS Nano 8:9003, 2014)
ISDD = pd.read_csv(data_path("datasets", "isdd_pal2015", "isdd_table3.csv"))


def test_isdd_table_t90_is_ln10_over_alpha():
    # deposited fraction 1 - exp(-alpha t) reaches 90 % at t90 = ln 10 / alpha
    alpha_from_t90 = math.log(10.0) / ISDD["t90_h"]
    # alpha is printed with 3 decimals: allow its rounding
    assert np.all(np.abs(alpha_from_t90 - ISDD["deposition_fraction_constant_alpha_per_h"]) < 6e-4)


def test_isdd_table_surface_dose_is_proportional_to_mass_dose():
    # the same particles deposit: the deposited fraction by surface area equals that by mass
    mass_ratio = ISDD["deposited_mass_ug_24h"] / ISDD["administered_mass_ug"]
    sa_ratio = ISDD["deposited_SA_cm2_24h"] / ISDD["administered_SA_cm2"]
    np.testing.assert_allclose(sa_ratio, mass_ratio, rtol=0.05)
