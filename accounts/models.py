"""Users, workspaces, plans, the minutes and usage ledgers and API keys.

Minutes are a money-like counter: ``Workspace.minutes_balance`` changes only through
:mod:`accounts.actions`, with conditional UPDATEs, and every change writes a
:class:`MinuteEntry` in the same transaction, so the ledger's sum is always the balance.
Discovery and enrichment usage (``discovery_used``, ``enrichment_used``) follow the same
rule with :class:`UsageEntry`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from clipsite.ids import new_id


def new_workspace_id() -> str:
    return new_id("ws")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address and a password."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.email

    def get_short_name(self) -> str:
        return self.name or self.email.split("@")[0]


class Plan(models.Model):
    """What a workspace may do. Limits of ``None`` mean unlimited (Enterprise: custom)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=64)
    sort_order = models.PositiveSmallIntegerField(default=0)
    monthly_minutes = models.PositiveIntegerField(help_text="Processing minutes granted each month.")
    max_video_minutes = models.PositiveIntegerField(help_text="Longest video accepted, in minutes.")
    max_upload_mb = models.PositiveIntegerField(help_text="Largest upload accepted, in MB.")
    concurrent_jobs = models.PositiveSmallIntegerField(
        help_text="Videos processed at once; more wait queued."
    )
    api_requests_per_minute = models.PositiveIntegerField()
    tracked_items = models.PositiveIntegerField(null=True, blank=True)
    discovery_per_month = models.PositiveIntegerField(null=True, blank=True)
    enrichment_per_month = models.PositiveIntegerField(null=True, blank=True)
    platforms = models.JSONField(default=list, help_text='Platform names, or ["*"] for all.')
    history_days = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    is_default = models.BooleanField(default=False, help_text="Given to new personal workspaces.")

    class Meta:
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name

    def allows_platform(self, platform: str) -> bool:
        return "*" in self.platforms or platform in self.platforms

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


# How often a workspace's balance is reset to its plan's monthly minutes.
RESET_PERIOD = timedelta(days=30)


