"""The traffic of ``bench/load.py``: locust runs this file in its own process (gevent).

Two kinds of user, weighted like the back office's day: branch systems and accountants on
the API with a token (3 in 5), staff in the browser with a session (2 in 5). Every answer
outside 2xx is a failure (a redirect to the login page too); a payment must be 201.

The loans, tokens and logins come from the JSON file named by ``MFO_LOAD_CONFIG``, written by
``bench/load.py``; each request's name, time and outcome go to the file named in it, read
back by ``bench/load.py`` for exact percentiles (the login of each browser user is left out).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from locust import FastHttpUser, between, events, task

CONFIG = json.loads(Path(os.environ["MFO_LOAD_CONFIG"]).read_text())
ALMATY = ZoneInfo("Asia/Almaty")  # the server's TIME_ZONE: a value date is its "today"
TOKENS = itertools.cycle(CONFIG["api_tokens"])
LOGINS = itertools.cycle(CONFIG["web_users"])
WAIT = between(*CONFIG["wait"])
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SETUP = {"setup": True}  # requests that are not counted

RECORDS: list[tuple] = []
WINDOW: dict[str, float] = {}
LOGINS_DONE: list[float] = []


@events.test_start.add_listener
def _started(**_kwargs):
    WINDOW["started"] = time.time()


@events.request.add_listener
def _record(name, response_time, exception, context, response=None, start_time=0.0, **_kwargs):
    if (context or {}).get("setup"):
        return
    status = getattr(response, "status_code", None) or 0
    RECORDS.append((name, round(response_time, 3), exception is None, status, start_time))


@events.test_stop.add_listener
def _stopped(**_kwargs):
    WINDOW["stopped"] = time.time()
    results = {**WINDOW, "logins": LOGINS_DONE, "records": RECORDS}
    Path(CONFIG["results"]).write_text(json.dumps(results))


def _today() -> str:
    return datetime.now(ALMATY).date().isoformat()


def _check(response, expected: tuple[int, ...] = (200,)) -> None:
    """Inside ``catch_response``: only the expected 2xx counts as a success."""
    if response.status_code in expected:
        response.success()
    else:
        body = (response.text or "")[:200].replace("\n", " ")
        response.failure(f"HTTP {response.status_code}: {body}")


class ApiUser(FastHttpUser):
    """A branch system or an accountant's tool: reads loans, posts payments, calculates."""

    weight = 3
    wait_time = WAIT

    def on_start(self):
        self.headers = {"Authorization": f"Token {next(TOKENS)}", "Accept": "application/json"}

    def _get(self, path: str, name: str):
        with self.client.get(path, headers=self.headers, name=name, catch_response=True) as r:
            _check(r)

    @task(3)
    def loan_list(self):
        pages = max(1, min(CONFIG["list_pages"], 20))
        self._get(f"/api/v1/loans/?page={random.randint(1, pages)}", "API loans list")

    @task(4)
    def loan_detail(self):
        self._get(f"/api/v1/loans/{random.choice(CONFIG['read_loans'])}/", "API loan detail")

    @task(2)
    def loan_schedule(self):
        loan = random.choice(CONFIG["read_loans"])
        self._get(f"/api/v1/loans/{loan}/schedule/", "API loan schedule")

    @task(3)
    def payment(self):
        loan = random.choice(CONFIG["pay_loans"])
        body = {
            "amount": f"{random.randint(1_000_00, 20_000_00) / 100:.2f}",
            "value_date": _today(),
            "channel": random.choice(["bank_transfer", "cash"]),
            "reference": f"LOAD-{uuid.uuid4().hex[:12]}",
            "payer": "Load test",
        }
        headers = {**self.headers, "Idempotency-Key": str(uuid.uuid4())}
        with self.client.post(
            f"/api/v1/loans/{loan}/payments/",
            json=body,
            headers=headers,
            name="API payment post",
            catch_response=True,
        ) as response:
            _check(response, (201,))

    @task(2)
    def calculator(self):
        body = _calculator_terms()
        body["product"] = CONFIG["product"]
        with self.client.post(
            "/api/v1/calculator/schedule/",
            json=body,
            headers=self.headers,
            name="API calculator",
            catch_response=True,
        ) as response:
            _check(response)


class WebUser(FastHttpUser):
    """A credit administrator in the browser: loan pages, the portfolio, the calculator."""

    weight = 2
    wait_time = WAIT

    def on_start(self):
        # The cookies are Secure, as in production; over plain HTTP on loopback they are
        # carried by hand (locust's cookie jar does not send them back).
        username, password = next(LOGINS)
        page = self.client.get("/accounts/login/", context=SETUP)
        cookies = _cookies(page)
        form = {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": CSRF_INPUT.search(page.text).group(1),
        }
        with self.client.post(
            "/accounts/login/",
            data=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken']}",
            },
            allow_redirects=False,
            context=SETUP,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {username} answered {response.status_code}")
                raise RuntimeError(f"login of {username} failed")
            cookies.update(_cookies(response))
        LOGINS_DONE.append(time.time())
        self.headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}

    def _page(self, path: str, name: str):
        with self.client.get(
            path, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            _check(response)

    @task(4)
    def loan_page(self):
        self._page(f"/loans/{random.choice(CONFIG['read_loans'])}/", "Page loan")

    @task(1)
    def portfolio_page(self):
        pages = max(1, min(CONFIG["list_pages"], 20))
        self._page(f"/loans/portfolio/?page={random.randint(1, pages)}", "Page portfolio")

    @task(2)
    def calculator_page(self):
        terms = _calculator_terms()
        terms.pop("method")
        terms["product"] = CONFIG["product"]
        self._page(f"/loans/calculator/?{urlencode(terms)}", "Page calculator")


def _cookies(response) -> dict[str, str]:
    pairs = (line.split(";", 1)[0] for line in response.headers.getlist("set-cookie"))
    return dict(pair.strip().split("=", 1) for pair in pairs)


def _calculator_terms() -> dict:
    """Terms the unsecured product accepts: 100,000 to 6,000,000 KZT, 12 %, up to 24 months."""
    disbursement = datetime.now(ALMATY).date() + timedelta(days=random.randint(0, 20))
    return {
        "amount": str(random.randint(1, 60) * 100_000),
        "annual_rate": "12",
        "term_months": random.choice([6, 12, 18, 24]),
        "method": "annuity",
        "day_count": "actual/360",
        "disbursement_date": disbursement.isoformat(),
    }
