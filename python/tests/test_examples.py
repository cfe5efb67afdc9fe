"""The Python examples in the README and docs/python.md type-check (mypy --strict) and run.

Examples are written the way users write them: `wxcloud.Client()` takes its settings from the
`WXCLOUD_*` variables, which this test points at an in-process emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import wxcloud
from conftest import REPO

FENCE = re.compile(r"```python\n(.*?)```", re.S)


def python_section(readme: str) -> str:
    start = readme.index("\n## Python\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else len(readme)]


def examples() -> list[tuple[str, str]]:
    found = [(f"README-{i}", code) for i, code in enumerate(FENCE.findall(python_section((REPO / "README.md").read_text())))]
    guide = REPO / "docs" / "python.md"
    if guide.exists():
        found += [(f"python.md-{i}", code) for i, code in enumerate(FENCE.findall(guide.read_text()))]
    return found


def write_examples(tmp_path: Path) -> list[Path]:
    paths = []
    for name, code in examples():
        path = tmp_path / (name.replace(".", "_").replace("-", "_") + ".py")
        path.write_text(code)
        paths.append(path)
    return paths


def test_there_are_examples_to_check() -> None:
    assert len(examples()) >= 3


def test_examples_pass_mypy_strict(tmp_path: Path) -> None:
    paths = write_examples(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", os.devnull, *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_examples_run_against_the_emulator(tmp_path: Path, emulator: wxcloud.Emulator) -> None:
    client = emulator.client()
    if "todos" not in client.list_collections(limit=1000).names():
        client.create_collection("todos")
    env = dict(os.environ)
    env.update(
        WXCLOUD_APPID=emulator.appid,
        WXCLOUD_SECRET=emulator.secret,
        WXCLOUD_ENV=emulator.env,
        WXCLOUD_BASE_URL=emulator.base_url,
    )
    for path in write_examples(tmp_path):
        if "@pytest.fixture" in path.read_text():
            continue  # fixtures run under pytest, below
        result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, f"{path.name}:\n{result.stdout}{result.stderr}"


def test_fixture_examples_work_under_pytest(tmp_path: Path) -> None:
    for path in write_examples(tmp_path):
        code = path.read_text()
        if "@pytest.fixture" not in code:
            continue
        test_file = tmp_path / f"test_{path.stem}.py"
        test_file.write_text(
            code
            + "\n\ndef test_uses_fixture(db: wxcloud.Client[wxcloud.Record]) -> None:\n"
            + "    db.create_collection('notes')\n"
            + "    db.add('notes', [{'n': 1}, {'n': 2}])\n"
            + "    assert db.count('notes', where={'n': {'$gt': 1}}) == 1\n"
        )
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
