"""State changes for accounts: sign-up, workspaces, memberships, minutes, usage and API keys.

Minutes follow one rule: the balance changes only by a conditional UPDATE inside a
transaction that also writes the ledger row, so the ledger's sum is the balance and
concurrent debits can never take it below zero. Discovery and enrichment usage follow
the same rule, so concurrent charges can never take it above the plan's quota.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.models import (
    ApiKey,
    Invitation,
    Membership,
    MinuteEntry,
    Plan,
    UsageEntry,
    User,
    Workspace,
)
from clipsite.crypto import encrypt


class InsufficientMinutes(Exception):
    """The workspace has fewer minutes than the operation needs; nothing was charged."""

    def __init__(self, needed: int, available: int):
        super().__init__(f"This needs {needed} minutes but the workspace has {available}.")
        self.needed = needed
        self.available = available


class QuotaExceeded(Exception):
    """The plan's monthly quota of ``kind`` cannot cover the charge; nothing was charged."""

    code = "quota_exceeded"

    def __init__(self, kind: str, quota: int, used: int):
        label = {UsageEntry.Kind.DISCOVERY: "discovery calls", UsageEntry.Kind.ENRICHMENT: "enrichments"}
        super().__init__(
            f"This workspace has used {used} of its {quota} {label[kind]} this month; "
            "the quota resets with the monthly period, or a larger plan raises it."
        )
        self.kind = kind
        self.quota = quota
        self.used = used


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
    """Start a new period: the balance becomes the plan's monthly allowance and the
    discovery and enrichment counters become zero, each change as one ledger row.

    Uses compare-and-swap on the balance and counters it read, retrying when a concurrent
    debit or charge got in between, so the deltas written to the ledgers are exactly the
    changes applied. Returns the minutes row, or None when the balance already equalled
    the allowance.
    """
    now = now or timezone.now()
    target = workspace.plan.monthly_minutes
    while True:
        with transaction.atomic():
            current, discovery, enrichment = (
                Workspace.objects.filter(pk=workspace.pk)
                .values_list("minutes_balance", "discovery_used", "enrichment_used")
                .get()
            )
            swapped = Workspace.objects.filter(
                pk=workspace.pk, minutes_balance=current, discovery_used=discovery, enrichment_used=enrichment
            ).update(minutes_balance=target, discovery_used=0, enrichment_used=0, minutes_reset_at=now)
            if not swapped:
                continue
            for kind, used in ((UsageEntry.Kind.DISCOVERY, discovery), (UsageEntry.Kind.ENRICHMENT, enrichment)):
                if used:
                    UsageEntry.objects.create(
                        workspace_id=workspace.pk,
                        kind=kind,
                        reason=UsageEntry.Reason.MONTHLY_RESET,
                        amount=-used,
                        used_after=0,
                        memo=f"{workspace.plan.name} plan",
                    )
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


def _usage_row(workspace_id: str, kind: str, reason: str, amount: int, reference: str, memo: str) -> UsageEntry:
    used = Workspace.objects.filter(pk=workspace_id).values_list(f"{kind}_used", flat=True).get()
    return UsageEntry.objects.create(
        workspace_id=workspace_id,
        kind=kind,
        reason=reason,
        amount=amount,
        used_after=used,
        reference=reference,
        memo=memo[:200],
    )


def charge_usage(workspace: Workspace, kind: str, amount: int = 1, *, reference: str, memo: str = "") -> UsageEntry:
    """Charge ``amount`` (> 0) of ``kind`` (discovery or enrichment) against the plan's
    monthly quota and write the ledger row, or raise QuotaExceeded and change nothing.

    A plan without a quota for ``kind`` is unlimited: the charge is still counted.
    """
    kind = UsageEntry.Kind(kind)
    if amount <= 0:
        raise ValueError("charge_usage takes a positive amount")
    counter = f"{kind}_used"
    with transaction.atomic():
        # The quota is read first and compared as a literal: a condition on the counter
        # column alone keeps the UPDATE atomic under concurrent charges on any database.
        quota = Workspace.objects.filter(pk=workspace.pk).values_list(f"plan__{kind}_per_month", flat=True).get()
        charged = Workspace.objects.filter(pk=workspace.pk)
        if quota is not None:
            charged = charged.filter(**{f"{counter}__lte": quota - amount})
        if not charged.update(**{counter: F(counter) + amount}):
            used = Workspace.objects.filter(pk=workspace.pk).values_list(counter, flat=True).get()
            raise QuotaExceeded(kind, quota, used)
        return _usage_row(workspace.pk, kind, UsageEntry.Reason.CHARGE, amount, reference, memo)


def refund_usage(
    workspace: Workspace, kind: str, amount: int = 1, *, reference: str, memo: str = ""
) -> UsageEntry | None:
    """Give back usage charged under ``reference`` for work that failed on Clipsite's side.

    At most once per reference and kind: a second refund returns None and changes
    nothing. The refund is capped at what ``reference`` was charged since the last monthly
    reset (None when that is nothing), so the counter never goes below zero and a refund
    never takes from a new period's usage.
    """
    kind = UsageEntry.Kind(kind)
    if amount <= 0:
        raise ValueError("refund_usage takes a positive amount")
    if not reference:
        raise ValueError("refund_usage needs the reference the charge was made under")
    counter = f"{kind}_used"
    entries = UsageEntry.objects.filter(workspace_id=workspace.pk, kind=kind)
    try:
        with transaction.atomic():
            if entries.filter(reason=UsageEntry.Reason.REFUND, reference=reference).exists():
                return None
            resets = entries.filter(reason=UsageEntry.Reason.MONTHLY_RESET).order_by("-id")
            last_reset = resets.values_list("id", flat=True).first() or 0
            charges = entries.filter(reason=UsageEntry.Reason.CHARGE, reference=reference, id__gt=last_reset)
            amount = min(amount, charges.aggregate(total=Sum("amount"))["total"] or 0)
            if amount <= 0:
                return None
            refunded = Workspace.objects.filter(pk=workspace.pk, **{f"{counter}__gte": amount}).update(
                **{counter: F(counter) - amount}
            )
            if not refunded:
                return None
            return _usage_row(workspace.pk, kind, UsageEntry.Reason.REFUND, -amount, reference, memo)
    except IntegrityError:
        # A concurrent refund of the same reference wrote its row first; this one rolled back.
        return None


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
