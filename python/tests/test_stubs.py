"""The `.pyi` stubs describe exactly what the extension defines: no drift either way."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import wxcloud
from wxcloud import _native

STUB = Path(wxcloud.__file__).with_name("_native.pyi")
# Names that exist only for type checkers (aliases, type variables) or only at run time.
STUB_ONLY = {
    "Record", "TokenReply", "TokenProvider", "Direction", "OrderBy", "Fields", "IndexSpec", "_R",
    "UploadSource", "CloudFunction", "_BinaryFile",
}


def stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text())


def public(names: set[str]) -> set[str]:
    return {n for n in names if not n.startswith("__") or n in {"__enter__", "__exit__", "__aenter__", "__aexit__", "__len__", "__iter__", "__bytes__"}}


def test_module_names_match() -> None:
    stubbed = {
        n.name if isinstance(n, (ast.ClassDef, ast.FunctionDef)) else n.targets[0].id  # type: ignore[attr-defined]
        for n in stub_tree().body
        if isinstance(n, (ast.ClassDef, ast.FunctionDef)) or (isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name))
    }
    runtime = {n for n in dir(_native) if not n.startswith("__")}
    assert stubbed - STUB_ONLY == runtime


def test_class_members_match() -> None:
    for node in stub_tree().body:
        if not isinstance(node, ast.ClassDef) or node.name in STUB_ONLY:
            continue
        cls = getattr(_native, node.name)
        if issubclass(cls, BaseException):
            continue
        stubbed = public({n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))})
        runtime = public({n for n, _ in inspect.getmembers(cls) if not n.startswith("_") or n.startswith("__")})
        runtime -= {"__init__"} if "__init__" not in stubbed else set()
        missing = stubbed - runtime - {"__init__", "__eq__", "__hash__"}
        undocumented = {n for n in runtime - stubbed if not n.startswith("__")}
        assert not missing, f"{node.name}: stub names not at run time: {missing}"
        assert not undocumented, f"{node.name}: run-time names missing from the stub: {undocumented}"


def test_package_exports_exist() -> None:
    for name in wxcloud.__all__:
        assert hasattr(wxcloud, name), name
