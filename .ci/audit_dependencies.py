"""pip-audit over requirements.txt: fail on any known vulnerability.

pip-audit asks PyPI's JSON API for each pinned version. Where that API cannot
be reached (this workplace's registry mirror serves only the package index),
every package comes back "skipped": say so plainly instead of reporting a
clean bill of health that nothing was checked for.
"""

import json
import subprocess
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
result = subprocess.run(  # noqa: S603 - our own venv's pip-audit, fixed arguments
    [
        str(Path(sys.executable).parent / "pip-audit"),
        *("-r", str(root / "requirements.txt"), "-f", "json", "--progress-spinner", "off"),
    ],
    capture_output=True,
    text=True,
    check=False,
)
try:
    report = json.loads(result.stdout)
except json.JSONDecodeError:
    print(result.stdout, result.stderr, sep="\n")
    sys.exit(result.returncode or 1)

audited = [d for d in report["dependencies"] if "skip_reason" not in d]
skipped = [d for d in report["dependencies"] if "skip_reason" in d]
vulnerable = [(d["name"], d["version"], v["id"]) for d in audited for v in d.get("vulns", [])]
for name, version, vuln in vulnerable:
    print(f"VULNERABLE {name} {version}: {vuln}")
print(f"pip-audit: {len(audited)} audited, {len(vulnerable)} known vulnerabilities, {len(skipped)} not auditable")
if skipped and not audited:
    print("pip-audit: the vulnerability data (PyPI JSON API) is not reachable from this machine; nothing was audited.")
sys.exit(1 if vulnerable else 0)
