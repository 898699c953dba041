from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from applications.demo import committee_users, seed_applications, seed_required_documents
from collateral.demo import seed_collateral
from loans.demo import seed_loans
from prudential.services import k1_run
from shell.demo import seed_products, seed_users


class Command(BaseCommand):
    help = "Load the demo product sets and one user per role; prints each login."

    def handle(self, *args, **options):
        products = seed_products()
        self.stdout.write(f"Products: {', '.join(p.code for p in products)}")
        self.stdout.write("Logins (new passwords on every run):")
        for username, role, password in seed_users():
            self.stdout.write(f"  {role.value:<22} {username:<14} {password}")
        seed_required_documents()
        applications = seed_applications(
            credit_admin=get_user_model().objects.get(username="credit.admin"),
            committee_members=committee_users(),
        )
        self.stdout.write(f"Applications: {len(applications)} at their stages")
        items = seed_collateral(credit_admin=get_user_model().objects.get(username="credit.admin"))
        self.stdout.write(f"Collateral items: {len(items)}")
        loans = seed_loans(
            credit_admin=get_user_model().objects.get(username="credit.admin"),
            accountant=get_user_model().objects.get(username="accountant"),
            committee_members=committee_users(),
        )
        self.stdout.write(f"Loans: {len(loans)}, closed through yesterday")
        # the risk dashboard opens on yesterday's k1 (a re-seed replaces it)
        run = k1_run(on=timezone.localdate() - timedelta(days=1))
        self.stdout.write(f"k1 on {run.on}: {run.share:.2f} % (limit {run.limit:.0f} %)")
