from accounts.models import MinuteEntry


def test_it_grants_minutes_from_the_admin_through_the_ledger(client, alice, workspace):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    response = client.post(
        "/admin/accounts/minuteentry/add/",
        {"workspace": workspace.pk, "kind": "grant", "amount": "120", "memo": "Launch promo"},
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.minutes_balance == 180
    entry = workspace.minute_entries.get(kind=MinuteEntry.Kind.GRANT)
    assert (entry.amount, entry.balance_after, entry.created_by) == (120, 180, alice)


def test_it_refuses_an_admin_adjustment_below_zero(client, alice, workspace):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    response = client.post(
        "/admin/accounts/minuteentry/add/",
        {"workspace": workspace.pk, "kind": "adjustment", "amount": "-100", "memo": "oops"},
    )
    assert response.status_code == 200 and b"only 60 minutes" in response.content
    workspace.refresh_from_db()
    assert workspace.minutes_balance == 60


def test_it_shows_key_hashes_read_only(client, alice, workspace):
    from accounts import actions

    alice.is_staff = alice.is_superuser = True
    alice.save()
    key = actions.create_api_key(alice, workspace, "k").key
    client.force_login(alice)
    page = client.get(f"/admin/accounts/apikey/{key.pk}/change/").content.decode()
    assert key.key_hash in page and 'name="key_hash"' not in page
