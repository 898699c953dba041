"""What the benchmarks share: the bench database (its URL, creating it, Django pointed at it)
and the figures of the machine they run on (CPU seconds of a process, load average)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ONE_DAY = timedelta(days=1)
# The close and k1 benchmarks' database (bench/load.py has one of its own).
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mfo_bench"


# --- the database ---------------------------------------------------------------------------


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def server_url(url: str) -> str:
    """The same server's maintenance database, to create or drop the bench's from."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def is_bench_database(name: str) -> bool:
    """Only a database made for the bench may be emptied or dropped by one."""
    return "bench" in name


def create_database(url: str) -> None:
    """Create the database of ``url`` when it is missing."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with psycopg.connect(server_url(url), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def recreate_database(url: str) -> None:
    """Drop the database of ``url`` (whoever is connected) and create it empty."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with psycopg.connect(server_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(database_url: str) -> None:
    """Point Django at the bench database, create it when missing, migrate it."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "off"  # DEBUG would keep every query in memory
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mfo.settings")
    create_database(database_url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# --- the machine ----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of a process on this host, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def machine() -> str:
    """The CPU model, the number of CPUs and the memory of this host."""
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    return f"{model}, {os.cpu_count()} CPUs, {memory} RAM"


def format_seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"
