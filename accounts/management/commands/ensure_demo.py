"""``ensure_demo``: make sure the demo login exists and print it (used by ``make run``)."""

from django.core.management.base import BaseCommand

from accounts import actions
from accounts.models import Plan, User

DEMO_EMAIL = "demo@clipsite.local"
# A well-known password on purpose: README tells operators to change it before exposing the server.
DEMO_PASSWORD = "clipsite-demo"  # noqa: S105


class Command(BaseCommand):
    help = "Create the demo user (Pro plan, admin access) if missing and print its login."

    def handle(self, *args, **options):
        if not User.objects.filter(email=DEMO_EMAIL).exists():
            user = actions.sign_up(DEMO_EMAIL, DEMO_PASSWORD, name="Demo", plan=Plan.objects.get(slug="pro"))
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