class WorkspaceQuerySet(models.QuerySet):
    def for_user(self, user) -> WorkspaceQuerySet:
        """The workspaces ``user`` is a member of, in any role."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user)

    def due_for_reset(self, now=None) -> WorkspaceQuerySet:
        """Workspaces whose minutes were last reset 30 or more days ago, or never."""
        now = now or timezone.now()
        return self.filter(models.Q(minutes_reset_at__isnull=True) | models.Q(minutes_reset_at__lte=now - RESET_PERIOD))


class Workspace(models.Model):
    """A team (or one person's) space that owns videos, keys and a minutes balance."""

    id = models.CharField(primary_key=True, max_length=32, default=new_workspace_id, editable=False)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="workspaces")
    minutes_balance = models.PositiveIntegerField(
        default=0, editable=False, help_text="Changed only through the ledger (accounts.actions)."
    )
    is_personal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    minutes_reset_at = models.DateTimeField(null=True, blank=True, help_text="Last monthly reset.")
    discovery_used = models.PositiveIntegerField(
        default=0, editable=False, help_text="Discovery calls this period; changed only through the ledger."
    )
    enrichment_used = models.PositiveIntegerField(
        default=0, editable=False, help_text="Enrichments this period; changed only through the ledger."
    )
    gemini_key = models.BinaryField(null=True, blank=True, editable=False, help_text="Encrypted at rest.")
    default_config = models.JSONField(
        default=dict, blank=True, help_text="Default clip options for new videos."
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def gemini_api_key(self) -> str:
        """The workspace's stored Gemini key, decrypted; "" when none is stored."""
        from clipsite.crypto import decrypt

        return decrypt(self.gemini_key)

    def minutes_used_per_day(self, days: int = 30, today=None) -> list[tuple]:
        """``(date, minutes used)`` for each of the last ``days`` days, oldest first.

        Used means debited for processing minus what was refunded, by day of the entry.
        """
        from django.db.models import Sum
        from django.db.models.functions import TruncDate

        today = today or timezone.localdate()
        first = today - timedelta(days=days - 1)
        rows = (
            self.minute_entries.filter(kind__in=[MinuteEntry.Kind.DEBIT, MinuteEntry.Kind.REFUND],
                                       created_at__date__gte=first)
            .annotate(day=TruncDate("created_at")).values("day").annotate(net=Sum("amount")).order_by()
        )  # fmt: skip
        used = {row["day"]: max(0, -row["net"]) for row in rows}
        return [(first + timedelta(days=i), used.get(first + timedelta(days=i), 0)) for i in range(days)]

    def has_minutes(self, minutes: int) -> bool:
        return self.minutes_balance >= minutes

    def usage_quota(self, kind: str) -> int | None:
        """The plan's monthly allowance of ``kind`` (a :class:`UsageEntry.Kind`); None: unlimited."""
        return getattr(self.plan, f"{UsageEntry.Kind(kind)}_per_month")

    def usage_used(self, kind: str) -> int:
        """How much of ``kind`` was charged this period, net of refunds."""
        return getattr(self, f"{UsageEntry.Kind(kind)}_used")

    def usage_remaining(self, kind: str) -> int | None:
        """What is left of ``kind`` this period; None when the plan is unlimited."""
        quota = self.usage_quota(kind)
        return None if quota is None else max(0, quota - self.usage_used(kind))

    @property
    def discovery_remaining(self) -> int | None:
        return self.usage_remaining(UsageEntry.Kind.DISCOVERY)

    @property
    def enrichment_remaining(self) -> int | None:
        return self.usage_remaining(UsageEntry.Kind.ENRICHMENT)

    def role_of(self, user) -> str | None:
        membership = self.memberships.filter(user=user).only("role").first()
        return membership.role if membership else None

    def can_manage(self, user) -> bool:
        """Owners and admins manage members, API keys and webhooks."""
        return self.role_of(user) in (Membership.Role.OWNER, Membership.Role.ADMIN)


    @staticmethod
    def unique_slug(name: str) -> str:
        base = slugify(name)[:48] or "workspace"
        slug = base
        while Workspace.objects.filter(slug=slug).exists():
            slug = f"{base}-{secrets.token_hex(3)}"
        return slug


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A link that lets whoever holds it join a workspace with a role.

    Transitions: pending -> accepted (once) or pending -> revoked; an unaccepted
    invitation past ``expires_at`` is expired and can no longer be accepted.
    """

    TTL = timedelta(days=7)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    email = models.EmailField(blank=True, help_text="Optional: only this address may accept.")
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.workspace} ({self.role})"

    def save(self, *args, **kwargs):
        if self.expires_at is None:
            self.expires_at = timezone.now() + self.TTL
        super().save(*args, **kwargs)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class MinuteEntry(models.Model):
    """One movement of a workspace's minutes. The entries' sum is the balance."""

    class Kind(models.TextChoices):
        GRANT = "grant", "Grant"
        MONTHLY_RESET = "monthly_reset", "Monthly reset"
        DEBIT = "debit", "Debit"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Admin adjustment"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="minute_entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.IntegerField(help_text="Positive adds minutes, negative takes them.")
    balance_after = models.PositiveIntegerField()
    memo = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=64, blank=True, db_index=True, help_text="e.g. video:vid_...")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "minute entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+d} ({self.workspace})"


class UsageEntry(models.Model):
    """One movement of a workspace's discovery or enrichment usage.

    Per workspace and kind, the entries' sum is the counter (``<kind>_used``). A reference
    is refunded at most once: the database refuses a second refund row for it.
    """

    class Kind(models.TextChoices):
        DISCOVERY = "discovery", "Discovery"
        ENRICHMENT = "enrichment", "Enrichment"

    class Reason(models.TextChoices):
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"
        MONTHLY_RESET = "monthly_reset", "Monthly reset"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="usage_entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    amount = models.IntegerField(help_text="Positive is a charge; negative a refund or the monthly reset.")
    used_after = models.PositiveIntegerField()
    reference = models.CharField(max_length=64, blank=True, db_index=True, help_text="e.g. job:job_...")
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "usage entries"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "reference"],
                condition=models.Q(reason="refund"),
                name="one_usage_refund_per_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_reason_display()} {self.amount:+d} ({self.workspace})"


class ApiKeyQuerySet(models.QuerySet):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)

    def for_key(self, raw: str) -> ApiKey | None:
        """The active key whose hash matches ``raw``, or None."""
        if not raw or not raw.startswith(ApiKey.PREFIX):
            return None
        return (
            self.active()
            .select_related("user", "workspace", "workspace__plan")
            .filter(key_hash=ApiKey.hash(raw), user__is_active=True)
            .first()
        )


class ApiKey(models.Model):
    """A secret that acts for its user, defaulting to the workspace it was made in.

    Only a SHA-256 hash and a short display prefix are stored; the raw key is shown
    once. Revocation sets ``revoked_at`` and takes effect on the next request.
    """

    PREFIX = "cs_live_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    display_prefix = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix}…)"

    @classmethod
    def generate(cls) -> str:
        # 32 bytes of randomness -> 43 url-safe characters after the prefix.
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
