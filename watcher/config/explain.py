"""Turns pydantic's validation errors into messages a person can act on.

pydantic says "Extra inputs are not permitted"; we say which key, which keys are allowed and
which one was probably meant.
"""

from __future__ import annotations

import re
import types
from datetime import date
from difflib import get_close_matches
from typing import Annotated, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from watcher.config.locations import Loc, Locations, NodeSpot, Problem
from watcher.config.urls import mask_userinfo

_EXPECTED_TYPE = {
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "list_type": "a list",
    "timedelta_type": "a duration",
}

_BOOLEAN_WORDS = {"true", "false"}

# Keys a later version will accept; until then they are errors, with a word on why.
PLANNED_KEYS: dict[Loc, str] = {}


def closest(word: str, choices: list[str]) -> str | None:
    """The choice `word` was most likely meant to be, if any is close enough."""
    found = get_close_matches(word, choices, n=1, cutoff=0.5)
    return found[0] if found else None


def describe(value: object, spot: NodeSpot | None) -> str:
    """How a wrong value reads in a message, with a hint when YAML typed it by surprise."""
    if value is None:
        return "an empty value (null)"
    if isinstance(value, bool):
        written = spot.plain_text if spot is not None else None
        if written is not None and written.lower() not in _BOOLEAN_WORDS:
            return (
                f"{written!r}, which YAML reads as the boolean {str(value).lower()}; "
                f'quote it: "{written}"'
            )
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return repr(mask_userinfo(value))
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bytes):
        return "binary data (!!binary)"
    if isinstance(value, date):
        return f"the date {value.isoformat()} (quote it to keep it as text)"
    return f"a {type(value).__name__}"


def _unwrap(annotation: object) -> object:
    """Annotated[X, ...] → X and X | None → X, repeatedly."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            rest = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc`, following fields, lists and dicts."""
    current: object = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) is list and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _unknown_key(root: type[BaseModel], loc: Loc) -> str:
    key = str(loc[-1])
    model = model_at(root, loc[:-1])
    if model is None:
        return f"unknown key {key!r}"
    allowed = list(model.model_fields)
    guess = closest(key, allowed)
    did_you_mean = f"; did you mean {guess!r}?" if guess else ""
    planned = f"; {PLANNED_KEYS[loc]}" if loc in PLANNED_KEYS else ""
    return f"unknown key {key!r}{did_you_mean}{planned} (allowed keys: {', '.join(allowed)})"


def _message(error: ErrorDetails, loc: Loc, root: type[BaseModel], locations: Locations) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    got = describe(error.get("input"), locations.spot(loc))
    if kind == "missing":
        return f"required key {str(loc[-1])!r} is missing"
    if kind == "extra_forbidden":
        return _unknown_key(root, loc)
    if kind in ("value_error", "assertion_error"):
        return str(context.get("error", error["msg"]))
    if kind in _EXPECTED_TYPE:
        return f"expected {_EXPECTED_TYPE[kind]}, got {got}"
    if kind == "literal_error":
        expected = str(context.get("expected", ""))
        options = re.findall(r"'([^']*)'", expected)
        value = error.get("input")
        guess = closest(value, options) if isinstance(value, str) else None
        did_you_mean = f"; did you mean {guess!r}?" if guess else ""
        return f"expected {expected}, got {got}{did_you_mean}"
    if kind == "too_short" and context.get("min_length") == 1:
        return "must not be empty"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = "at least" if kind == "greater_than_equal" else "at most"
        limit = context.get("ge", context.get("le"))
        return f"must be {bound} {limit}, got {got}"
    text = str(error["msg"])
    return f"{text[:1].lower()}{text[1:]}, got {got}"


def explain(error: ValidationError, root: type[BaseModel], locations: Locations) -> list[Problem]:
    """One Problem per pydantic error, located at the key or value it is about."""
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        loc: Loc = tuple(detail["loc"])
        about_key = bool(loc) and loc[-1] == "[key]"
        if about_key:
            loc = loc[:-1]
        about_key = about_key or detail["type"] == "extra_forbidden"
        problems.append(Problem(loc, _message(detail, loc, root, locations), about_key=about_key))
    return problems
