from __future__ import annotations

from django.core.management.base import BaseCommand

from core.demo import seed_products, seed_users


class Command(BaseCommand):
    help = "Load the demo product sets and one user per role; prints each login."

    def handle(self, *args, **options):
        products = seed_products()
        self.stdout.write(f"Products: {', '.join(p.code for p in products)}")
        self.stdout.write("Logins (new passwords on every run):")
        for username, role, password in seed_users():
            self.stdout.write(f"  {role.value:<22} {username:<14} {password}")
