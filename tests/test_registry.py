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


def test_every_method_cites_paper_and_reference_code_in_registration_and_docstring():
    import inspect
    import re

    for reg in methods.available():
        arxiv = re.search(r"arXiv:\d{4}\.\d{4,5}", reg.paper)
        assert arxiv, reg.name
        assert reg.code, f"{reg.name}: no reference code cited"
        doc = inspect.getdoc(reg.factory)
        assert arxiv.group() in doc, f"{reg.name}: docstring does not cite {arxiv.group()}"
        repo = re.search(r"[\w.-]+/[\w.-]+", reg.code)
        if not reg.code.startswith("none"):
            assert repo and repo.group() in doc, f"{reg.name}: docstring does not cite its code"


def test_resolution_is_defaults_then_family_settings_then_overrides():
    reg = methods.get("wgan-gp")
    image = reg.resolve("image")
    assert image.hyperparameters["beta_1"] == 0.5 and image.hyperparameters["penalty_weight"] == 10
    mixture = reg.resolve("mixture", {"penalty_weight": 3.0})
    assert mixture.hyperparameters["penalty_weight"] == 3.0  # the user wins
    assert mixture.hyperparameters["beta_1"] == 0.5
    assert mixture.provenance["penalty_weight"] == "override"
    assert mixture.provenance["beta_1"] == "family" and mixture.provenance["lr"] == "default"
    assert "gan_toy.py" in mixture.describe()["source"]
    none = methods.get("nsgan").resolve("dirac")
    assert none.describe() == {"family": "dirac", "values": {}, "source": None}
    assert set(none.provenance.values()) == {"default"}
    with pytest.raises(ValueError, match="unknown dataset family 'toy'"):
        reg.resolve("toy")
    with pytest.raises(ValueError, match="no hyperparameter clip"):
        reg.resolve("image", {"clip": 1.0})


@pytest.mark.parametrize("settings,error,match", [
    ({"toys": ("x", {"lr": 1.0})}, ValueError, "unknown dataset family 'toys'"),
    ({"mixture": ("x", {"momentum": 1.0})}, ValueError, "'momentum' is not a hyperparameter"),
    ({"mixture": ("x", {"lr": "fast"})}, TypeError, "must be a float"),
    ({"mixture": ("x", {"steps": 2.5})}, TypeError, "must be a int"),
    ({"mixture": (" ", {"lr": 1.0})}, ValueError, "needs a source"),
])
def test_bad_family_settings_are_rejected_at_registration(settings, error, match):
    from methods.registry import FamilySettings, register

    with pytest.raises(error, match=match):
        built = {f: FamilySettings(v, source=s) for f, (s, v) in settings.items()}
        register("bad-settings", paper="x", settings=built)(lambda lr=1e-3, steps=1: None)


def test_integer_settings_of_float_hyperparameters_become_floats():
    from methods.registry import _REGISTRY, FamilySettings, register

    register("int-setting", paper="x", settings={"image": FamilySettings({"lr": 1}, "here")})(
        lambda lr=1e-3: None)
    try:
        assert _REGISTRY["int-setting"].settings["image"].values == {"lr": 1.0}
        assert isinstance(_REGISTRY["int-setting"].resolve("image").hyperparameters["lr"], float)
    finally:
        del _REGISTRY["int-setting"]


def test_readme_methods_table_matches_the_registry():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "README.md").read_text()
    table = text.split("<!-- methods-table -->\n", 1)[1].split("\n\n", 1)[0]
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines()[2:]}
    assert set(rows) == {reg.name for reg in methods.available()}
    for reg in methods.available():
        row = rows[reg.name]
        assert reg.paper in row and f"`{reg.code}`" in row, reg.name
        for fs in reg.settings.values():
            assert fs.source in row, reg.name
            for key, value in fs.values.items():
                assert f"{key}={value!r}" in row, (reg.name, key)
