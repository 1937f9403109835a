"""Molecular dynamics with OpenMM: GAFF2 parameters, diffusion, umbrella-sampling PMF, polymer matrix."""
