"""Common base of the schema models and YAML/JSON input-output with one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from nanomed.core.errors import InputError, not_utf8

__all__ = ["NanomedModel", "format_validation_error", "read_mapping"]


def format_validation_error(exc: ValidationError, where: str = "") -> str:
    """Turn a pydantic error into one line naming the field and what is wrong."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)  # a whole-model check names its fields
    prefix = f"{where}: " if where else ""
    return prefix + "; ".join(parts)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (not last-wins)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise InputError(f"duplicate key {key!r} (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 (PyYAML) reads 1e4 and 1.0e7 as strings: it wants a dot and a signed exponent. Resolve
# the YAML 1.2 forms as floats too, so that a number in scientific notation is read as a number.
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup is not None:
        raise InputError(f"duplicate key {dup!r}")
    return dict(pairs)


def read_mapping(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON file holding one mapping; errors are one line naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    try:
        if path.suffix == ".json":
            data = json.loads(text, object_pairs_hook=_unique_pairs)
        else:
            data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except InputError as exc:  # a duplicate key: silently keeping the last one loses data
        raise InputError(f"{path}: {exc}") from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"{path}: not valid YAML/JSON ({first})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    return data


class NanomedModel(BaseModel):
    """Base for every schema model: strict field names, unit-aware YAML/JSON in and out."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "") -> Self:
        """Validate a mapping; errors are one-line :class:`InputError` naming the field."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InputError(format_validation_error(exc, where or cls.__name__)) from None

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Read a YAML or JSON file."""
        return cls.from_dict(read_mapping(path), where=str(path))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-compatible dict with quantities written as text with units."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_yaml(self) -> str:
        """Return the model as YAML text."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` (``.json`` or ``.yaml``)."""
        path = Path(path)
        text = json.dumps(self.to_dict(), indent=2) if path.suffix == ".json" else self.to_yaml()
        path.write_text(text, encoding="utf-8")
        return path
