import pytest

import methods
from benches.run.matrix import parse_method_spec, parse_methods
from methods.parts.losses import minimax, non_saturating


def test_lookup_returns_paper_and_defaults():
    reg = methods.get("nsgan")
    assert "arXiv:1406.2661" in reg.paper
    assert reg.defaults["lr"] == pytest.approx(2e-4)
    assert reg.build().loss is non_saturating
    assert methods.get("gan").build().loss is minimax


def test_overrides_reach_the_method():
    method = methods.get("nsgan").build(lr=1e-3, beta_1=0.0)
    assert method.g_optimizer.learning_rate == pytest.approx(1e-3)
    assert method.d_optimizer.beta_1 == 0.0


def test_unknown_method_lists_valid_names():
    with pytest.raises(KeyError, match="valid: .*gan.*nsgan"):
        methods.get("nope")


def test_unknown_hyperparameter_lists_valid_ones():
    with pytest.raises(ValueError, match="no hyperparameter.*valid: lr, beta_1"):
        methods.get("gan").build(learning_rate=1.0)


def test_spec_parsing_and_typing():
    spec = parse_method_spec("nsgan:lr=1e-3:beta_1=0")
    assert spec.overrides == {"lr": 1e-3, "beta_1": 0.0}
    assert spec.label == "nsgan[beta_1=0.0,lr=0.001]"
    assert [s.name for s in parse_methods("gan, nsgan")] == ["gan", "nsgan"]


@pytest.mark.parametrize("text,match", [
    ("nsgan:lr", "malformed override"),
    ("nsgan:lr=abc", "expects a float"),
    ("nsgan:=3", "malformed override"),
    ("nsgan:momentum=0.1", "no hyperparameter"),
])
def test_malformed_overrides(text, match):
    with pytest.raises(ValueError, match=match):
        parse_method_spec(text)


def test_registering_twice_from_another_module_fails():
    from methods.registry import register

    with pytest.raises(ValueError, match="registered twice"):
        register("nsgan", paper="x")(lambda: None)


def test_hyperparameters_need_defaults():
    from methods.registry import register

    with pytest.raises(TypeError, match="need defaults"):
        register("needs-default", paper="x")(lambda lr: None)
