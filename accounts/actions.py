"""State changes for accounts: sign-up, workspaces, memberships, minutes and API keys.

Minutes follow one rule: the balance changes only by a conditional UPDATE inside a
transaction that also writes the ledger row, so the ledger's sum is the balance and
concurrent debits can never take it below zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import ApiKey, Invitation, Membership, MinuteEntry, Plan, User, Workspace
from clipsite.crypto import encrypt


class InsufficientMinutes(Exception):
    """The workspace has fewer minutes than the operation needs; nothing was charged."""

    def __init__(self, needed: int, available: int):
        super().__init__(f"This needs {needed} minutes but the workspace has {available}.")
        self.needed = needed
        self.available = available


class InvitationError(Exception):
    """The invitation cannot be accepted; the message says why."""


def _write_entry(workspace_id: str, kind: str, amount: int, memo: str, reference: str, by) -> MinuteEntry:
    balance = Workspace.objects.filter(pk=workspace_id).values_list("minutes_balance", flat=True).get()
    return MinuteEntry.objects.create(
        workspace_id=workspace_id,
        kind=kind,
        amount=amount,
        balance_after=balance,
        memo=memo[:200],
        reference=reference,
        created_by=by,
    )


def credit_minutes(
    workspace: Workspace,
    amount: int,
    *,
    kind: str = MinuteEntry.Kind.GRANT,
    memo: str = "",
    reference: str = "",
    by: User | None = None,
) -> MinuteEntry:
    """Add ``amount`` (> 0) minutes and write the ledger row."""
    if amount <= 0:
        raise ValueError("credit_minutes takes a positive amount")
    with transaction.atomic():
        Workspace.objects.filter(pk=workspace.pk).update(minutes_balance=F("minutes_balance") + amount)
        return _write_entry(workspace.pk, kind, amount, memo, reference, by)


def debit_minutes(
    workspace: Workspace,
    amount: int,
    *,
    kind: str = MinuteEntry.Kind.DEBIT,
    memo: str = "",
    reference: str = "",
    by: User | None = None,
) -> MinuteEntry:
    """Take ``amount`` (> 0) minutes, or raise InsufficientMinutes and change nothing."""
    if amount <= 0:
        raise ValueError("debit_minutes takes a positive amount")
    with transaction.atomic():
        updated = Workspace.objects.filter(pk=workspace.pk, minutes_balance__gte=amount).update(
            minutes_balance=F("minutes_balance") - amount
        )
        if not updated:
            available = (
                Workspace.objects.filter(pk=workspace.pk).values_list("minutes_balance", flat=True).get()
            )
            raise InsufficientMinutes(amount, available)
        return _write_entry(workspace.pk, kind, -amount, memo, reference, by)


def refund_minutes(workspace: Workspace, amount: int, *, memo: str = "", reference: str = "") -> MinuteEntry:
    return credit_minutes(workspace, amount, kind=MinuteEntry.Kind.REFUND, memo=memo, reference=reference)


def adjust_minutes(workspace: Workspace, amount: int, *, memo: str, by: User | None = None) -> MinuteEntry:
    """An operator's correction, up or down; a decrease may not go below zero."""
    if amount == 0:
        raise ValueError("An adjustment of zero minutes changes nothing.")
    if amount > 0:
        return credit_minutes(workspace, amount, kind=MinuteEntry.Kind.ADJUSTMENT, memo=memo, by=by)
    return debit_minutes(workspace, -amount, kind=MinuteEntry.Kind.ADJUSTMENT, memo=memo, by=by)


def reset_monthly_minutes(workspace: Workspace, *, now=None) -> MinuteEntry | None:
    """Set the balance to the plan's monthly allowance, as one ledger row.

    Uses compare-and-swap on the balance it read, retrying when a concurrent debit got
    in between, so the delta written to the ledger is exactly the change applied.
    Returns None when the balance already equals the allowance.
    """
    now = now or timezone.now()
    target = workspace.plan.monthly_minutes
    while True:
        with transaction.atomic():
            current = (
                Workspace.objects.filter(pk=workspace.pk).values_list("minutes_balance", flat=True).get()
            )
            swapped = Workspace.objects.filter(pk=workspace.pk, minutes_balance=current).update(
                minutes_balance=target, minutes_reset_at=now
            )
            if not swapped:
                continue
            if current == target:
                return None
            return _write_entry(
                workspace.pk,
                MinuteEntry.Kind.MONTHLY_RESET,
                target - current,
                f"{workspace.plan.name} plan",
                "",
                None,
            )


