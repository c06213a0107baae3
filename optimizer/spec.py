"""Declared fields: a value is checked and converted by its field's type hint and its `Spec`.

The type comes from the dataclass's annotations (`typing.get_type_hints`), so a new field is
checked by its type without extra code; a `Spec` adds what a type cannot say: the unit, a label,
the range and the allowed choices, and how the dashboard shows it (widget, sidebar section,
slider range). Every error names the key, the value and the rule, as in
`time_limit_s='abc': must be a number > 0`. Standard library only: the CLI imports this for its
help text.
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

#: Words read as booleans, as in the registry's yes/no columns (case-insensitive).
TRUE_WORDS = ("true", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "no", "n", "off", "0")
#: The dashboard widgets a field can declare. Choices of "select" and "multiselect" come from the
#: field's `choices`, or from the registry at run time (demand scenarios, trusted groups,
#: states); "rules" draws one choice per workload class, "cap_overrides" a country picker with
#: one number per chosen country.
WIDGETS = ("slider", "number", "checkbox", "select", "multiselect", "rules", "cap_overrides")
#: Largest magnitude of a number without a declared maximum: keeps the LP's coefficients finite
#: (1e308 passes `math.isfinite` but overflows once multiplied by the hours of a year).
MAX_MAGNITUDE = 1e12


class Invalid(ValueError):
    """A value breaks its field's rule; the message names key, value and rule."""


@dataclass(frozen=True, slots=True)
class Spec:
    """What a field's type cannot say. For tuple and dict fields, range and choices apply to
    each item (dict: each value).

    The rest says how the dashboard shows the field: its `widget` (one of WIDGETS; "" for
    none), the sidebar `section` it sits in ("" for the top), the range a slider or number box
    offers (`lo`, `hi`, `step`; the rule `min`/`max` still bounds what a file or link may hold),
    the display `format` ("%.3f") and what an empty value means (`empty`, for optional fields).
    """

    label: str = ""
    unit: str = ""  # "EUR/tCO2" without brackets; "-" for a ratio, "" for none
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    widget: str = ""
    section: str = ""
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    format: str = ""
    empty: str = ""

    def __post_init__(self) -> None:
        if self.widget not in ("", *WIDGETS):
            raise ValueError(f"widget={self.widget!r}: must be one of {', '.join(WIDGETS)}")
        if self.widget == "slider" and (self.lo is None or self.hi is None or self.step is None):
            raise ValueError(f"{self.label}: a slider needs lo, hi and step")

    def title(self) -> str:
        """Return the label with its unit, as widgets and tables show it ("Heat price
        [EUR/MWh th]"); a ratio ("-") shows no unit."""
        return f"{self.label} [{self.unit}]" if self.unit not in ("", "-") else self.label

    def number_rule(self) -> str:
        """Return the rule a number must follow, in words ("a number >= 0 and <= 1")."""
        parts = []
        if self.min is not None:
            parts.append(f"{'>' if self.min_exclusive else '>='} {self.min:g}")
        top = self.max if self.max is not None else MAX_MAGNITUDE
        parts.append(f"<= {top:g}")
        if self.min is None:
            parts.append(f">= {-top:g}")
        return "a number " + " and ".join(parts)


def convert(key: str, hint: Any, value: Any, spec: Spec) -> Any:
    """Return `value` converted to the type `hint`, checked against `spec`; raise `Invalid`."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType) and type(None) in args:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        rest = [a for a in args if a is not type(None)]
        return convert(key, rest[0] if len(rest) == 1 else Union[tuple(rest)], value, spec)  # noqa: UP007
    if origin is tuple:
        return _sequence(key, args[0], value, spec)
    if origin is dict or hint is dict:
        return _mapping(key, args[1] if args else Any, value, spec)
    if origin is Literal:
        return _choice(key, value, Spec(choices=tuple(map(str, args))))
    if hint is bool:
        return _bool(key, value)
    if hint is float or hint is int:
        return _number(key, value, spec, whole=hint is int)
    if hint is str:
        return _choice(key, value, spec)
    return value  # a type this module does not know: left to the dataclass


def fail(key: str, value: Any, rule: str) -> Invalid:
    """Return the error for `key=value` breaking `rule`."""
    return Invalid(f"{key}={value!r}: {rule}")


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = value.strip().lower() if isinstance(value, str) else None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    words = "/".join(f"{t}/{f}" for t, f in zip(TRUE_WORDS, FALSE_WORDS, strict=True))
    raise fail(key, value, f"must be {words}")


def _number(key: str, value: Any, spec: Spec, whole: bool) -> float:
    rule = spec.number_rule().replace("a number", "a whole number" if whole else "a number", 1)
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (ValueError, OverflowError):
        raise fail(key, value, f"must be {rule}") from None
    top = spec.max if spec.max is not None else MAX_MAGNITUDE
    low = spec.min if spec.min is not None else -top
    too_low = number <= low if spec.min_exclusive else number < low
    if not math.isfinite(number) or too_low or number > top or (whole and number % 1):
        raise fail(key, value, f"must be {rule}")
    return int(number) if whole else number


def _choice(key: str, value: Any, spec: Spec) -> str:
    if not isinstance(value, str):
        raise fail(key, value, "must be text")
    if spec.choices and value not in spec.choices:
        raise fail(key, value, f"must be one of {', '.join(spec.choices)}")
    return value


def _sequence(key: str, item: Any, value: Any, spec: Spec) -> tuple[Any, ...]:
    """Read a list; text is a comma-separated list ("DK,SE" or '["DK", "SE"]')."""
    if isinstance(value, str):
        value = [v.strip().strip("'\"").strip() for v in value.strip().strip("[]").split(",")]
        value = [v for v in value if v]
    if not isinstance(value, list | tuple):
        raise fail(key, value, 'must be a list (A,B or ["A", "B"])')
    return tuple(convert(key, item, v, spec) for v in value)


def _mapping(key: str, item: Any, value: Any, spec: Spec) -> Mapping[str, Any]:
    """Read a table into a read-only mapping; each entry is checked as `key.entry`."""
    if not isinstance(value, Mapping):
        raise fail(key, value, f"must be a table of entries (set one with {key}.NAME=VALUE)")
    out = {}
    for k, v in value.items():
        if not isinstance(k, str) or not k.strip():
            raise fail(key, dict(value), f"entry {k!r}: names must be text")
        out[k] = convert(f"{key}.{k}", item, v, spec)
    return types.MappingProxyType(out)
