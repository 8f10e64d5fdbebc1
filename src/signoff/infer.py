"""Zero-config inputs: strategies inferred from the reference's type hints."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from signoff.errors import SpecError
from signoff.inputs import Arguments, args

_TEMPLATE = '''import signoff
from hypothesis import strategies as st

spec = signoff.Spec(
    reference="{reference}",
    inputs=signoff.args({arguments}),
)
'''


def infer_inputs(func: Callable[..., Any], reference: str) -> Arguments:
    """One strategy per required parameter of ``func``, from its type hint.

    ``reference`` is the function as the user wrote it (``pkg.mod:func``), for
    messages. Parameters with a default keep it. A missing or unusable hint is
    a SpecError that names the parameter and includes a spec to start from.
    """
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        raise SpecError(_missing(reference, ["(signature unavailable)"], [])) from None
    try:
        hints = typing.get_type_hints(func)
    except Exception as error:  # a hint that names an undefined type
        raise SpecError(f"{reference}: its type hints cannot be resolved: {error}") from None
    required = [
        parameter for parameter in signature.parameters.values()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    missing = [parameter.name for parameter in required if parameter.name not in hints]
    if missing:
        raise SpecError(_missing(reference, missing, [p.name for p in required]))
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for parameter in required:
        try:
            strategy = st.from_type(hints[parameter.name])
        except Exception as error:
            raise SpecError(
                f"{reference}: no strategy for parameter {parameter.name!r} of type "
                f"{hints[parameter.name]!r} ({error}); write a spec with inputs=..."
            ) from None
        if parameter.kind is parameter.KEYWORD_ONLY:
            keywords[parameter.name] = strategy
        else:
            positional.append(strategy)
    return args(*positional, **keywords)


def _missing(reference: str, missing: list[str], parameters: list[str]) -> str:
    arguments = ""
    if parameters:
        arguments = "\n        " + "\n        ".join(
            f"st.nothing(),  # {name}: replace st.nothing() with a strategy, e.g. st.integers()"
            for name in parameters
        ) + "\n    "
    return (
        f"cannot infer inputs for {reference}: no type hint for "
        f"{', '.join(repr(name) for name in missing)}.\n"
        "Add type hints to the reference, or start from this spec (save it as spec.py, then "
        "`signoff check spec.py --candidate ...`):\n\n"
        + _TEMPLATE.format(reference=reference, arguments=arguments)
    )
