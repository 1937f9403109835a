"""Shared builders for the organ-scale tests (imported by the test modules)."""

import numpy as np

from nanomed.core.parameter import Parameter
from nanomed.release.base import ReleaseModel
from nanomed.schema import Carrier, Dosing, Drug, Formulation, Scenario, Tumour


class FirstOrderRelease(ReleaseModel):
    """f(t) = 1 - exp(-k t), k x acid_factor below pH 6 (a test model with a known hazard k)."""

    name = "test_first_order"
    param_specs = (
        Parameter("k", 0.05, "1/h", (0, None), ref="test"),
        Parameter("acid_factor", 1.0, "dimensionless", (0, None), ref="test"),
    )

    def _fraction(self, t, p, env):
        k = p["k"] * (p["acid_factor"] if env.ph < 6 else 1.0)
        return 1.0 - np.exp(-k * t)


def make_drug(**kw) -> Drug:
    base = dict(
        name="doxorubicin",
        molecular_weight=543.5,
        clearance_hepatic=2.0,
        clearance_renal=0.3,
        blood_plasma_ratio=1.2,
        tissue_partition={"heart": 10.0, "liver": 20.0, "rest": 5.0},
    )
    base.update(kw)
    return Drug(**base)


def make_scenario(
    *,
    drug=True,
    carrier=True,
    diameter=100.0,
    peg=0.0,
    zeta=0.0,
    dose=5.0,
    loading=0.1,
    ee=0.9,
    n_doses=1,
    interval=None,
    route="iv_bolus",
    duration=168.0,
    tumour=0.3,
    species="mouse",
    name="test",
) -> Scenario:
    car = None
    if carrier:
        car = Carrier(
            material="PLGA",
            hydrodynamic_diameter=diameter,
            zeta_potential=zeta,
            peg_mw=2000.0 if peg > 0 else 0.0,
            peg_density=peg,
        )
    form = Formulation(
        name=name,
        drug=make_drug() if drug else None,
        carrier=car,
        drug_loading=loading if (drug and carrier) else 0.0,
        encapsulation_efficiency=ee if (drug and carrier) else 1.0,
    )
    dosing = Dosing(
        dose=dose,
        n_doses=n_doses,
        interval=interval,
        route=route,
        infusion_duration=1.0 if route == "iv_infusion" else None,
    )
    return Scenario(
        name=name,
        formulation=form,
        subject={"species": species},
        tumour=Tumour(mass=tumour) if tumour else None,
        dosing=dosing,
        duration=duration,
    )


def well_mixed_free_drug_scenario(**update) -> Scenario:
    """Free drug only, Kp = 1 everywhere and B:P = 1: the body is one compartment of volume BW
    cleared at k = CL_h / BW = 0.1 per hour (CL_h in L/h/kg, well-stirred, CL << Q); 24 h.
    ``update``: other scenario fields (e.g. ``dosing``)."""
    drug = make_drug(
        tissue_partition={"rest": 1.0},
        blood_plasma_ratio=1.0,
        clearance_hepatic=0.1,
        clearance_renal=0.0,
    )
    sc = make_scenario(carrier=False, tumour=None, duration=24.0)
    form = sc.formulation.model_copy(update={"drug": drug})
    return sc.model_copy(update={"formulation": form, **update})
