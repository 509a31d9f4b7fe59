"""Type stubs and introspection: the shipped homopt/__init__.pyi is what
python/tools/generate_stubs.py makes of the package today, the parameter names declared for
SWIG's proxies (homopt/_signatures.py) are the ones the module accepts as keywords, the
declared result types are the returned ones, and dir() hides SWIG's plumbing."""

import importlib.util
import inspect
import pathlib
import pydoc

import numpy as np
import pytest

import homopt
from homopt import _signatures, core

TOOLS = pathlib.Path(__file__).resolve().parent.parent / "tools"
PACKAGE = pathlib.Path(homopt.__file__).resolve().parent

#: Python type of each result annotation used in _signatures.PROXY_SIGNATURES.
RESULT_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "bytes": bytes, "None": type(None),
                "numpy.ndarray": np.ndarray, "tuple[str, ...]": tuple, "tuple[float, ...]": tuple,
                "Optimizer": core.Optimizer}


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_stubs", TOOLS / "generate_stubs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_stubs_are_current_and_typed():
    assert (PACKAGE / "py.typed").is_file()
    shipped = (PACKAGE / "__init__.pyi").read_text(encoding="utf-8")
    assert shipped == load_generator().stubs(), "run python/tools/generate_stubs.py"
    # The method constructors in the stubs carry the core's defaults.
    for name in core.method_spec_names():
        defaults = ", ".join(f"{key}: {type(value).__name__} = {value!r}" for key, value in
                             inspect.signature(getattr(homopt, name)).parameters.items()
                             for value in [value.default])
        assert f"class {name}(Method):\n    def __init__(self, {defaults}) -> None: ..." in shipped


def sample_objects():
    """One instance of every class _signatures declares verbs for, and an optimizer."""
    stiefel = homopt.Stiefel(5, 2)
    optimizer = homopt.Optimizer(homopt.Adam(lr=0.1))
    optimizer.add(stiefel, stiefel.random_point(1))
    return {"Manifold": stiefel, "Stiefel": stiefel, "Grassmann": homopt.Grassmann(4, 1),
            "SymplecticStiefel": homopt.SymplecticStiefel(3, 1),
            "SymplecticGrassmann": homopt.SymplecticGrassmann(3, 1), "Method": homopt.Adam(),
            "AdamWithDecay": homopt.AdamWithDecay(decay_steps=10), "Optimizer": optimizer}


def sample_arguments(owner, optimizer):
    """A valid value for every parameter name the declared verbs use."""
    point = owner.random_point(2) if isinstance(owner, core.Manifold) else None
    return {"point": point, "euclidean_gradient": None if point is None else np.ones(point.shape),
            "seed": 3, "t": 5, "i": 0, "manifold": homopt.Stiefel(5, 2),
            "initial_point": homopt.Stiefel(5, 2).random_point(4),
            "euclidean_gradients": [np.ones((5, 2))], "checkpoint": optimizer.checkpoint_bytes()}


@pytest.mark.parametrize("class_name, verb", [(class_name, verb) for class_name, verbs in
                                              _signatures.PROXY_SIGNATURES.items() for verb in verbs])
def test_declared_parameter_names_are_the_module_keywords(class_name, verb):
    objects = sample_objects()
    owner = objects[class_name]
    raw = vars(getattr(core, class_name))[verb]
    static = isinstance(raw, staticmethod)
    function = raw.__func__ if static else raw
    signature = inspect.signature(function)
    values = sample_arguments(owner, objects["Optimizer"])
    keywords = {name: values[name] for name in signature.parameters if name != "self"}
    call = function if static else lambda **given: function(owner, **given)
    result = call(**keywords)
    assert isinstance(result, RESULT_TYPES[signature.return_annotation]), (verb, result)
    # A keyword the C++ side does not know is refused (so the call above checks the names).
    if keywords:
        with pytest.raises(TypeError):
            call(**{"not_" + name: value for name, value in keywords.items()})


def test_method_getters_return_the_constructor_values_with_the_declared_types():
    cases = [(homopt.AdamWithDecay(decay_steps=7, lr_start=0.5), {"decay_steps": 7, "lr_start": 0.5}),
             (homopt.Adam(amsgrad=True), {"amsgrad": True})]
    for method, expected in cases:
        for key, value in expected.items():
            getter = getattr(method, key)
            result = getter()
            assert result == value and type(result).__name__ == inspect.signature(getter).return_annotation


def test_help_shows_real_signatures():
    def text(value):
        return pydoc.render_doc(value, renderer=pydoc.plaintext)
    assert "check(self, point: 'numpy.typing.ArrayLike') -> 'float'" in text(homopt.Stiefel.check)
    assert "add(self, manifold: 'Manifold', initial_point" in text(homopt.Optimizer.add)
    assert str(inspect.signature(homopt.version)) == "() -> 'str'"
    assert "*args" not in text(homopt.Adam) and "*args" not in text(homopt.Optimizer)


def test_dir_hides_swig_internals():
    for value in sample_objects().values():
        listed = dir(value)
        assert "this" not in listed and "thisown" not in listed, type(value)
        assert "check" in listed or "name" in listed or "step" in listed
        assert value.thisown  # still there: SWIG owns and frees the C++ object through it


def test_generator_refuses_an_undeclared_swig_proxy(monkeypatch):
    generator = load_generator()
    monkeypatch.delattr(core.Manifold.check, "__signature__")
    with pytest.raises(SystemExit, match="Manifold.check"):
        generator.stubs()

