"""``create_account EMAIL [--password P] [--plan pro] [--minutes N]``: headless sign-up."""

import secrets

from django.core.management.base import BaseCommand, CommandError

from accounts import actions
from accounts.models import Plan, User


class Command(BaseCommand):
    help = "Create a user with a personal workspace (like viralcli's create-account)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="Default: a random password, printed once.")
        parser.add_argument("--plan", help="Plan slug (free, starter, pro, business, enterprise).")
        parser.add_argument("--minutes", type=int, help="Minutes to grant on top of the plan's allowance.")
        parser.add_argument("--staff", action="store_true", help="Give access to the admin panel.")

    def handle(self, *args, email, password, plan, minutes, staff, **options):
        plan_obj = None
        if plan:
            plan_obj = Plan.objects.filter(slug=plan).first()
            if plan_obj is None:
                slugs = ", ".join(Plan.objects.values_list("slug", flat=True))
                raise CommandError(f"Unknown plan {plan!r}. Choose one of: {slugs}.")
        if minutes is not None and minutes <= 0:
            raise CommandError("--minutes must be a positive number.")
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with the email {email} already exists.")
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        user = actions.sign_up(email, password, plan=plan_obj)
        if staff:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        workspace = user.memberships.get().workspace
        if minutes:
            actions.credit_minutes(workspace, minutes, memo="Granted at account creation")
        workspace.refresh_from_db()
        self.stdout.write(
            f"Created {email} with workspace {workspace.slug} ({workspace.plan.name}, "
            f"{workspace.minutes_balance} minutes)."
        )
        if generated:
            self.stdout.write(f"Password: {password}")
