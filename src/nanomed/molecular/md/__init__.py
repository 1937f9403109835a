"""Molecular dynamics with OpenMM: GAFF2 parameters, diffusion, binding free energy (umbrella
sampling PMF on a frozen carrier fragment), polymer matrix."""
