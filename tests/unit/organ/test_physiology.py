"""Physiology tables: scaling, closure of volumes and flows, portal drainage, bad input."""

import pytest

from nanomed.core.errors import InputError
from nanomed.organ import available_physiologies, get_physiology


@pytest.mark.parametrize("name", available_physiologies())
def test_volumes_and_flows_close(name):
    p = get_physiology(name)
    total_v = p.central_blood_volume + sum(o.volume for o in p.organs.values())
    assert total_v == pytest.approx(p.body_weight)  # rest of body takes the remainder
    systemic_q = sum(p.organs[o].flow for o in p.systemic)
    assert systemic_q == pytest.approx(p.cardiac_output)  # arterial flow = cardiac output
    assert p.organs["lung"].flow == pytest.approx(p.cardiac_output)
    # venous return (outflows of organs that drain to the vena cava) equals cardiac output
    venous = sum(p.outflow(o) for o in p.systemic if p.organs[o].drains_to is None)
    assert venous == pytest.approx(p.cardiac_output)


def test_allometric_cardiac_output_and_linear_volumes():
    a, b = get_physiology("rat", 0.25), get_physiology("rat", 0.5)
    assert b.cardiac_output / a.cardiac_output == pytest.approx(2**0.75)
    assert b.organs["liver"].volume / a.organs["liver"].volume == pytest.approx(2.0)
    # Brown et al. 1997 Table 23: mouse cardiac output ~ 16.5 L/h/kg^0.75 -> 0.88 L/h at 20 g
    assert get_physiology("mouse", 0.02).cardiac_output == pytest.approx(16.5 * 0.02**0.75)


def test_portal_organs_drain_into_the_liver():
    p = get_physiology("mouse")
    assert p.outflow("liver") == pytest.approx(
        p.organs["liver"].flow + p.organs["spleen"].flow + p.organs["gut"].flow
    )


def test_tumour_is_taken_from_the_rest_of_the_body():
    p = get_physiology("mouse")
    t = p.with_tumour(0.5)
    assert t.organs["tumour"].volume == pytest.approx(0.0005)
    assert t.organs["rest"].volume == pytest.approx(p.organs["rest"].volume - 0.0005)
    assert t.organs["rest"].flow == pytest.approx(p.organs["rest"].flow - t.organs["tumour"].flow)


def test_bad_input_is_one_line():
    with pytest.raises(InputError, match="unknown species"):
        get_physiology("dog")
    with pytest.raises(InputError, match="unknown organ 'pancreas'"):
        get_physiology("mouse").organ("pancreas")
    with pytest.raises(InputError, match="exceed body weight"):
        get_physiology("mouse").with_tumour(30.0)  # a 30 g tumour in a 25 g mouse
    with pytest.raises(InputError, match="body weight"):
        get_physiology("mouse", body_weight=-1)


def test_guess_flags_of_the_table_reach_the_parameter_set():
    ps = get_physiology("human").parameters()
    # human.yaml: cardiac_output_coefficient has `guess: true`
    assert ps["cardiac_output"].guess
    # human.yaml: residual blood fractions are rat values (`guess: [blood]`), volumes are not
    assert ps["BV_liver"].guess and not ps["V_liver"].guess and not ps["Q_liver"].guess
    assert not ps["body_weight"].guess and not ps["gfr"].guess
    # the table's tumour defaults are listed, with their guess flags and references
    assert ps["tumour_flow_per_gram"].guess and ps["tumour_flow_per_gram"].unit == "L/h/g"
    assert ps["tumour_blood_fraction"].guess and "Chou 2023" in ps["tumour_blood_fraction"].ref
    assert not get_physiology("mouse").parameters()["cardiac_output"].guess


def test_tumour_parameters_say_where_they_come_from():
    from_table = get_physiology("human").with_tumour(5.0).parameters()
    assert from_table["Q_tumour"].guess and from_table["BV_tumour"].guess
    assert "Vaupel" in from_table["Q_tumour"].ref
    given = get_physiology("human").with_tumour(5.0, flow=0.1, blood_fraction=0.05).parameters()
    assert not given["Q_tumour"].guess and not given["BV_tumour"].guess
    assert "flow: given" in given["Q_tumour"].ref
