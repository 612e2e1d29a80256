"""Every error code and failure-reason code the code base raises, found by reading its source
(ast), with the parameter names each raise site fills in. Used by test_error_catalogue.py."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SOURCES = (ROOT / "backend" / "app", ROOT / "services" / "video_studio" / "src" / "video_studio")
# Module constants holding a reason code (stored on job rows without parameters).
REASON_CONSTANTS = {"GENERIC_FAILURE", "TOO_MANY_RUNS", "UPLOAD_ABANDONED", "TOO_LARGE", "UNAVAILABLE"}


@dataclass(frozen=True)
class Site:
    code: str
    params: frozenset[str] | None  # None: the site passes parameters we cannot read statically
    where: str
    message: str


def _files() -> Iterator[tuple[Path, ast.Module]]:
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _message(call: ast.Call) -> str:
    if not call.args:
        return ""
    first = call.args[0]
    if isinstance(first, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) else "{…}" for v in first.values if isinstance(v, ast.expr)
        )
    return _str(first) or ast.unparse(first)


class _Classes:
    """Class name -> (bases, class-level `code`, class-level `reason_code`) over all sources."""

    def __init__(self, modules: list[tuple[Path, ast.Module]]) -> None:
        self.bases: dict[str, list[str]] = {}
        self.attrs: dict[str, dict[str, str | None]] = {}
        for _, module in modules:
            for node in ast.walk(module):
                if isinstance(node, ast.ClassDef):
                    self.bases[node.name] = [b for b in (_name(x) for x in node.bases) if b]
                    attrs: dict[str, str | None] = {}
                    for stmt in node.body:
                        if isinstance(stmt, ast.Assign | ast.AnnAssign):
                            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                            for target in targets:
                                if isinstance(target, ast.Name) and target.id in {"code", "reason_code"}:
                                    attrs[target.id] = _str(stmt.value)
                    self.attrs[node.name] = attrs

    def is_a(self, name: str, root: str) -> bool:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current == root:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(self.bases.get(current, []))
        return False

    def attr(self, name: str, attr: str) -> str | None:
        todo = [name]
        while todo:
            current = todo.pop(0)
            if attr in self.attrs.get(current, {}):
                return self.attrs[current][attr]
            todo.extend(self.bases.get(current, []))
        return None


def _dict_keys(node: ast.expr | None) -> frozenset[str] | None:
    if node is None:
        return frozenset()
    if isinstance(node, ast.Dict) and all(_str(k) is not None for k in node.keys if k is not None):
        if any(k is None for k in node.keys):
            return None
        return frozenset(_str(k) or "" for k in node.keys)
    return None


def raised() -> tuple[list[Site], list[Site]]:
    """(error codes, reason codes): one Site per raise site or declaration."""
    modules = list(_files())
    classes = _Classes(modules)
    errors: list[Site] = []
    reasons: list[Site] = []
    # An attribute holding a code (an upload kind's too_large_code) -> the params of the raise
    # site that passes it (`code=kind.too_large_code, params={...}`).
    attribute_params: dict[str, frozenset[str] | None] = {}
    by_attribute: list[tuple[str, str, str]] = []  # (attribute, code, where)
    for path, module in modules:
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(module):
            if isinstance(node, ast.ClassDef) and classes.is_a(node.name, "StudioError"):
                code = classes.attrs[node.name].get("reason_code")
                if code:
                    reasons.append(Site(code, frozenset(), f"{rel}:{node.lineno}", f"class {node.name}"))
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                value = _str(node.value)
                if isinstance(target, ast.Name) and target.id in REASON_CONSTANTS and value:
                    reasons.append(Site(value, frozenset(), f"{rel}:{node.lineno}", target.id))
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name is None:
                continue
            where = f"{rel}:{node.lineno}"
            kwargs = {k.arg: k.value for k in node.keywords if k.arg}
            for arg, value in kwargs.items():  # e.g. an upload kind's too_large_code="..."
                if arg.endswith("_code") and arg != "reason_code" and _str(value):
                    by_attribute.append((arg, _str(value) or "", where))
            if name == "encode_reason" and node.args:
                code = _str(node.args[0])
                if code is not None:  # (the mechanism itself passes a variable)
                    params = _dict_keys(node.args[1]) if len(node.args) > 1 else frozenset()
                    reasons.append(Site(code, params, where, "encode_reason"))
            elif classes.is_a(name, "DomainError"):
                if "code" in kwargs and _str(kwargs["code"]) is None:
                    if isinstance(kwargs["code"], ast.Attribute):
                        attribute_params[kwargs["code"].attr] = _dict_keys(kwargs.get("params"))
                    continue  # a code held in a variable: its values are found where they are written
                if node.args and _name(getattr(node.args[0], "func", node.args[0])) == "t":
                    continue  # the message is already the catalogue's, in the user's language
                code = _str(kwargs["code"]) if "code" in kwargs else classes.attr(name, "code")
                errors.append(
                    Site(code or "<dynamic>", _dict_keys(kwargs.get("params")), where, _message(node))
                )
            elif classes.is_a(name, "StudioError"):
                code = _str(kwargs["reason_code"]) if "reason_code" in kwargs else None
                if code is None and "reason_code" in kwargs:
                    code = "<dynamic>"
                if code is not None:
                    if any(k.arg is None for k in node.keywords):
                        params = None
                    else:
                        params = frozenset(k for k in kwargs if k != "reason_code")
                    reasons.append(Site(code, params, where, _message(node)))
    errors.extend(
        Site(code, attribute_params.get(arg, frozenset()), where, arg) for arg, code, where in by_attribute
    )
    return errors, reasons
