"""pip-audit over requirements.txt: fail on any known vulnerability.

pip-audit asks PyPI's JSON API for each pinned version. Where that API cannot
be reached (this workplace's registry mirror serves only the package index),
packages come back "skipped": nothing was checked for them. Such a run is
never reported as clean:

- by default it passes (so CI stays usable where the data is unreachable) but
  prints a loud WARNING line naming how many packages were not audited;
- with AUDIT_REQUIRED=1 (release pipelines, image builds) it fails, as does a
  run where pip-audit produced no report at all.

Usage: python .ci/audit_dependencies.py [--requirements FILE] [--report FILE]
(--report reads a pip-audit JSON report instead of running pip-audit).
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--requirements", default=str(root / "requirements.txt"))
parser.add_argument("--report", help="a pip-audit JSON report to judge instead of running pip-audit")
args = parser.parse_args()
required = os.environ.get("AUDIT_REQUIRED", "").strip().lower() in {"1", "true", "yes", "on"}


def not_audited(message: str) -> None:
    """An incomplete audit: fatal under AUDIT_REQUIRED=1, a loud warning otherwise."""
    if required:
        print(f"pip-audit: FAILED (AUDIT_REQUIRED=1): {message}", file=sys.stderr)
        sys.exit(1)
    print(f"WARNING: pip-audit: NOT AUDITED: {message} Set AUDIT_REQUIRED=1 to make this fail.", file=sys.stderr)


if args.report:
    output, errors, returncode = Path(args.report).read_text(), "", 0
else:
    result = subprocess.run(  # noqa: S603 - our own venv's pip-audit, fixed arguments
        [
            str(Path(sys.executable).parent / "pip-audit"),
            *("-r", args.requirements, "-f", "json", "--progress-spinner", "off"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    output, errors, returncode = result.stdout, result.stderr, result.returncode
try:
    report = json.loads(output)
except json.JSONDecodeError:
    print(output, errors, sep="\n")
    sys.exit(returncode or 1)

audited = [d for d in report["dependencies"] if "skip_reason" not in d]
skipped = [d for d in report["dependencies"] if "skip_reason" in d]
vulnerable = [(d["name"], d["version"], v["id"]) for d in audited for v in d.get("vulns", [])]
for name, version, vuln in vulnerable:
    print(f"VULNERABLE {name} {version}: {vuln}")
total = len(audited) + len(skipped)
print(f"pip-audit: {len(audited)} audited, {len(vulnerable)} known vulnerabilities, {len(skipped)} not auditable")
if vulnerable:
    sys.exit(1)
if not audited:
    not_audited(
        f"0 of {total} packages audited: the vulnerability data (PyPI JSON API) is not reachable from this "
        "machine, so nothing was checked for known vulnerabilities."
    )
elif skipped:
    names = ", ".join(sorted(d["name"] for d in skipped))
    not_audited(f"{len(skipped)} of {total} packages could not be audited ({names}).")
sys.exit(0)
