"""Carrier fragments: small atomistic models of a carrier's surface, and drug conformers (ase Atoms).

Fragments are defined in ``data/molecular/fragments.yaml`` (each with its source) and built
deterministically: organic and silica fragments from SMILES with RDKit ETKDG (Riniker & Landrum,
J. Chem. Inf. Model. 55:2562, 2015) and MMFF94 (Halgren, J. Comput. Chem. 17:490, 1996) with a fixed
seed; gold as the fcc lattice points nearest a centre (Au20: the tetrahedral fcc(111) pyramid of Li et al.,
Science 299:864, 2003) or as a (111) slab patch. The idealised gold geometries are not relaxed here;
:mod:`nanomed.molecular.xtb` deals with their SCF convergence.
"""

from __future__ import annotations

from functools import cache
from numbers import Integral
from typing import Any

import numpy as np
import yaml

from nanomed.core.citations import cite
from nanomed.core.errors import InputError, ModelError
from nanomed.data import data_path

__all__ = ["available_fragments", "build_fragment", "conformers", "fragment_info"]


@cache
def _library() -> dict[str, dict[str, Any]]:
    with open(data_path("molecular", "fragments.yaml"), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def available_fragments() -> list[str]:
    """Names of the carriers that have a fragment (materials library names, plus ``gold_slab``)."""
    return sorted(_library())


def fragment_info(name: str) -> dict[str, Any]:
    """The library entry of a fragment (kind, description, source ...)."""
    lib = _library()
    if name not in lib:
        raise InputError(
            f"carrier {name!r}: no molecular fragment (known: {', '.join(sorted(lib))})"
        )
    return dict(lib[name])


def conformers(
    smiles: str, n: int = 1, seed: int = 0, extra_elements: tuple[str, ...] = ()
) -> list[Any]:
    """Low-energy conformers of a molecule as ase Atoms (ETKDG + MMFF94, seeded), lowest first.

    Parameters
    ----------
    smiles : str
        The structure.
    n : int
        Number of conformers wanted (distinct embeddings; fewer when the molecule is rigid).
    seed : int
        Random seed of the embedding.
    extra_elements : tuple of str
        Elements allowed beyond the drug elements (``("Si",)`` for silica fragments).
    """
    from ase import Atoms
    from rdkit.Chem import AllChem

    from nanomed.molecular.descriptors import molecule_from_smiles

    # anything else reached RDKit's C++ signature check (a Boost.Python ArgumentError)
    if isinstance(n, bool) or not isinstance(n, Integral) or not 1 <= n <= 1000:
        raise InputError(f"n: must be an integer in 1-1000, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= seed < 2**31:
        raise InputError(f"seed: must be an integer in 0-{2**31 - 1}, got {seed!r}")
    cite("Riniker2015", "Riniker & Landrum, J. Chem. Inf. Model. 55:2562 (2015)")
    mol = molecule_from_smiles(smiles, add_hs=True, extra_elements=extra_elements)
    params = AllChem.ETKDGv3()
    params.randomSeed = int(seed)
    n_try = int(max(3 * n, n + 2))
    ids = list(AllChem.EmbedMultipleConfs(mol, numConfs=n_try, params=params))
    if not ids:
        raise ModelError(f"{smiles!r}: RDKit could not embed a 3D conformer")
    energies = []
    if AllChem.MMFFHasAllMoleculeParams(mol):
        res = AllChem.MMFFOptimizeMoleculeConfs(mol, maxIters=2000)
        energies = [e for _, e in res]
    else:  # UFF covers elements MMFF lacks (Si)
        res = AllChem.UFFOptimizeMoleculeConfs(mol, maxIters=2000)
        energies = [e for _, e in res]
    order = np.argsort(energies, kind="stable")
    numbers = [a.GetAtomicNum() for a in mol.GetAtoms()]
    charges = [0.0] * len(numbers)
    charges[0] = float(sum(a.GetFormalCharge() for a in mol.GetAtoms()))
    out: list[Any] = []
    kept: list[float] = []
    for i in order:
        if any(abs(energies[i] - e) < 1e-3 for e in kept):  # same minimum twice
            continue
        kept.append(energies[i])
        pos = mol.GetConformer(ids[int(i)]).GetPositions()
        atoms = Atoms(numbers=numbers, positions=pos)
        atoms.set_initial_charges(charges)  # total charge, read by tblite
        out.append(atoms)
        if len(out) == n:
            break
    return out


def _fcc_cluster(element: str, a: float, n_atoms: int) -> Any:
    """The ``n_atoms`` fcc lattice points nearest to the centroid of one tetrahedral pyramid."""
    from ase import Atoms

    # the Au20 tetrahedron is a 4-layer (111) pyramid: build it from the lattice directly
    d = a / np.sqrt(2.0)  # nearest-neighbour distance
    layers = {20: 4, 10: 3, 4: 2}.get(n_atoms)
    if layers is None:
        raise ModelError(
            f"fcc pyramid cluster: {n_atoms} atoms is not a tetrahedral number (4, 10, 20)"
        )
    e1 = np.array([d, 0.0, 0.0])
    e2 = np.array([d / 2, d * np.sqrt(3) / 2, 0.0])
    e3 = np.array([d / 2, d * np.sqrt(3) / 6, d * np.sqrt(2.0 / 3.0)])
    pos = [
        i * e1 + j * e2 + k * e3
        for k in range(layers)
        for j in range(layers - k)
        for i in range(layers - k - j)
    ]
    atoms = Atoms(element * len(pos), positions=np.array(pos))
    atoms.translate(-atoms.get_positions().mean(axis=0))
    return atoms


@cache
def _build(name: str) -> Any:
    info = fragment_info(name)
    cite(f"fragment:{name}", info["source"])
    kind = info["kind"]
    if kind == "smiles":
        atoms = conformers(info["smiles"], n=1, seed=0, extra_elements=("Si",))[0]
    elif kind == "fcc_cluster":
        atoms = _fcc_cluster(info["element"], float(info["lattice_A"]), int(info["atoms"]))
    elif kind == "fcc111_patch":
        from ase.build import fcc111

        nx, ny = info["size"]
        atoms = fcc111(info["element"], size=(nx, ny, info["layers"]), a=float(info["lattice_A"]))
        atoms.set_pbc(False)
        atoms.set_cell([0, 0, 0])
    else:  # pragma: no cover - guarded by the library file
        raise ModelError(f"fragment {name!r}: unknown kind {kind!r}")
    atoms.translate(-atoms.get_positions().mean(axis=0))
    return atoms


def build_fragment(name: str) -> Any:
    """Return a fresh copy of a carrier fragment (ase Atoms centred at the origin).

    Parameters
    ----------
    name : str
        A carrier of :func:`available_fragments` (``"gold"``, ``"gold_slab"``, ``"PLGA"`` ...).

    Examples
    --------
    >>> len(build_fragment("gold"))
    20
    """
    return _build(name).copy()
