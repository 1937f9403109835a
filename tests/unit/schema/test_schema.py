import pytest

from nanomed import Carrier, Formulation, InputError, Scenario
from nanomed.io import validate_file
from nanomed.schema import Drug, read_mapping


def test_carrier_units_roundtrip(tmp_path):
    c = Carrier(material="gold", hydrodynamic_diameter="0.05 um", zeta_potential="-20 mV")
    assert c.hydrodynamic_diameter == pytest.approx(50.0)
    assert c.density == 19.3  # CRC Handbook value in the library
    path = c.save(tmp_path / "c.yaml")
    assert Carrier.from_file(path) == c


def test_unknown_material_is_one_line_error():
    with pytest.raises(InputError) as exc:
        Carrier.from_dict({"material": "kryptonite", "hydrodynamic_diameter": 100})
    msg = str(exc.value)
    assert "material" in msg and "kryptonite" in msg and "\n" not in msg


def test_core_larger_than_hydrodynamic_rejected():
    with pytest.raises(InputError, match="core_diameter"):
        Carrier.from_dict(
            {"material": "gold", "hydrodynamic_diameter": "10 nm", "core_diameter": "20 nm"}
        )


def test_comma_or_uncertainty_in_a_quantity_names_the_field():
    # "1,5 nm" used to validate as 15 nm
    for text in ("1,5 nm", "15 nm ± 2"):
        with pytest.raises(InputError, match=f"^Carrier: core_diameter: cannot read '{text}'"):
            Carrier.from_dict(
                {"material": "gold", "hydrodynamic_diameter": "25 nm", "core_diameter": text}
            )


def test_lipid_fractions_must_sum_to_one():
    with pytest.raises(InputError, match="sum to 1"):
        Carrier.from_dict(
            {
                "material": "liposome",
                "hydrodynamic_diameter": 100,
                "lipids": [{"name": "HSPC", "mole_fraction": 0.5}],
            }
        )


def test_scenario_dose_schedule():
    s = Scenario.from_dict(
        {
            "formulation": {"name": "x"},
            "dosing": {"dose": "5 mg/kg", "n_doses": 3, "interval": "1 week"},
        }
    )
    assert s.dosing.dose_times() == [0.0, 168.0, 336.0]
    with pytest.raises(InputError, match="dose"):
        Scenario.from_dict({"formulation": {}, "dosing": {"dose": "-1 mg/kg"}})
    # 1 g/kg is a high but real dose; 10 g/kg is above the OECD 425 limit dose (a unit slip)
    assert Scenario.from_dict({"formulation": {}, "dosing": {"dose": "1 g/kg"}}).dosing.dose == 1000
    with pytest.raises(InputError, match=r"dosing\.dose"):
        Scenario.from_dict({"formulation": {}, "dosing": {"dose": "10 g/kg"}})


def test_validate_file_recognises_kind(tmp_path):
    f = Formulation(name="f", carrier=Carrier(material="PLGA", hydrodynamic_diameter=150))
    path = f.save(tmp_path / "f.json")
    assert isinstance(validate_file(path), Formulation)
    (tmp_path / "d.yaml").write_text(
        "name: doxorubicin\nmolecular_weight: 543.5 g/mol\nlogp: 1.27\n"
    )
    drug = validate_file(tmp_path / "d.yaml")
    assert isinstance(drug, Drug) and drug.molecular_weight == pytest.approx(543.5)
    (tmp_path / "bad.yaml").write_text("foo: 1\n")
    with pytest.raises(InputError, match="cannot tell"):
        validate_file(tmp_path / "bad.yaml")


def _scenario(**extra):
    return {"formulation": {}, "dosing": {"dose": "1 mg/kg"}, **extra}


@pytest.mark.parametrize("name", ["", "  ", "../../evil", "a/b", "a\\b", "..", "a\nb"])
def test_scenario_name_must_be_a_plain_file_name(name, tmp_path):
    # the name becomes results/<name>.parquet under --out: it must stay inside that folder
    path = tmp_path / "s.yaml"
    path.write_text(f"name: {name!r}\nformulation: {{}}\ndosing: {{dose: 1 mg/kg}}\n")
    with pytest.raises(InputError, match=r"s\.yaml: name: ") as exc:
        Scenario.from_file(path)
    assert "\n" not in str(exc.value)
    assert Scenario.from_dict(_scenario(name="gold 15 nm (v2)")).name == "gold 15 nm (v2)"


def test_duplicate_keys_are_refused_with_their_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("formulation: {}\ndosing: {dose: 1 mg/kg}\nduration: 7 day\nduration: 1 day\n")
    with pytest.raises(InputError, match=r"s\.yaml: duplicate key 'duration' \(line 4\)"):
        Scenario.from_file(path)
    nested = tmp_path / "n.yaml"
    nested.write_text("formulation: {}\ndosing: {dose: 1 mg/kg, dose: 2 mg/kg}\n")
    with pytest.raises(InputError, match="duplicate key 'dose'"):
        Scenario.from_file(nested)
    js = tmp_path / "s.json"
    js.write_text('{"formulation": {}, "dosing": {"dose": 1}, "duration": 1, "duration": 2}')
    with pytest.raises(InputError, match=r"s\.json: duplicate key 'duration'"):
        Scenario.from_file(js)


