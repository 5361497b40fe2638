"""``create_api_key EMAIL [--workspace SLUG] [--name NAME]``: prints a new key and nothing else."""

from django.core.management.base import BaseCommand, CommandError

from accounts import actions
from accounts.models import User, Workspace


class Command(BaseCommand):
    help = "Create an API key for a user and print it once on stdout."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--workspace", help="Workspace slug (default: the user's personal workspace).")
        parser.add_argument("--name", default="CLI key")

    def handle(self, *args, email, workspace, name, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user with the email {email}.")
        workspaces = Workspace.objects.for_user(user)
        if workspace:
            ws = workspaces.filter(slug=workspace).first()
            if ws is None:
                raise CommandError(f"{email} is not a member of a workspace with the slug {workspace!r}.")
        else:
            ws = workspaces.order_by("-is_personal", "created_at").first()
            if ws is None:
                raise CommandError(f"{email} has no workspace.")
        if not ws.can_manage(user):
            raise CommandError(f"{email} is not an owner or admin of {ws.slug}; only they can create keys.")
        self.stdout.write(actions.create_api_key(user, ws, name).raw)
