"""Declared policy parameters (DESIGN.md §2.2): each tunable number of a rule, declared once in code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from .types import TYPES, ValueType


@dataclass(frozen=True)
class ParameterSpec:
    """One policy parameter: key, typed seed default, unit, and the requirement IDs it serves.

    `default` is the seed value of REQUIREMENTS.md §6, or None where the seed gives none ("—": must be
    configured before the rule is enforced). `source` names the seed document the default comes from.
    """

    key: str
    type: str
    default: Any
    label: str
    requirements: tuple[str, ...]
    unit: str = ""
    source: str = ""
    description: str = ""
    choices: tuple[tuple[str, str], ...] = field(default=())

    @property
    def value_type(self) -> ValueType:
        return TYPES[self.type]

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]

    def display(self, value: Any) -> str:
        if value is None:
            return "—（未设置）"
        if self.choices:
            labels = dict(self.choices)
            if value in labels:
                return labels[value]
        text = self.value_type.display(value)
        if self.unit and self.type in {"int", "decimal"}:
            return f"{text}{self.unit}" if self.unit == "%" else f"{text} {self.unit}"
        return text

    def clean(self, value: Any) -> Any:
        """Validate a JSON value for this parameter; raises ValueError with a Chinese message."""
        if value is None:
            return None
        cleaned = self.value_type.validate(value)
        if self.choices and cleaned not in {c for c, _ in self.choices}:
            raise ValueError(gettext("不在可选范围内"))
        return cleaned

    def parse(self, text: str) -> Any:
        if not text.strip():
            raise ValueError(gettext("请填写参数值"))
        return self.clean(self.value_type.parse(text))


PARAMETERS: dict[str, ParameterSpec] = {}


def declare(
    key: str, *, type: str, default: Any, label: str, requirements: tuple[str, ...] | str, **kwargs: Any
) -> ParameterSpec:
    """Declare a parameter once; a second declaration of the same key is a programming error."""
    if key in PARAMETERS:
        raise ValueError(f"policy parameter {key} declared twice")
    if type not in TYPES:
        raise ValueError(f"unknown parameter type {type}")
    reqs = (requirements,) if isinstance(requirements, str) else tuple(requirements)
    spec = ParameterSpec(key=key, type=type, default=None, label=label, requirements=reqs, **kwargs)
    spec = ParameterSpec(**{**spec.__dict__, "default": spec.clean(default)})
    PARAMETERS[key] = spec
    return spec


def get_spec(key: str) -> ParameterSpec:
    try:
        return PARAMETERS[key]
    except KeyError:
        raise KeyError(f"undeclared policy parameter {key!r}") from None
