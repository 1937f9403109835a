"""ISDD reference values (Pal et al. 2014 via Nanotoxicology 9:871, 2015, Table 3; bundled as
nanomed/data/datasets/isdd_pal2015) against nanomed's sedimentation–diffusion model.

The table gives, for 8 nanomaterials in RPMI + 10 % FBS (24 h, 50 µg/mL), the measured effective
density, the ISDD-fitted alpha of 1 - exp(-alpha t), t90, and the ISDD-predicted deposited mass
after 24 h. The hydrodynamic diameters (Table 2 of the source) are not bundled, so:

1. the table's own consistency (t90 = ln 10 / alpha; surface dose proportional to mass) is a
   data-integrity check, in tests/unit/test_bundled_data.py;
2. for each material the diameter is backed out from the 24-h deposited fraction with nanomed's
   model, and the alpha that nanomed then fits over 0-24 h is compared with the table's alpha.
   alpha was not used to find the diameter, so this tests the shape of the deposition curve.

Geometry: 10 µg at 50 µg/mL is 200 µL; in a 96-well (0.32 cm² growth area, an assumption) the
medium is 6.25 mm high. Tolerance: 20 % on alpha (ISDD itself is validated to within about
two-fold of measured deposition, Hinderliter et al. 2010).
"""

import math

import numpy as np
import pandas as pd
import pytest

from nanomed.cellular.dosimetry import ParticleType, fit_deposition_rate, simulate_dosimetry
from nanomed.data import data_path

TABLE = pd.read_csv(data_path("datasets", "isdd_pal2015", "isdd_table3.csv"))
HEIGHT_MM = 0.2 / 0.32 * 10.0  # 200 µL over 0.32 cm², in mm
T24 = np.linspace(0.0, 24.0, 49)


def _back_out_diameters():
    """Diameter [nm] of each material whose 24-h delivered fraction matches the table."""
    sizes = np.geomspace(60.0, 3000.0, 60)
    ps = [
        ParticleType(f"{m}|{d:.1f}", float(d), float(rho))
        for m, rho in zip(TABLE["nanomaterial"], TABLE["effective_density_g_cm3"], strict=True)
        for d in sizes
    ]
    f24 = simulate_dosimetry(ps, height_mm=HEIGHT_MM, times_h=T24, n_cells=60).fraction[:, -1]
    f24 = f24.reshape(len(TABLE), sizes.size)
    target = (TABLE["deposited_mass_ug_24h"] / TABLE["administered_mass_ug"]).to_numpy()
    diam = []
    for row, y in zip(f24, target, strict=True):
        i0 = int(np.argmin(row))  # sedimentation branch: above the dose minimum
        branch = row[i0:]
        assert branch[0] < y < branch[-1]
        diam.append(float(np.exp(np.interp(y, branch, np.log(sizes[i0:])))))
    return np.array(diam), target


@pytest.fixture(scope="module")
def backed_out():
    return _back_out_diameters()


def test_backed_out_diameters_are_agglomerate_sizes(backed_out):
    diam, _ = backed_out
    # agglomerates of these materials in RPMI + FBS measure ~100-1000 nm by DLS (Cohen et al.,
    # Part Fibre Toxicol 11:20, 2014 report this range for similar materials)
    assert np.all((diam > 100.0) & (diam < 1000.0))


def test_alpha_fitted_over_24h_matches_the_isdd_table(backed_out):
    diam, target = backed_out
    ps = [
        ParticleType(m, float(d), float(rho))
        for m, d, rho in zip(
            TABLE["nanomaterial"], diam, TABLE["effective_density_g_cm3"], strict=True
        )
    ]
    res = simulate_dosimetry(ps, height_mm=HEIGHT_MM, times_h=T24, n_cells=60)
    np.testing.assert_allclose(res.fraction[:, -1], target, atol=5e-3)  # the back-out worked
    alpha = fit_deposition_rate(T24, res.fraction)
    table_alpha = math.log(10.0) / TABLE["t90_h"].to_numpy()  # full precision via t90
    np.testing.assert_allclose(alpha, table_alpha, rtol=0.20)


def test_curve_shape_explains_table_alpha_vs_24h_dose(backed_out):
    # TiO2 P25: table alpha gives 1 - exp(-24 alpha) = 0.86 while the 24-h dose is 0.98; a
    # sedimentation-dominated curve (linear, then flat) fitted by one exponential does this
    diam, target = backed_out
    i = int(np.nonzero(TABLE["nanomaterial"] == "TiO2 P25")[0][0])
    res = simulate_dosimetry(
        ParticleType("TiO2", float(diam[i]), float(TABLE["effective_density_g_cm3"][i])),
        height_mm=HEIGHT_MM, times_h=T24, n_cells=60,
    )  # fmt: skip
    assert 1 - math.exp(-24 * res.alpha_per_h[0]) < target[i] - 0.08
