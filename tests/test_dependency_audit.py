"""`make security`'s dependency audit (.ci/audit_dependencies.py): a run that checked
nothing is never a quiet pass; with AUDIT_REQUIRED=1 (release pipelines) it fails."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "audit_dependencies.py"
# What pip-audit answers where PyPI's JSON API is unreachable (this machine).
UNREACHABLE = "Dependency not found on PyPI and could not be audited: {} ({})"


def audit(tmp_path, dependencies=None, required=False, raw=None, requirements=None):
    env = {k: v for k, v in os.environ.items() if k != "AUDIT_REQUIRED"}
    if required:
        env["AUDIT_REQUIRED"] = "1"
    args = [sys.executable, str(SCRIPT)]
    if requirements is not None:
        args += ["--requirements", str(requirements)]
    else:
        report = tmp_path / "report.json"
        report.write_text(raw if raw is not None else json.dumps({"dependencies": dependencies, "fixes": []}))
        args += ["--report", str(report)]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def skipped(name, version):
    return {"name": name, "skip_reason": UNREACHABLE.format(name, version)}


def clean(name, version):
    return {"name": name, "version": version, "vulns": []}


NOTHING_AUDITED = [skipped("django", "5.2.19"), skipped("celery", "5.7.0")]


def test_nothing_audited_passes_with_a_loud_warning_by_default(tmp_path):
    result = audit(tmp_path, NOTHING_AUDITED)
    assert result.returncode == 0
    assert "pip-audit: 0 audited, 0 known vulnerabilities, 2 not auditable" in result.stdout
    assert "WARNING: pip-audit: NOT AUDITED: 0 of 2 packages audited" in result.stderr
    assert "AUDIT_REQUIRED=1" in result.stderr


def test_nothing_audited_fails_when_an_audit_is_required(tmp_path):
    result = audit(tmp_path, NOTHING_AUDITED, required=True)
    assert result.returncode == 1
    assert "pip-audit: FAILED (AUDIT_REQUIRED=1): 0 of 2 packages audited" in result.stderr
    assert "not reachable" in result.stderr


def test_a_partial_audit_names_what_was_not_audited(tmp_path):
    dependencies = [clean("django", "5.2.19"), skipped("celery", "5.7.0")]
    assert "NOT AUDITED: 1 of 2 packages could not be audited (celery)" in audit(tmp_path, dependencies).stderr
    required = audit(tmp_path, dependencies, required=True)
    assert required.returncode == 1
    assert "FAILED (AUDIT_REQUIRED=1): 1 of 2 packages could not be audited (celery)" in required.stderr


@pytest.mark.parametrize("required", [False, True])
def test_a_complete_clean_audit_passes_quietly(tmp_path, required):
    result = audit(tmp_path, [clean("django", "5.2.19"), clean("celery", "5.7.0")], required=required)
    assert result.returncode == 0
    assert "2 audited, 0 known vulnerabilities, 0 not auditable" in result.stdout
    assert result.stderr == ""


def test_a_known_vulnerability_fails(tmp_path):
    dependencies = [{"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": []}]}]
    result = audit(tmp_path, dependencies)
    assert result.returncode == 1
    assert "VULNERABLE django 5.2.0: PYSEC-2025-1" in result.stdout


def test_no_report_at_all_fails(tmp_path):
    assert audit(tmp_path, raw="pip-audit: could not resolve").returncode == 1


def test_the_real_pip_audit_here_is_judged_the_same_way(tmp_path):
    """pip-audit itself, on one pinned package: audited, or (unreachable data) failed under AUDIT_REQUIRED=1."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("sqlparse==0.5.3\n")
    result = audit(tmp_path, requirements=requirements, required=True)
    summary = next(line for line in result.stdout.splitlines() if line.startswith("pip-audit: "))
    if summary.startswith("pip-audit: 0 audited"):
        assert result.returncode == 1, result.stdout + result.stderr
        assert "FAILED (AUDIT_REQUIRED=1)" in result.stderr
    else:
        assert result.returncode == (1 if "VULNERABLE" in result.stdout else 0), result.stdout + result.stderr