def test_yaml_reads_scientific_notation_as_numbers(tmp_path):
    # YAML 1.1 wants "1.0e+4"; PyYAML alone reads 1e4 and 1.0e7 as text
    path = tmp_path / "c.yaml"
    path.write_text("a: 1e4\nb: 1.0e7\nc: -2E-3\nd: 1.0e+7\ne: 1e\nf: 12\n")
    assert read_mapping(path) == {"a": 1e4, "b": 1e7, "c": -2e-3, "d": 1e7, "e": "1e", "f": 12}


def test_file_not_in_utf8_is_one_line_error(tmp_path):
    # latin-1 "µ" or a UTF-16 export used to end in "failed: unexpected UnicodeDecodeError"
    path = tmp_path / "s.yaml"
    path.write_bytes("dosing: {dose: 1 mg/kg}\nnote: 5 \xb5m\n".encode("latin-1"))
    with pytest.raises(
        InputError, match=r"^\S*s\.yaml: not UTF-8 text \(byte 0xb5 at position 32\)"
    ):
        Scenario.from_file(path)
    path.write_text("dosing: {dose: 1 mg/kg}\n", encoding="utf-16")
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xff at position 0\)"):
        read_mapping(path)


def test_output_interval_and_infusion_must_fit_in_the_run():
    with pytest.raises(InputError, match=r"output_interval \(720 h\) is longer than duration"):
        Scenario.from_dict(_scenario(output_interval="30 day"))
    infusion = {"dose": "1 mg/kg", "route": "iv_infusion", "infusion_duration": "2 h"}
    with pytest.raises(InputError, match=r"infusion ends at 170 h.*the dose would be cut"):
        Scenario.from_dict(_scenario(dosing={**infusion, "times": [0, 168]}))
    assert Scenario.from_dict(_scenario(dosing=infusion)).dosing.infusion_duration == 2


def test_too_many_output_points_are_refused_before_the_run():
    # 1e-6 h over 7 days validated, then the run tried to allocate 41 GiB
    with pytest.raises(InputError, match=r"1\.68e\+08 output points .* at most 1e\+06"):
        Scenario.from_dict(_scenario(output_interval="1e-6 h"))
    assert Scenario.from_dict(_scenario(output_interval="1 s")).output_interval == pytest.approx(
        1 / 3600
    )


def test_molecular_level_needs_a_valid_smiles():
    drug = {"name": "d", "molecular_weight": 300}
    with pytest.raises(InputError, match=r"levels\.molecular: needs formulation\.drug\.smiles"):
        Scenario.from_dict(_scenario(formulation={"drug": drug}, levels={"molecular": True}))
    pytest.importorskip("rdkit")
    for bad, match in (
        ("", "empty SMILES"),
        ("C1CC", "'C1CC' is not a valid SMILES"),
        ("CCO CCCC", "'CCO CCCC' contains whitespace"),  # RDKit reads 'CCCC' as a name
        ("C\u039fC", "'CΟC' contains non-ASCII"),  # Greek omicron, not O
    ):
        with pytest.raises(InputError, match=rf"formulation\.drug\.smiles: {match}"):
            Scenario.from_dict(_scenario(formulation={"drug": {**drug, "smiles": bad}}))
    assert Drug(name="ethanol", smiles="CCO").smiles == "CCO"


@pytest.mark.parametrize(
    ("field", "match"),
    [
        ({"pka_base": [1e300]}, "pka_base: pKa 1e.300 outside"),
        ({"pka_acid": [float("nan")]}, "pka_acid: pKa nan outside"),
        ({"tissue_partition": {"liver": float("inf")}}, "Kp of 'liver' is inf"),
        ({"tissue_partition": {"liver": float("nan")}}, "Kp of 'liver' is nan"),
        ({"tissue_partition": {"liver": -1.0}}, "Kp of 'liver' is -1.0"),
    ],
)
def test_impossible_pka_or_partition_names_the_field(field, match):
    with pytest.raises(InputError, match=match):
        Drug.from_dict({"name": "x", **field}, where="drug")


def test_extreme_but_real_pka_and_partition_are_kept():
    # etoricoxib's table pKa (Bannigan 2023) is 19.7; a sulfonic acid's about -7; Kp 0 is no uptake
    d = Drug.from_dict(
        {"name": "x", "pka_acid": [19.69, -7.0], "tissue_partition": {"brain": 0.0}}, where="d"
    )
    assert d.pka_acid == [19.69, -7.0] and d.tissue_partition == {"brain": 0.0}
