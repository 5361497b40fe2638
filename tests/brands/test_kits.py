"""How a video and a clip choose a brand kit, and what the render job gets from it: the
choice recorded at submit, the fallback when a kit is deleted, the clip's own choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from rest_framework.exceptions import ValidationError

from brands import actions
from brands.models import NO_KIT, BrandKit
from clips.models import Clip
from pipeline.captions import CaptionStyle
from pipeline.watermark import Logo
from tests.brands import image_bytes, upload
from videos.config import render_options, validate_config

NOT_IN_WORKSPACE = "No brand kit with this id in this workspace."


def kit_in(workspace, name: str, **fields) -> BrandKit:
    return BrandKit.objects.create(workspace=workspace, name=name, **fields)


def test_it_records_the_workspaces_default_kit_at_submit(workspace, charlie):
    assert "brandKit" not in validate_config({}, workspace)
    default = kit_in(workspace, "House", is_default=True)
    other = kit_in(workspace, "Loud")
    assert validate_config({}, workspace)["brandKit"] == default.pk
    assert validate_config({"brandKit": other.pk}, workspace)["brandKit"] == other.pk
    assert validate_config({"brandKit": NO_KIT}, workspace)["brandKit"] == NO_KIT
    outsider = kit_in(charlie.memberships.get().workspace, "Charlie's")
    with pytest.raises(ValidationError) as refused:
        validate_config({"brandKit": outsider.pk}, workspace)
    assert refused.value.detail == {"brandKit": [NOT_IN_WORKSPACE]}


def test_it_refuses_another_workspaces_kit_when_a_video_is_submitted(alice_api, charlie):
    outsider = kit_in(charlie.memberships.get().workspace, "Charlie's")
    response = alice_api.post("/api/videos/url", {"url": "https://example.com/talk.mp4",
                                                  "config": {"brandKit": outsider.pk}}, format="json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["fields"] == {"config.brandKit": [NOT_IN_WORKSPACE]}


def test_it_resolves_a_clips_kit_through_its_video_and_the_default(finished_video, charlie):
    workspace = finished_video.workspace
    clip = finished_video.clips.get(rank=1)
    assert actions.kit_for_clip(clip) is None  # no kit chosen and no default
    house, loud = kit_in(workspace, "House", is_default=True), kit_in(workspace, "Loud")
    assert actions.kit_for_clip(clip) == house
    finished_video.config["brandKit"] = loud.pk
    assert actions.kit_for_clip(clip) == loud
    clip.brand_kit = NO_KIT
    assert actions.kit_for_clip(clip) is None
    clip.brand_kit = house.pk
    assert actions.kit_for_clip(clip) == house
    clip.brand_kit = ""
    actions.delete_kit(loud)  # the video's kit is gone: the default takes its place
    assert actions.kit_for_clip(clip) == house
    actions.delete_kit(house)
    assert actions.kit_for_clip(clip) is None
    # A choice never reaches across workspaces: another's kit id resolves to this one's default.
    finished_video.config["brandKit"] = kit_in(charlie.memberships.get().workspace, "Charlie's").pk
    mine = kit_in(workspace, "Mine", is_default=True)
    assert actions.kit_for_clip(clip) == mine


def test_it_gives_the_render_the_kits_style_and_logo(finished_video):
    kit = kit_in(finished_video.workspace, "Acme", is_default=True, font="Liberation Sans", text_color="#FF0000",
                 highlight_color="#00FF00", outline_color="#0000FF", outline_width=0.5, shadow=0.0, size=6.0,
                 position=40.0, logo_corner="bottom-left", logo_size=20.0, logo_opacity=80)  # fmt: skip
    actions.set_logo(kit, upload(image_bytes()))
    clip = finished_video.clips.get(rank=1)
    options = actions.with_brand_kit(render_options(clip), clip)
    assert options.caption_style == CaptionStyle(font="Liberation Sans", colour="FF0000", highlight_colour="00FF00",
                                                 outline_colour="0000FF", outline=0.005, shadow=0.0, size=0.06,
                                                 bottom=0.4)  # fmt: skip
    assert options.logo == Logo(options.logo.path, "bottom-left", 0.2, 0.8)
    assert Path(options.logo.path).read_bytes() == default_storage.open(kit.logo.name).read()
    assert (options.caption_template, options.aspect_ratio) == ("hormozi", "9:16")  # the clip's own settings stay
    # A logo missing from storage is left out; the clip still renders in the kit's colours.
    default_storage.delete(kit.logo.name)
    options = actions.with_brand_kit(render_options(clip), clip)
    assert options.logo is None and options.caption_style.colour == "FF0000"


def test_it_re_renders_a_clip_with_a_kit_of_its_own_workspace_only(alice_api, finished_video, charlie):
    kit = kit_in(finished_video.workspace, "Acme")
    first, second = finished_video.clips.get(rank=1), finished_video.clips.get(rank=2)
    response = alice_api.post(f"/api/clips/{first.pk}/render", {"brandKit": kit.pk}, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["clip"]["brandKit"] == kit.pk
    first.refresh_from_db()
    assert (first.brand_kit, first.status) == (kit.pk, Clip.Status.GENERATING)

    outsider = kit_in(charlie.memberships.get().workspace, "Charlie's")
    response = alice_api.post(f"/api/clips/{second.pk}/render", {"brandKit": outsider.pk}, format="json")
    assert response.status_code == 422
    assert response.json()["fields"] == {"brandKit": [NOT_IN_WORKSPACE]}
    second.refresh_from_db()
    assert (second.brand_kit, second.status) == ("", Clip.Status.COMPLETED)
