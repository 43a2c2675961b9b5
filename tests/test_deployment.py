"""docker-compose.yml: valid against the Compose Specification, and every
command it runs is one this project really has."""

import shlex
import shutil
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = {name: s for name, s in COMPOSE["services"].items() if "build" in s}


def test_compose_file_matches_the_compose_specification():
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    result = subprocess.run(
        [checker, "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deployment_has_every_part_with_health_checks():
    services = COMPOSE["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert resolve("/healthz").url_name == "healthz"


def shell_commands(command: list[str]) -> list[list[str]]:
    """Split `sh -c "a && b"` into its commands; a plain command is one."""
    if command[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in command[2].split("&&")]
    return [command]


def all_commands():
    dockerfile_cmd = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    yield "Dockerfile", yaml.safe_load(dockerfile_cmd.removeprefix("CMD "))
    for name, service in APP_SERVICES.items():
        for command in shell_commands(service["command"]):
            yield name, command


@pytest.mark.parametrize(("service", "command"), list(all_commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_each_service_command_exists_in_the_project(service, command):
    program, *args = command
    if program == "gunicorn":
        module, attribute = args[0].split(":")
        application = getattr(import_module(module), attribute)
        assert callable(application)
    elif program == "celery":
        assert args[:2] == ["-A", "unnutrition"]
        # Ask the real celery CLI, loading our app, whether the sub-command exists.
        celery = str(Path(sys.executable).parent / "celery")
        result = subprocess.run([celery, *args[:3], "--help"], capture_output=True, text=True, cwd=ROOT, check=False)
        assert result.returncode == 0, result.stderr
    elif program == "python":
        assert args[0] == "manage.py"
        assert args[1] in get_commands(), f"{service}: no management command {args[1]}"
    else:
        pytest.fail(f"{service} runs {program}, which the project does not provide")
