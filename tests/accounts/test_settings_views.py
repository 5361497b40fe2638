"""The workspace settings page: name, default clip options and an encrypted Gemini key."""

from __future__ import annotations

from accounts.models import Workspace

KEY = "AIzaSy-very-secret-gemini-key"


def settings_form(**data) -> dict:
    return {"name": "Alice Studio", "aspectRatio": "9:16", "captionTemplate": "hormozi", "genre": "Auto",
            "clipModel": "ClipBasic", "enableCaptions": "on", "enableAutoHook": "on", **data}  # fmt: skip


def test_it_saves_the_name_and_validated_default_options(as_alice, workspace):
    response = as_alice.post("/settings", settings_form(numberOfClips="3", aspectRatio="4:5", genre="Podcast",
                                                        clipDurationMin="15", clipDurationMax="45"))
    assert response.status_code == 302 and response.url == "/settings"
    workspace.refresh_from_db()
    config = workspace.default_config
    assert workspace.name == "Alice Studio"
    # Stored as validate_config returns it, ready to be a video's config.
    assert (config["numberOfClips"], config["aspectRatio"], config["genre"]) == (3, "4:5", "Podcast")
    assert (config["clipDurationMin"], config["clipDurationMax"]) == (15, 45) and config["clipType"] == "viral-clips"
    # A new video starts from them.
    page = as_alice.get("/videos/new").content.decode()
    assert 'name="numberOfClips" value="3"' in page and 'name="clipDurationMax" value="45.0"' in page


def test_it_stores_the_gemini_key_encrypted_and_never_shows_it(as_alice, workspace):
    as_alice.post("/settings", settings_form(geminiKey=KEY))
    workspace.refresh_from_db()
    assert workspace.gemini_api_key() == KEY and KEY.encode() not in bytes(workspace.gemini_key)
    page = as_alice.get("/settings").content.decode()
    assert "A key is stored" in page and KEY not in page and "Remove the stored key" in page

    # Saving without a new key keeps the stored one; "remove" deletes it.
    as_alice.post("/settings", settings_form())
    workspace.refresh_from_db()
    assert workspace.gemini_api_key() == KEY
    as_alice.post("/settings", settings_form(removeGeminiKey="on"))
    workspace.refresh_from_db()
    assert workspace.gemini_key is None
    assert "No key stored" in as_alice.get("/settings").content.decode()


def test_it_shows_option_errors_and_saves_nothing(as_alice, workspace):
    response = as_alice.post("/settings", settings_form(clipDurationMin="40", clipDurationMax="20", geminiKey=KEY))
    assert response.status_code == 422
    field = response.content.decode().split('id="id_clipDurationMax"')[1].split("</div>")[0]
    assert "must be at least 5 s longer" in field
    workspace.refresh_from_db()
    assert workspace.name != "Alice Studio" and workspace.default_config == {} and workspace.gemini_key is None


def test_it_shows_members_the_settings_read_only(client, bob, workspace):
    client.force_login(bob)
    page = client.get("/settings").content.decode()
    assert "Only owners and admins can change these settings" in page
    assert 'name="name" value="' in page and " disabled" in page.split('name="name"')[1].split(">")[0]
    assert "Save settings" not in page
    assert client.post("/settings", settings_form(name="Bob's now")).status_code == 403
    assert Workspace.objects.get(pk=workspace.pk).name != "Bob's now"


def test_it_links_settings_from_the_navigation(as_alice):
    page = as_alice.get("/settings").content.decode()
    assert '<a href="/settings" aria-current="page">Settings</a>' in page


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/settings")
    assert response.status_code == 302 and response.url.startswith("/login")
