"""The load's users and what they work on: one login per simulated user (a token on the API,
a password in the browser), the readers of the heavy loan, and the configuration locust reads
(``bench/load_locustfile.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.seed.terms import PRODUCT

PAY_WITHIN_DAYS = 540  # loans the load pays: disbursed since, so 6 or more instalments to come
API_USERS, WEB_USERS, READERS = "load.api.", "load.web.", "load.read."


@dataclass
class Logins:
    api_tokens: list[str] = field(default_factory=list)
    web_users: list[tuple[str, str]] = field(default_factory=list)
    readers: dict[str, str] = field(default_factory=dict)  # what: token, for the reads
    reader_web: tuple[str, str] = ("", "")


def logins(users: int, password: str) -> Logins:
    """One API user (accountant, token) and one browser user (credit administrator) per
    simulated user, as the throttle (600 requests a minute a user) expects of real ones."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from core.roles import Role

    User = get_user_model()
    hashed = make_password(password)  # hashed once: the hasher is slow on purpose
    result = Logins()

    def user(username: str, role: Role):
        account, _created = User.objects.get_or_create(username=username)
        account.password = hashed
        account.save(update_fields=["password"])
        account.groups.set([Group.objects.get(name=role.value)])
        return account

    for number in range(1, users + 1):
        account = user(f"{API_USERS}{number:02d}", Role.ACCOUNTANT)
        result.api_tokens.append(Token.objects.get_or_create(user=account)[0].key)
        result.web_users.append((user(f"{WEB_USERS}{number:02d}", Role.CREDIT_ADMINISTRATOR)
                                 .username, password))  # fmt: skip
    for what in ("detail", "ledger", "payments", "schedule", "ledger500"):
        account = user(f"{READERS}{what}", Role.ACCOUNTANT)
        result.readers[what] = Token.objects.get_or_create(user=account)[0].key
    result.reader_web = (user(f"{READERS}web", Role.CREDIT_ADMINISTRATOR).username, password)
    return result


def load_config(on: date, heavy_id: int, accounts: Logins, results: Path, wait) -> dict:
    from lending.models import Product
    from loans.models import Loan

    active = Loan.objects.filter(status=Loan.Status.ACTIVE).exclude(pk=heavy_id)
    read = list(active.values_list("pk", flat=True))
    pay = list(
        active.filter(
            number__startswith="MK-B-", disbursed_on__gte=on - timedelta(days=PAY_WITHIN_DAYS)
        ).values_list("pk", flat=True)
    )
    return {
        "api_tokens": accounts.api_tokens,
        "web_users": accounts.web_users,
        "read_loans": read,
        "pay_loans": pay or read,
        "list_pages": math.ceil(len(read) / 50),
        "product": Product.objects.get(code=PRODUCT).pk,
        "results": str(results),
        "wait": list(wait),
    }
