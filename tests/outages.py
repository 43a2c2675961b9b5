"""Servers that the outage tests (tests/test_outages.py) start, stop and start again.

- PrivateRedis: a `redis-server` of the test's own, on its own port, without persistence (as when
  Redis is restarted without its data).
- PrivatePostgres: a PostgreSQL cluster of the test's own under /tmp (initdb), on its own port,
  holding a copy of the test database (pg_dump / pg_restore), so that it can be stopped and
  started without touching the machine's PostgreSQL.
- Gunicorn: the app served by gunicorn, as in production, in a subprocess.

Nothing here is a stand-in: each is the real program, stopped the way an outage stops it.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"{what}: not within {timeout} s")


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class PrivateRedis:
    def __init__(self, folder: Path, port: int | None = None):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            message = "redis-server is not installed (Debian package redis-server)"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        self.folder, self.port = folder, port or free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(lambda: port_open(self.port), 10, f"redis-server on port {self.port}")
        return self

    def pause(self) -> None:
        """A server that hangs (SIGSTOP): connections stay open, nothing answers."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        """What a crash does: gone at once, with everything it held."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        wait_for(lambda: not port_open(self.port), 10, "redis-server stopped")


class PrivatePostgres:
    """A cluster under /tmp owned by the `postgres` user when run as root (initdb refuses root)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.bindir = self.find_bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="unn-outage-pg-"))
        self.data = self.folder / "data"
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    @staticmethod
    def find_bindir() -> Path:
        found = shutil.which("pg_ctl")
        if found:
            return Path(os.path.realpath(found)).parent
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not versions:
            pytest.fail("PostgreSQL's server programs (pg_ctl, initdb) are not installed")
        return Path(versions[-1]).parent

    def run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [*self.as_owner, str(self.bindir / program), *args], capture_output=True, text=True, check=False
        )
        if result.returncode:
            pytest.fail(f"{program} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self) -> None:
        """A fast shutdown, as `systemctl restart postgresql` does: every connection is cut."""
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def copy_database(self, source_url: str, name: str) -> str:
        """A copy of the database at `source_url` (schema and rows), named `name` here."""
        subprocess.run([str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        name], check=True)  # fmt: skip
        dump = subprocess.Popen([str(self.bindir / "pg_dump"), "-Fc", "--no-owner", source_url], stdout=subprocess.PIPE)
        subprocess.run(
            [str(self.bindir / "pg_restore"), "--no-owner", "-d", self.url(name)], stdin=dump.stdout, check=True
        )
        assert dump.wait() == 0
        return self.url(name)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


class Gunicorn:
    """`gunicorn unnutrition.wsgi` in a process group of its own, as the README deploys it."""

    def __init__(self, log: Path, workers: int = 2, **env: str):
        self.port = free_port()
        self.log = log
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL",)}
        environment |= {
            "DJANGO_SETTINGS_MODULE": "unnutrition.settings",
            "DJANGO_SECRET_KEY": "outage-tests-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_LOG_FORMAT": "text",
            **env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "unnutrition.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--timeout", "30", "--graceful-timeout", "5"],
            cwd=ROOT, env=environment, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_for(self.answers, 60, f"gunicorn on port {self.port}:\n{self.output()}", interval=0.3)

    def answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{self.output()}")
        try:
            requests.get(f"{self.url}/healthz", timeout=5)
            return True
        except requests.RequestException:
            return False

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def workers_booted(self) -> int:
        return self.output().count("Booting worker")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
