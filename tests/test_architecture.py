"""The layering the code map promises: apps and files import downward only.

Runs the same check as `make lint` (.ci/check_imports.py), and shows on a
throw-away tree that the check does catch a cycle hidden in a function body.
"""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_checker():
    spec = importlib.util.spec_from_file_location("check_imports", ROOT / ".ci" / "check_imports.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_imports"] = module
    spec.loader.exec_module(module)
    return module


def test_the_project_imports_downward_only():
    assert load_checker().problems() == []


def test_a_deferred_import_that_closes_a_cycle_is_caught(tmp_path, monkeypatch):
    checker = load_checker()
    for app, body in {
        "core": "def helper():\n    from teams.models import Team\n",  # the floor reaching up
        "teams": "from core.models import helper\n",
    }.items():
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
        (tmp_path / app / "models.py").write_text(body)
    monkeypatch.setattr(checker, "ROOT", tmp_path)
    found = checker.problems()
    assert any("apps import each other: core, teams" in line for line in found)
    assert any("files import each other: core.models, teams.models" in line for line in found)
    assert any(line.startswith("core (lower) imports teams (higher)") for line in found)
