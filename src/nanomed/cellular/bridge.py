"""Bridge cellular -> organ: cell-level uptake rates for a carrier, in the organ scale's units.

When the cellular level is switched on, the organ scale replaces two default constants by:

``tumour_internalisation_rate_per_h`` [1/h]
    First-order rate at which carriers in the tumour interstitium are internalised by tumour cells:
    the quasi-steady attachment–wrapping rate of :meth:`UptakeModel.internalisation_rate`
    (``k_att k_wrap / (k_detach + k_wrap)``). In a nano-PBPK tumour compartment it is the
    tissue-uptake (interstitium -> cells) rate constant.
``macrophage_uptake_rate_per_h`` [1/h]
    Phagocytic uptake rate of :func:`macrophage_uptake_rate`. It plays the part of the maximum
    phagocytic uptake rate constant of the nano-PBPK models of Lin et al. (Nanotoxicology 10:1226,
    2016) and Chou et al. (J Control Release 361:53, 2023): ``KTRESmax`` in the tumour and
    ``K_max`` of the MPS organs (liver, spleen), before their saturation (Hill) terms.

Both rates are per hour, for carriers already at the cell surface or in the interstitium; the
organ scale keeps its own delivery (blood flow, EPR permeability) and capacity terms.
"""

from __future__ import annotations

from typing import Any

from nanomed.cellular.uptake import CarrierSurface, UptakeModel, macrophage_uptake_rate

__all__ = ["cellular_rates"]


def cellular_rates(
    carrier: Any, *, uptake: UptakeModel | None = None, **macrophage_values: float
) -> dict[str, float]:
    """Tumour-cell internalisation and macrophage uptake rates [1/h] of a carrier.

    Parameters
    ----------
    carrier : nanomed.schema.Carrier or CarrierSurface
        The carrier (size, zeta potential, PEG and ligand densities, aspect ratio).
    uptake : UptakeModel, optional
        Tumour-cell uptake model (defaults if None).
    **macrophage_values : float
        Overrides passed to :func:`macrophage_uptake_rate`.

    Returns
    -------
    dict
        ``tumour_internalisation_rate_per_h`` and ``macrophage_uptake_rate_per_h`` [1/h].

    Examples
    --------
    >>> rates = cellular_rates(CarrierSurface(100.0, peg_density_nm2=0.5))
    >>> sorted(rates)
    ['macrophage_uptake_rate_per_h', 'tumour_internalisation_rate_per_h']
    """
    surface = (
        carrier if isinstance(carrier, CarrierSurface) else CarrierSurface.from_carrier(carrier)
    )
    model = uptake or UptakeModel()
    return {
        "tumour_internalisation_rate_per_h": model.internalisation_rate(surface),
        "macrophage_uptake_rate_per_h": macrophage_uptake_rate(surface, **macrophage_values),
    }
