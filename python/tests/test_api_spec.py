"""What the Python package shows — class names, inspect.signature, defaults, docstrings —
against the core's API declaration read at run time through homopt.core (docs/api.md).
A default, range or name edited by hand in the package makes one of these fail."""
import inspect

import pytest

import homopt
from homopt import core

METHOD_NAMES = list(core.method_spec_names())


def declared(name):
    """[(key, kind, default, range, meaning)] of method `name`, from the core."""
    keys = list(core.method_spec_hyperparameter_names(name))
    defaults = list(core.method_spec_defaults(name))
    return [(key, core.hyperparameter_text(name, k, "kind"), defaults[k], core.hyperparameter_text(name, k, "range"),
             core.hyperparameter_text(name, k, "meaning")) for k, key in enumerate(keys)]


def test_exported_names_are_the_declared_methods_and_manifolds():
    assert METHOD_NAMES == ["Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS"]
    exported = [name for name in homopt.__all__ if isinstance(getattr(homopt, name), type)]
    methods = [name for name in exported if issubclass(getattr(homopt, name), core.Method) and name != "Method"]
    manifolds = [name for name in exported if issubclass(getattr(homopt, name), core.Manifold) and name != "Manifold"]
    assert methods == METHOD_NAMES
    assert sorted(manifolds) == sorted(core.manifold_spec_names())


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_signature_shows_the_declared_defaults_with_the_kind_s_type(name):
    kind_types = {"real": float, "count": int, "flag": bool}
    parameters = list(inspect.signature(getattr(homopt, name)).parameters.values())
    assert [p.name for p in parameters] == [key for key, *_ in declared(name)]
    for parameter, (key, kind, default, _, _) in zip(parameters, declared(name)):
        assert type(parameter.default) is kind_types[kind], key
        assert float(parameter.default) == default, key


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_no_keywords_hold_the_declared_defaults_and_one_keyword_changes_only_itself(name):
    kind = getattr(homopt, name)
    defaults = [default for _, _, default, _, _ in declared(name)]
    assert list(kind().hyperparameter_values()) == defaults
    key, key_kind, default, _, _ = declared(name)[-1]
    other = {"real": 0.5, "count": 7, "flag": not bool(default)}[key_kind] if default != 0.5 else 0.25
    values = list(kind(**{key: other}).hyperparameter_values())
    assert values[:-1] == defaults[:-1] and values[-1] == float(other)


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_docstring_is_the_declared_summary_formula_and_ranges(name):
    doc = inspect.getdoc(getattr(homopt, name))
    assert core.method_text(name, "summary") in doc
    for line in core.method_text(name, "formula").splitlines():
        assert line in doc
    for key, _, _, range_text, meaning in declared(name):
        assert f"({range_text}): {meaning}" in doc, key


def test_bfgs_docstring_states_the_scale_free_curvature_test_the_code_applies():
    assert "s'y > eps*|s|*|y|" in inspect.getdoc(homopt.BFGS)


def test_unknown_keyword_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="momentum"):
        homopt.Adam(momentum=0.5)
