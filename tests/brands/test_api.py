"""The brand kit API under /api/brand-kits: shapes, defaults, errors, ownership, and logo
uploads treated as hostile (exact messages, nothing stored, no server path shown)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from brands.models import BrandKit
from tests.brands import declared_png, image_bytes

KIT = {"name": "Acme", "font": "Liberation Sans", "textColor": "#ff0000", "highlightColor": "00FF00",
       "outlineColor": "#000000", "outlineWidth": 0.5, "shadow": 0, "size": 6, "position": 40,
       "logoCorner": "bottom-left", "logoSize": 20, "logoOpacity": 80}  # fmt: skip


@pytest.fixture
def kit_of():
    def make(workspace, name: str = "Brand", **fields) -> BrandKit:
        return BrandKit.objects.create(workspace=workspace, name=name, **fields)

    return make


def put_logo(client, kit_id: str, data: bytes, name: str = "logo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.put(f"/api/brand-kits/{kit_id}/logo", {"file": SimpleUploadedFile(name, data)}, format="multipart")


def test_it_creates_reads_changes_and_deletes_a_kit(alice_api, workspace):
    created = alice_api.post("/api/brand-kits", KIT, format="json")
    assert created.status_code == 201, created.json()
    kit = created.json()["brandKit"]
    assert kit | {"id": "", "createdAt": "", "updatedAt": ""} == {
        "id": "", "workspaceId": workspace.pk, "name": "Acme", "isDefault": False, "font": "Liberation Sans",
        "textColor": "#FF0000", "highlightColor": "#00FF00", "outlineColor": "#000000", "outlineWidth": 0.5,
        "shadow": 0.0, "size": 6.0, "position": 40.0, "logoUrl": None, "logoCorner": "bottom-left", "logoSize": 20.0,
        "logoOpacity": 80, "createdAt": "", "updatedAt": "",
    }  # fmt: skip
    assert kit["id"].startswith("kit_")
    listed = alice_api.get("/api/brand-kits").json()
    assert [k["name"] for k in listed["brandKits"]] == ["Acme"] and listed["count"] == 1

    changed = alice_api.patch(f"/api/brand-kits/{kit['id']}", {"textColor": "#00ff00", "isDefault": True},
                              format="json")  # fmt: skip
    assert changed.status_code == 200
    assert (changed.json()["brandKit"]["textColor"], changed.json()["brandKit"]["isDefault"]) == ("#00FF00", True)
    assert changed.json()["brandKit"]["font"] == "Liberation Sans"  # the rest is kept

    assert alice_api.delete(f"/api/brand-kits/{kit['id']}").status_code == 204
    assert alice_api.get(f"/api/brand-kits/{kit['id']}").status_code == 404


def test_it_keeps_one_default_kit_per_workspace(alice_api):
    first = alice_api.post("/api/brand-kits", {"name": "One", "isDefault": True}, format="json").json()["brandKit"]
    second = alice_api.post("/api/brand-kits", {"name": "Two", "isDefault": True}, format="json").json()["brandKit"]
    defaults = {k["name"]: k["isDefault"] for k in alice_api.get("/api/brand-kits").json()["brandKits"]}
    assert defaults == {"One": False, "Two": True}
    assert alice_api.patch(f"/api/brand-kits/{first['id']}", {"isDefault": True}, format="json").status_code == 200
    assert BrandKit.objects.get(is_default=True).pk == first["id"] != second["id"]


# (body, field, message): one test, so the personas are signed up once.
REFUSED_SETTINGS = [
        ({"name": "A", "textColor": "red"}, "textColor", "Give a colour as #RRGGBB, such as #FFE81F."),
        ({"name": "A", "size": 20}, "size", "Ensure this value is less than or equal to 9."),
        ({"name": "A", "position": 5}, "position", "Ensure this value is greater than or equal to 20."),
        ({"name": "A", "logoCorner": "middle"}, "logoCorner",
         "'middle' is not a valid choice. Choose one of: top-left, top-right, bottom-left, bottom-right."),
        ({"name": "A", "colour": "#FFFFFF"}, "colour", "Unknown field 'colour'. Known fields: name, isDefault, font, "
         "textColor, highlightColor, outlineColor, outlineWidth, shadow, size, position, logoCorner, logoSize, "
         "logoOpacity, workspaceId."),
        ({"textColor": "#FFFFFF"}, "name", "This field is required."),
]  # fmt: skip


def test_it_refuses_a_setting_naming_the_field(alice_api):
    for body, field, message in REFUSED_SETTINGS:
        response = alice_api.post("/api/brand-kits", body, format="json")
        assert response.status_code == 422
        assert response.json()["fields"] == {field: [message]}
    assert not BrandKit.objects.exists()


def test_it_offers_the_installed_fonts_and_refuses_others(alice_api):
    fonts = alice_api.get("/api/brand-kits/fonts").json()["fonts"]
    assert {"Roboto", "Roboto Black", "DejaVu Sans", "Liberation Serif", "Noto Sans"} <= set(fonts)
    response = alice_api.post("/api/brand-kits", {"name": "A", "font": "Comic Sans MS"}, format="json")
    message = f"That font is not installed here. Choose one of: {', '.join(fonts)}."
    assert response.json()["fields"] == {"font": [message]}


def test_it_refuses_a_second_kit_with_the_same_name(alice_api, workspace, kit_of):
    kit_of(workspace, "Acme")
    response = alice_api.post("/api/brand-kits", {"name": " Acme "}, format="json")
    assert response.status_code == 422
    assert response.json()["fields"] == {"name": ["A brand kit called “Acme” already exists in this workspace."]}


def test_it_shows_alices_kits_to_her_members_and_to_nobody_else(api_client, key_for, alice, bob, charlie,
                                                                 workspace, kit_of, clean_redis):  # fmt: skip
    kit = kit_of(workspace, "Acme")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(bob, workspace)}")
    assert api_client.get(f"/api/brand-kits/{kit.pk}").json()["brandKit"]["name"] == "Acme"
    assert api_client.patch(f"/api/brand-kits/{kit.pk}", {"size": 7}, format="json").status_code == 200

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    assert api_client.get("/api/brand-kits").json()["brandKits"] == []
    for response in (
        api_client.get(f"/api/brand-kits/{kit.pk}"),
        api_client.patch(f"/api/brand-kits/{kit.pk}", {"size": 3}, format="json"),
        api_client.delete(f"/api/brand-kits/{kit.pk}"),
        put_logo(api_client, kit.pk, image_bytes()),
        api_client.delete(f"/api/brand-kits/{kit.pk}/logo"),
        api_client.get(f"/api/brand-kits?workspaceId={workspace.pk}"),
        api_client.post("/api/brand-kits", {"name": "Mine", "workspaceId": workspace.pk}, format="json"),
    ):
        assert response.status_code == 404, response.content
        assert response.json() == {"error": "not_found", "detail": "Not found."}
    kit.refresh_from_db()
    assert kit.size == 7 and not kit.logo
    assert BrandKit.objects.count() == 1


def test_it_stores_a_logo_re_encoded_as_png(alice_api, workspace, kit_of, django_capture_on_commit_callbacks):
    kit = kit_of(workspace)
    for suffix, name in (("jpg", "photo.jpeg"), ("webp", "mark.webp"), ("png", "logo.png")):
        raw = image_bytes(suffix, "2000x500")
        with django_capture_on_commit_callbacks(execute=True):  # the replaced logo is removed
            response = put_logo(alice_api, kit.pk, raw, name)
        assert response.status_code == 200, response.json()
        kit.refresh_from_db()
        stored = default_storage.open(kit.logo.name).read()
        assert stored.startswith(b"\x89PNG\r\n\x1a\n") and stored != raw
        assert kit.logo.name.startswith(f"brands/{workspace.pk}/{kit.pk}-") and kit.logo.name.endswith(".png")
        # Fitted into 1024 pixels: IHDR's width and height.
        assert (int.from_bytes(stored[16:20], "big"), int.from_bytes(stored[20:24], "big")) == (1024, 256)
    assert len(default_storage.listdir(f"brands/{workspace.pk}")[1]) == 1
    served = alice_api.get(response.json()["brandKit"]["logoUrl"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == stored

    with django_capture_on_commit_callbacks(execute=True):
        assert alice_api.delete(f"/api/brand-kits/{kit.pk}/logo").json()["brandKit"]["logoUrl"] is None
    assert not default_storage.exists(kit.logo.name)


# (name, bytes, message) of uploads that cannot be logos.
HOSTILE_LOGOS = [
        ("logo.png", lambda: b"just some text, named like an image\n" * 10,
         "The logo must be a PNG, JPEG or WebP image; this file is not one."),
        ("logo.png", lambda: declared_png(100_000, 100_000),
         "The logo is 100000x100000 pixels; logos can be up to 4096 pixels on each side."),
        ("logo.png", lambda: declared_png(8, 8), "The logo is 8x8 pixels; it needs at least 16 pixels on each side."),
        ("logo.png", lambda: declared_png(64, 64, b"\x07" * 3),
         "The logo image could not be read: it may be damaged or cut short. Save it again as PNG, JPEG or WebP."),
        ("logo.gif", lambda: b"GIF89a" + b"\x00" * 64,
         "The logo must be a PNG, JPEG or WebP image; this file is not one."),
        ("logo.jpg", lambda: image_bytes("jpg")[:200],
         "The logo image could not be read: it may be damaged or cut short. Save it again as PNG, JPEG or WebP."),
]  # fmt: skip


def test_it_refuses_a_hostile_logo_with_a_plain_message(alice_api, workspace, kit_of):
    kit = kit_of(workspace)
    for name, data, message in HOSTILE_LOGOS:
        response = put_logo(alice_api, kit.pk, data(), name)
        assert response.status_code == 422, name
        assert response.json()["fields"] == {"file": [message]}
        for folder in (settings.BASE_DIR, settings.VAR_DIR, "/tmp"):
            assert str(folder) not in response.content.decode()
    kit.refresh_from_db()
    assert not kit.logo and not default_storage.exists(f"brands/{workspace.pk}")


def test_it_refuses_a_logo_over_5_mb_before_reading_it(alice_api, workspace, kit_of):
    kit = kit_of(workspace)
    response = put_logo(alice_api, kit.pk, b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024 + 100 * 1024))
    assert response.status_code == 413
    assert response.json() == {"error": "payload_too_large", "detail": "Logos can be up to 5 MB."}
