"""The brand kit pages under the workspace settings, and the kit pickers of the video form
and the clip editor: POST-redirect-GET, the reasons a form is refused, ownership."""

from __future__ import annotations

from brands.models import BrandKit
from tests.brands import declared_png, image_bytes, upload

FORM = {"name": "Acme", "font": "Roboto", "textColor": "#ff0000", "highlightColor": "#00ff00",
        "outlineColor": "#000000", "outlineWidth": "0.4", "shadow": "0.2", "size": "6", "position": "35",
        "logoCorner": "top-left", "logoSize": "15", "logoOpacity": "90", "isDefault": "on"}  # fmt: skip


def test_it_saves_a_kit_from_the_settings_page_and_redirects(as_alice, workspace):
    page = as_alice.get("/settings/brand-kits/new")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="Roboto Black">Roboto Black</option>' in html and 'id="kit-preview"' in html
    response = as_alice.post("/settings/brand-kits/new", {**FORM, "logo": upload(image_bytes())})
    assert response.status_code == 302 and response["Location"] == "/settings/brand-kits/"
    kit = BrandKit.objects.get(workspace=workspace)
    assert (kit.name, kit.text_color, kit.size, kit.is_default, kit.logo_corner) == ("Acme", "#FF0000", 6.0, True,
                                                                                     "top-left")  # fmt: skip
    assert kit.logo.name.endswith(".png")
    listed = as_alice.get("/settings/brand-kits/").content.decode()
    assert "Saved the brand kit “Acme”." in listed and "--kit-text: #FF0000" in listed and "Default" in listed

    changed = as_alice.post(f"/settings/brand-kits/{kit.pk}", {**FORM, "size": "4", "removeLogo": "on"})
    assert changed.status_code == 302
    kit.refresh_from_db()
    assert kit.size == 4.0 and not kit.logo


def test_it_shows_the_form_again_with_the_reason(as_alice, workspace):
    response = as_alice.post("/settings/brand-kits/new", {**FORM, "textColor": "red"})
    assert response.status_code == 422
    assert "Give a colour as #RRGGBB, such as #FFE81F." in response.content.decode()
    response = as_alice.post("/settings/brand-kits/new", {**FORM, "logo": upload(declared_png(100_000, 100_000))})
    assert response.status_code == 422
    assert "The logo is 100000x100000 pixels; logos can be up to 4096 pixels on each side." in response.content.decode()
    assert not BrandKit.objects.exists()  # a refused logo saves nothing


def test_it_asks_before_deleting_a_kit(as_alice, workspace):
    kit = BrandKit.objects.create(workspace=workspace, name="Acme")
    asked = as_alice.post(f"/settings/brand-kits/{kit.pk}/delete")
    assert asked.status_code == 200 and "Delete the brand kit “Acme”?" in asked.content.decode()
    assert BrandKit.objects.filter(pk=kit.pk).exists()
    done = as_alice.post(f"/settings/brand-kits/{kit.pk}/delete", {"confirm": "yes"})
    assert done.status_code == 302 and not BrandKit.objects.filter(pk=kit.pk).exists()


def test_it_hides_alices_kits_from_charlie(client, charlie, workspace):
    kit = BrandKit.objects.create(workspace=workspace, name="Acme")
    client.force_login(charlie)
    assert client.get(f"/settings/brand-kits/{kit.pk}").status_code == 404
    assert client.post(f"/settings/brand-kits/{kit.pk}", FORM).status_code == 404
    assert client.post(f"/settings/brand-kits/{kit.pk}/default").status_code == 404
    assert client.post(f"/settings/brand-kits/{kit.pk}/delete", {"confirm": "yes"}).status_code == 404
    assert "Acme" not in client.get("/settings/brand-kits/").content.decode()
    kit.refresh_from_db()
    assert (kit.name, kit.is_default) == ("Acme", False)


def test_it_offers_the_kits_on_the_video_form_and_in_the_clip_editor(as_alice, finished_video, charlie):
    kit = BrandKit.objects.create(workspace=finished_video.workspace, name="Acme", is_default=True)
    form = as_alice.get("/videos/new").content.decode()
    assert '<option value="" selected>Workspace default: Acme</option>' in form
    assert f'<option value="{kit.pk}">Acme</option>' in form and '<option value="none">No brand kit</option>' in form
    clip = finished_video.clips.get(rank=1)
    editor = as_alice.get(f"/clips/{clip.pk}/edit").content.decode()
    assert '<option value="" selected>As the video: Acme</option>' in editor

    outsider = BrandKit.objects.create(workspace=charlie.memberships.get().workspace, name="Charlie's")
    refused = as_alice.post("/videos/new", {"url": "https://example.com/talk.mp4", "aspectRatio": "9:16",
                                            "captionTemplate": "hormozi", "genre": "Auto", "clipModel": "ClipBasic",
                                            "brandKit": outsider.pk})  # fmt: skip
    assert refused.status_code == 422
    assert "No brand kit with this id in this workspace." in refused.content.decode()
