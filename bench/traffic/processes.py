"""The processes the load benchmark starts and watches: gunicorn on a free port of 127.0.0.1,
locust headless, ``collectstatic`` once; the CPU the server uses, sampled from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, cpu_seconds

VENV_BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "bench" / "load_locustfile.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(args, secret_key: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": args.settings,
        "DEBUG": "off",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker_url,
        "LOG_LEVEL": "WARNING",
    }


class Processes:
    """The processes started here, each in its own session: stopped with their children."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, command: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(command, start_new_session=True, **kwargs)  # noqa: S603
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen, grace: float = 15.0) -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in reversed(list(self.running)):
            self.stop(process)


def start_gunicorn(processes: Processes, args, env: dict, run_dir: Path) -> str:
    import requests

    port = free_port()
    worker = (
        ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []
    )
    process = processes.start(
        [
            str(VENV_BIN / "gunicorn"),
            "mfo.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            *worker,
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--error-logfile",
            str(run_dir / "gunicorn.log"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see {run_dir}/gunicorn.log")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return url
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /healthz in 90 s; see {run_dir}/gunicorn.log")


def run_locust(
    processes: Processes, args, url: str, config: Path, run_dir: Path, server: int
) -> tuple[int, list[tuple[float, dict]]]:
    """Run locust to its end; returns its exit code and the server's CPU sampled each second."""
    import psycopg

    log = (run_dir / "locust.log").open("w")
    process = processes.start(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            f"{args.seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            url,
            "--csv",
            str(run_dir / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, "MFO_LOAD_CONFIG": str(config)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    samples = []
    deadline = time.monotonic() + args.seconds + 120
    try:
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            while process.poll() is None and time.monotonic() < deadline:
                samples.append((time.time(), server_cpu(server, conn)))
                time.sleep(1)
            samples.append((time.time(), server_cpu(server, conn)))
        return process.wait(timeout=max(1, deadline - time.monotonic())), samples
    finally:
        processes.stop(process)
        log.close()


def collect_static(env: dict) -> None:
    """Production serves pages that name hashed static files from the manifest: without it
    every page is a 500. Collected once (it takes a minute or two: brotli), again when a
    file under static/ is newer."""
    from django.conf import settings

    if "Manifest" not in settings.STORAGES["staticfiles"]["BACKEND"]:
        return
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    newest = max(
        (p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file()), default=0
    )
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return
    print("  collecting static files for the manifest (once; a minute or two)", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def server_cpu(master: int, conn) -> dict[str, dict[int, float]]:
    """CPU seconds so far of gunicorn (master and workers) and of the PostgreSQL backends
    connected to the load database (PostgreSQL runs on this host)."""
    workers = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                workers.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    backends = [
        row[0]
        for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    ]
    return {
        kind: {pid: cpu for pid in pids if (cpu := cpu_seconds(pid)) is not None}
        for kind, pids in (("gunicorn", workers), ("postgres", backends))
    }
