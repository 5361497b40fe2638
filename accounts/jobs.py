"""Background jobs for accounts (run by RQ workers, scheduled by clipsite.cron)."""

from accounts import actions


def reset_monthly_minutes() -> int:
    """Give every workspace due a reset its plan's monthly minutes; safe to run any time."""
    return actions.reset_due_workspaces()
