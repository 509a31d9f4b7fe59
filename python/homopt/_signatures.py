"""Signatures of the verbs homopt takes unchanged from the SWIG module homopt.core.

SWIG's Python proxies are written as ``def check(self, *args, **kwargs)``; the C++
parameter names (which the module accepts as keywords) and the Python types are declared
here, once. ``apply()`` (called by homopt/__init__.py) sets them as each proxy's
``__signature__``, so help() and inspect.signature show them; python/tools/generate_stubs.py
writes them into the type stubs (homopt/__init__.pyi). python/tests/test_stubs.py calls
every verb with these keywords (a wrong name is a TypeError) and checks that the stubs
are current.

The getters of a method's hyperparameters (Adam.lr(), …) are not listed: their names and
types are the core's declaration of the method (see _method_getter_signature).
"""

import ast as _ast
import inspect as _inspect

#: "(parameters) -> result" of the SWIG module's functions homopt exports unchanged.
PROXY_FUNCTIONS = {"version": "() -> str"}

#: "(parameters) -> result" of each SWIG proxy, by class and verb; "self" is implied for
#: instance verbs, "@staticmethod" marks static ones. Annotations are strings (numpy is
#: imported as numpy in the stubs).
PROXY_SIGNATURES = {
    "Manifold": {
        "name": "() -> str",
        "description": "() -> str",
        "rows": "() -> int",
        "cols": "() -> int",
        "dimension": "() -> int",
        "random_point": "(seed: int) -> numpy.ndarray",
        "check": "(point: numpy.typing.ArrayLike) -> float",
        "tolerance": "() -> float",
        "riemannian_gradient": "(point: numpy.typing.ArrayLike, "
                               "euclidean_gradient: numpy.typing.ArrayLike) -> numpy.ndarray",
    },
    **{space: {"N": "() -> int", "n": "() -> int"}
       for space in ("Stiefel", "Grassmann", "SymplecticStiefel", "SymplecticGrassmann")},
    "Method": {
        "name": "() -> str",
        "description": "() -> str",
        "hyperparameter_names": "() -> tuple[str, ...]",
        "hyperparameter_values": "() -> tuple[float, ...]",
    },
    "AdamWithDecay": {"learning_rate": "(t: int) -> float"},
    "Optimizer": {
        "add": "(manifold: Manifold, initial_point: numpy.typing.ArrayLike) -> int",
        "step": "(euclidean_gradients: typing.Sequence[numpy.typing.ArrayLike]) -> None",
        "value": "(i: int) -> numpy.ndarray",
        "size": "() -> int",
        "step_count": "() -> int",
        "retraction_name": "() -> str",
        "method_name": "() -> str",
        "method_description": "() -> str",
        "method_hyperparameter_values": "() -> tuple[float, ...]",
        "manifold_description": "(i: int) -> str",
        "checkpoint_bytes": "() -> bytes",
        "from_checkpoint_bytes": "@staticmethod (checkpoint: bytes) -> Optimizer",
    },
}


def parse(text, instance=True):
    """inspect.Signature of "(a: T, b: U = 1) -> R" (annotations kept as strings); with
    instance, self first."""
    tree = _ast.parse(f"def f{text}: pass").body[0]
    arguments = tree.args
    defaults = [None] * (len(arguments.args) - len(arguments.defaults)) + arguments.defaults
    parameters = [_inspect.Parameter("self", _inspect.Parameter.POSITIONAL_OR_KEYWORD)] if instance else []
    for argument, default in zip(arguments.args, defaults):
        parameters.append(_inspect.Parameter(
            argument.arg, _inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=_inspect.Parameter.empty if default is None else _ast.literal_eval(default),
            annotation=_ast.unparse(argument.annotation) if argument.annotation else _inspect.Parameter.empty))
    return _inspect.Signature(parameters, return_annotation=_ast.unparse(tree.returns))


def _proxy_signature(text):
    """(signature, is_static) of one PROXY_SIGNATURES entry."""
    static = text.startswith("@staticmethod ")
    return parse(text.removeprefix("@staticmethod "), instance=not static), static


def _method_getter_signature(kind):
    """Signature of the getter of a hyperparameter of this kind ("real", "count", "flag")."""
    return parse("() -> " + {"real": "float", "count": "int", "flag": "bool"}[kind])


def apply(core):
    """Sets __signature__ on the SWIG proxies of module core: PROXY_FUNCTIONS, the verbs of
    PROXY_SIGNATURES and every method's hyperparameter getters (names and kinds from the core's
    declaration). KeyError/AttributeError if a declared verb does not exist."""
    for function, text in PROXY_FUNCTIONS.items():
        getattr(core, function).__signature__ = parse(text, instance=False)
    for class_name, verbs in PROXY_SIGNATURES.items():
        namespace = vars(getattr(core, class_name))
        for verb, text in verbs.items():
            signature, static = _proxy_signature(text)
            function = namespace[verb].__func__ if static else namespace[verb]
            function.__signature__ = signature
    for method in core.method_spec_names():
        namespace = vars(getattr(core, method))
        for index, key in enumerate(core.method_spec_hyperparameter_names(method)):
            if key in namespace:
                namespace[key].__signature__ = _method_getter_signature(
                    core.hyperparameter_text(method, index, "kind"))
