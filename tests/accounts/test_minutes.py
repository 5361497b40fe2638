import pytest
from django.db.models import Sum

from accounts import actions
from accounts.models import MinuteEntry, Plan, Workspace
from tests.races import race


def ledger_sum(workspace) -> int:
    return MinuteEntry.objects.filter(workspace=workspace).aggregate(total=Sum("amount"))["total"] or 0


def test_it_grants_the_plan_allowance_to_a_new_workspace(workspace):
    assert workspace.plan.slug == "free"
    assert workspace.minutes_balance == 60
    entry = workspace.minute_entries.get()
    assert (entry.kind, entry.amount, entry.balance_after) == (MinuteEntry.Kind.MONTHLY_RESET, 60, 60)


def test_it_debits_and_refunds_with_a_ledger_row_each(workspace):
    actions.debit_minutes(workspace, 25, memo="video", reference="video:vid_1")
    actions.refund_minutes(workspace, 5, reference="video:vid_1")
    workspace.refresh_from_db()
    assert workspace.minutes_balance == 40
    assert ledger_sum(workspace) == 40
    debit = workspace.minute_entries.get(kind=MinuteEntry.Kind.DEBIT)
    assert (debit.amount, debit.balance_after, debit.reference) == (-25, 35, "video:vid_1")


def test_it_refuses_a_debit_larger_than_the_balance_and_changes_nothing(workspace):
    with pytest.raises(actions.InsufficientMinutes) as exc:
        actions.debit_minutes(workspace, 61)
    assert exc.value.needed == 61 and exc.value.available == 60
    assert "needs 61 minutes" in str(exc.value)
    workspace.refresh_from_db()
    assert workspace.minutes_balance == 60
    assert workspace.minute_entries.count() == 1


def test_it_rejects_non_positive_amounts(workspace):
    with pytest.raises(ValueError):
        actions.debit_minutes(workspace, 0)
    with pytest.raises(ValueError):
        actions.credit_minutes(workspace, -3)
    with pytest.raises(ValueError):
        actions.adjust_minutes(workspace, 0, memo="nothing")


def test_it_adjusts_down_but_never_below_zero(workspace, alice):
    actions.adjust_minutes(workspace, -10, memo="correction", by=alice)
    with pytest.raises(actions.InsufficientMinutes):
        actions.adjust_minutes(workspace, -51, memo="too much", by=alice)
    workspace.refresh_from_db()
    assert workspace.minutes_balance == 50
    entry = workspace.minute_entries.get(kind=MinuteEntry.Kind.ADJUSTMENT)
    assert entry.created_by == alice and entry.amount == -10


def test_it_resets_monthly_minutes_to_the_plan_allowance(workspace):
    actions.debit_minutes(workspace, 45)
    workspace.plan = Plan.objects.get(slug="starter")
    workspace.save(update_fields=["plan"])
    entry = actions.reset_monthly_minutes(workspace)
    workspace.refresh_from_db()
    assert workspace.minutes_balance == 300
    assert entry.amount == 300 - 15 and entry.kind == MinuteEntry.Kind.MONTHLY_RESET
    assert ledger_sum(workspace) == 300


def test_it_resets_only_workspaces_that_are_due(workspace, charlie):
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.now() + timedelta(days=31)
    actions.debit_minutes(workspace, 30)
    assert actions.reset_due_workspaces(now=timezone.now()) == 0
    assert actions.reset_due_workspaces(now=later) == 2
    workspace.refresh_from_db()
    assert workspace.minutes_balance == 60 and ledger_sum(workspace) == 60


@pytest.mark.django_db(transaction=True)
def test_it_never_goes_below_zero_under_concurrent_debits(make_user):
    user = make_user("race@example.com")
    workspace = Workspace.objects.get(memberships__user=user)
    assert workspace.minutes_balance == 60
    def spend(n: int) -> list[str]:
        outcomes = []
        for _ in range(5):
            try:
                actions.debit_minutes(workspace, 3)
                outcomes.append("ok")
            except actions.InsufficientMinutes:
                outcomes.append("refused")
        return outcomes

    results = [outcome for outcomes in race(8, spend) for outcome in outcomes]

    workspace.refresh_from_db()
    # 8 threads x 5 attempts x 3 minutes = 120 asked for, 60 available: exactly 20 succeed.
    assert results.count("ok") == 20
    assert results.count("refused") == 20
    assert workspace.minutes_balance == 0
    assert ledger_sum(workspace) == 0
    balances = list(workspace.minute_entries.filter(kind="debit").values_list("balance_after", flat=True))
    assert sorted(balances) == list(range(0, 60, 3))
