"""Take the README's screenshots: each role's pages on the demo data, in Russian and Kazakh.

    .venv/bin/python docs/screenshots.py            # writes docs/screenshots/<role>-<page>.png

It builds the SQLite quick start in a temporary folder (migrate, ``seed_demo``), serves it with
the development server and logs in as each role through the login page, as a user would, with
Debian's Chromium driven by Playwright. The pictures show the viewport (1280 × 800), not the
whole page, so that they stay small enough for the repository.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"

# role username -> (picture name, path or a callable finding the path on the page, language)
PAGES: dict[str, list[tuple[str, str, str]]] = {
    "credit.admin": [
        ("home", "/", "ru"),
        ("application", "first:/applications/queue/:table a[href^='/applications/']", "ru"),
        ("loan", "first:/loans/portfolio/:table a[href^='/loans/']", "kk"),
    ],
    "committee": [("meeting", "first:/committee/:table a[href^='/committee/meetings/']", "ru")],
    "accountant": [
        ("disbursements", "/loans/disbursements/", "ru"),
        ("portfolio", "/loans/portfolio/", "kk"),
    ],
    "monitoring": [("inspections", "/collateral/inspections/", "ru")],
    "collector": [("collection", "/loans/collection/", "ru")],
    "risk": [("k1", "/risk/", "ru"), ("figures", "/risk/figures/", "kk")],
    "admin": [("audit", "/audit/", "ru")],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(folder: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="on",
        DJANGO_SETTINGS_MODULE="mfo.settings",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(result.stdout + result.stderr)
    return result.stdout


def _serve(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the development server did not start")


def _open(page: Page, base: str, where: str) -> None:
    """``where`` is a path, or ``first:<list path>:<link selector>`` for the first such link."""
    if where.startswith("first:"):
        _, listing, selector = where.split(":", 2)
        page.goto(base + listing)
        page.locator(selector).first.click()
    else:
        page.goto(base + where)
    page.wait_for_load_state("networkidle")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        env = _environment(Path(folder))
        _manage(env, "compilemessages", "--ignore=.venv", "-v", "0")
        _manage(env, "migrate", "--noinput", "-v", "0")
        logins = dict(re.findall(r"^\s+\w+\s+(\S+)\s+(\S+)$", _manage(env, "seed_demo"), re.M))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _serve(env, port)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                for username, pages in PAGES.items():
                    context = browser.new_context(viewport={"width": 1280, "height": 800})
                    page = context.new_page()
                    page.goto(f"{base}/accounts/login/")
                    page.fill("input[name=username]", username)
                    page.fill("input[name=password]", logins[username])
                    page.click("form:has(input[name=password]) button[type=submit]")
                    page.wait_for_load_state("networkidle")
                    if page.url != f"{base}/":
                        raise SystemExit(f"login as {username} failed: {page.url}")
                    for name, where, language in pages:
                        context.add_cookies(
                            [{"name": "django_language", "value": language, "url": base}]
                        )
                        _open(page, base, where)
                        role = username.split(".")[0]
                        target = OUT / f"{role}-{name}.png"
                        page.screenshot(path=str(target))
                        print(target.relative_to(ROOT))
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
