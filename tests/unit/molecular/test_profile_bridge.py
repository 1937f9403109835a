"""MolecularProfile provenance, the bridge to release parameters, and the CLI's one-line errors."""

import math

import pytest
import typer
from typer.testing import CliRunner

from nanomed.core.errors import InputError
from nanomed.molecular.bridge import release_model_for, release_parameters
from nanomed.molecular.profile import MolecularProfile, molecular_profile

pytest.importorskip("rdkit")
ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


def test_profile_values_carry_provenance():
    p = molecular_profile(ASPIRIN, "PLGA")
    for name in ("molecular_weight", "logp", "d_water", "chi", "log_partition", "d_matrix"):
        assert name in p and p[name].level == "estimate" and p[name].method
    assert p["d_matrix"].guess and p["d_matrix"].value < p["d_water"].value
    given = molecular_profile(ASPIRIN, "PLGA", logp=1.19)
    assert given["logp"].level == "given" and given["logp"].value == 1.19
    assert "Greenhalgh" in p.notes[0]
    with pytest.raises(InputError, match="no 'binding_energy'"):
        p["binding_energy"]


def test_bridge_polymer_gives_fickian_parameters():
    p = molecular_profile(
        "COc1cccc2C(=O)c3c(O)c4CC(O)(CC(OC5CC(N)C(O)C(C)O5)c4c(O)c3C(=O)c12)C(=O)CO", "PLGA"
    )
    assert release_model_for(p) == "fickian_sphere"
    params = release_parameters(p, loading_mass_fraction=0.1)
    assert params["diffusivity"].value == p["d_matrix"].value
    cap = p["loading_mass_fraction"].value
    assert params["burst"].value == pytest.approx((0.1 - cap) / 0.1)  # drug beyond capacity


def test_bridge_inorganic_uses_binding_energy():
    p = MolecularProfile("CO", "gold", 310.15)
    assert release_parameters(p) == {}  # no xTB level: nothing to say
    p.set("binding_energy", -10.0, "kcal/mol", "xtb", "GFN1-xTB")
    params = release_parameters(p)
    kt = 0.0019872042586408316 * 310.15
    k_off = 1.380649e-23 * 310.15 / 6.62607015e-34 * math.exp(-10.0 / kt) * 3600
    assert params["desorption_rate"].value == pytest.approx(k_off)
    assert params["langmuir_constant"].value == pytest.approx(math.exp(10.0 / kt))


def test_profile_rejects_bad_input():
    with pytest.raises(InputError, match="unknown carrier material"):
        molecular_profile(ASPIRIN, "unobtainium")
    with pytest.raises(InputError, match="not a valid SMILES"):
        molecular_profile("C1CC", "PLGA")
    with pytest.raises(InputError, match="loading_mass_fraction"):
        release_parameters(molecular_profile(ASPIRIN, "PLGA"), loading_mass_fraction=2.0)


def _app():
    from nanomed.cli import molecular

    root = typer.Typer()
    molecular.register(root)

    @root.callback()
    def _cb() -> None:
        pass

    return root


def test_cli_profile_and_errors(tmp_path):
    runner = CliRunner()
    out = tmp_path / "p.json"
    ok = runner.invoke(
        _app(), ["molecular", "profile", "--smiles", ASPIRIN, "--carrier", "PLGA", "-o", str(out)]
    )
    assert ok.exit_code == 0 and "d_water" in ok.output and out.exists()
    bad = runner.invoke(_app(), ["molecular", "profile", "--smiles", "C1CC", "--carrier", "PLGA"])
    assert bad.exit_code == 2 and "not a valid SMILES" in bad.output
    bad = runner.invoke(
        _app(), ["molecular", "profile", "--smiles", "CCO", "--carrier", "vibranium"]
    )
    assert bad.exit_code == 2 and "unknown carrier material" in bad.output


def test_cli_prints_bracketed_smiles_whole():
    """Square brackets of a SMILES ([nH]) are atoms, not console markup: the table title and
    the one-line error keep them."""
    runner = CliRunner()
    fu = "O=c1[nH]cc(F)c(=O)[nH]1"  # fluorouracil
    ok = runner.invoke(_app(), ["molecular", "profile", "--smiles", fu, "--carrier", "PLGA"])
    assert ok.exit_code == 0 and f"{fu} in PLGA" in ok.output
    bad = runner.invoke(_app(), ["molecular", "profile", "--smiles", fu + "X", "--carrier", "PLGA"])
    assert bad.exit_code == 2 and f"'{fu}X' is not a valid SMILES" in bad.output