def reset_due_workspaces(now=None) -> int:
    """Run the monthly reset for every workspace whose last reset is 30+ days old."""
    now = now or timezone.now()
    due = list(Workspace.objects.due_for_reset(now).select_related("plan"))
    for workspace in due:
        reset_monthly_minutes(workspace, now=now)
    return len(due)


def update_workspace_settings(
    workspace: Workspace, *, name: str, default_config: dict, gemini_key: str = "", remove_key: bool = False
) -> None:
    """Save a workspace's settings. ``default_config`` must come from ``validate_config``.

    A non-empty ``gemini_key`` replaces the stored one; ``remove_key`` deletes it; neither
    keeps it as it is.
    """
    fields = {"name": name, "default_config": default_config}
    if gemini_key:
        fields["gemini_key"] = encrypt(gemini_key)
    elif remove_key:
        fields["gemini_key"] = None
    Workspace.objects.filter(pk=workspace.pk).update(**fields)


def create_workspace(
    owner: User, name: str, *, plan: Plan | None = None, personal: bool = False
) -> Workspace:
    """Create a workspace owned by ``owner`` and grant its plan's monthly minutes."""
    plan = plan or Plan.objects.get(is_default=True)
    with transaction.atomic():
        workspace = Workspace.objects.create(
            name=name, slug=Workspace.unique_slug(name), plan=plan, is_personal=personal
        )
        Membership.objects.create(workspace=workspace, user=owner, role=Membership.Role.OWNER)
        reset_monthly_minutes(workspace)
    return workspace


def sign_up(email: str, password: str | None, *, name: str = "", plan: Plan | None = None) -> User:
    """Create a user with a personal workspace."""
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, name=name)
        label = name or email.split("@")[0]
        create_workspace(user, f"{label}'s workspace", plan=plan, personal=True)
    return user


def invite_member(
    workspace: Workspace, by: User, *, role: str = Membership.Role.MEMBER, email: str = ""
) -> Invitation:
    return Invitation.objects.create(workspace=workspace, created_by=by, role=role, email=email.lower())


def accept_invitation(token: str, user: User) -> Membership:
    """Join the invitation's workspace; an existing member keeps the higher role they have."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token=token).first()
        if invitation is None or not invitation.is_pending:
            raise InvitationError("This invitation link is no longer valid. Ask for a new one.")
        if invitation.email and invitation.email != user.email.lower():
            raise InvitationError(f"This invitation is for {invitation.email}. Sign in with that address.")
        membership, _ = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_by = user
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_by", "accepted_at"])
    return membership


def revoke_invitation(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(revoked_at=timezone.now())


def change_role(membership: Membership, role: str) -> Membership:
    """Change a member's role; a workspace always keeps at least one owner."""
    with transaction.atomic():
        if membership.role == Membership.Role.OWNER and role != Membership.Role.OWNER:
            _ensure_another_owner(membership)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def remove_member(membership: Membership) -> None:
    with transaction.atomic():
        if membership.role == Membership.Role.OWNER:
            _ensure_another_owner(membership)
        membership.delete()


def _ensure_another_owner(membership: Membership) -> None:
    owners = Membership.objects.select_for_update().filter(
        workspace=membership.workspace_id, role=Membership.Role.OWNER
    )
    if not owners.exclude(pk=membership.pk).exists():
        raise ValueError("A workspace needs at least one owner. Make someone else owner first.")


@dataclass
class NewApiKey:
    """A freshly created key: ``raw`` is the only time the secret exists in the clear."""

    key: ApiKey
    raw: str


def create_api_key(user: User, workspace: Workspace, name: str) -> NewApiKey:
    raw = ApiKey.generate()
    key = ApiKey.objects.create(
        user=user,
        workspace=workspace,
        name=name or "API key",
        key_hash=ApiKey.hash(raw),
        display_prefix=raw[: len(ApiKey.PREFIX) + 4],
    )
    return NewApiKey(key=key, raw=raw)


def revoke_api_key(key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def touch_api_key(key: ApiKey) -> None:
    """Record use, at most once a minute per key so busy keys don't write on every request."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
