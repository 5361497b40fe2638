"""A clip's words through the dashboard, the API and the render job: caption corrections
that change the video's transcript, a clip's emphasis and emoji, the text the user
writes, and words that follow the cut."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from clips import jobs
from clips import words as wording
from clips.actions import rerender
from clips.models import Clip
from pipeline.render import RenderResult
from pipeline.sentences import build_sentences
from pipeline.types import MediaInfo, Transcript, Word
from tests.videos.test_views import completed_video, make_clip

LINES = [
    "Most founders never talk about the money they lose every month.",
    "We hired 3 ,800 people in one year and nearly went broke.",
    "Then we learned to say no to every meeting without an agenda.",
    "Saying no saved our engineers four hours a day.",
    "Here is the one habit I would teach every new manager.",
    "Write the decision down before the meeting even starts.",
]


def talk_transcript() -> dict:
    """Six sentences over 30 s, as stored on a video; "3,800" in Whisper's two pieces."""
    words, t = [], 0.5
    for line in LINES:
        for text in line.split():
            words.append(Word(text, round(t, 3), round(t + 0.35, 3), 0.9))
            t += 0.4
        t += 0.6
    return Transcript("en", 45.0, words, build_sentences(words)).to_dict()


def word_index(transcript: dict, text: str) -> int:
    return next(i for i, word in enumerate(transcript["words"]) if word["text"] == text)


@pytest.fixture
def video(alice, workspace):
    return completed_video(workspace, alice, transcript=talk_transcript())


@pytest.fixture
def clip(video):
    """The first three sentences (0.25-15.9 s), as the moment finder wrote them."""
    return make_clip(video, 1, start=0.25, end=15.9, sentence_indexes=[0, 1, 2], hook_text="Nobody tells you this.",
                     transcript="Most founders ... agenda.")  # fmt: skip


def post_word(client, clip, htmx=True, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/clips/{clip.pk}/caption-words", {"action": "save", **data}, **headers)


def test_it_merges_a_split_number_into_the_videos_transcript_and_every_clip_follows(as_alice, video, clip):
    other = make_clip(video, 2, start=5.3, end=10.5, transcript="old")
    three = word_index(video.transcript, "3")
    page = as_alice.get(f"/clips/{clip.pk}/edit").content.decode()
    assert f'data-word="{three}"' in page and ">3</a>" in page and ">,800</a>" in page

    picked = as_alice.get(f"/clips/{clip.pk}/caption-words?word={three}", HTTP_HX_REQUEST="true").content.decode()
    assert picked.strip().startswith("<section id=\"caption-editor\"") and 'aria-current="true"' in picked
    assert "Merge with “,800”" in picked and 'name="text" value="3"' in picked

    start = video.transcript["words"][three]["start"]
    response = post_word(as_alice, clip, word=three, at=start, action="merge")

    assert response.status_code == 200 and ">3,800</a>" in response.content.decode()
    video.refresh_from_db()
    assert [w["text"] for w in video.transcript["words"][three - 2 : three + 2]] == ["We", "hired", "3,800", "people"]
    assert video.transcript["sentences"][1]["sentence"] == "We hired 3,800 people in one year and nearly went broke."
    assert len(video.transcript["sentences"][1]["words"]) == len(LINES[1].split()) - 1
    other.refresh_from_db()
    clip.refresh_from_db()
    assert other.transcript == "We hired 3,800 people in one year and nearly went broke."
    assert clip.transcript.startswith("Most founders never talk") and "3,800" in clip.transcript


def test_it_corrects_splits_and_styles_a_word_and_only_the_clip_gets_the_style(as_alice, video, clip):
    other = make_clip(video, 2, start=0.25, end=15.9)
    index = word_index(video.transcript, "founders")
    start = video.transcript["words"][index]["start"]

    response = post_word(as_alice, clip, htmx=False, word=index, at=start, text="start-up founders",
                         emphasis="on", emoji="💰")  # fmt: skip

    assert response.status_code == 302 and response.url == f"/clips/{clip.pk}/edit?word={index}"
    video.refresh_from_db()
    assert [w["text"] for w in video.transcript["words"][:4]] == ["Most", "start-up", "founders", "never"]
    clip.refresh_from_db()
    other.refresh_from_db()
    assert clip.word_styles == [{"at": start, "emphasis": True, "emoji": "💰"}] and other.word_styles == []
    words = {w["text"]: w for w in wording.caption_words(clip)}
    assert words["start-up"]["emphasis"] and words["start-up"]["emoji"] == "💰" and not words["founders"]["emphasis"]
    page = as_alice.get(f"/clips/{clip.pk}/edit").content.decode()
    assert 'class="cword emphasised"' in page and "start-up 💰</a>" in page

    removed = post_word(as_alice, clip, word=0, at=0.5, text="  ").content.decode()
    assert ">Most</a>" not in removed and 'aria-current="true"' not in removed  # nothing picked in its place
    video.refresh_from_db()
    assert video.transcript["sentences"][0]["sentence"].startswith("start-up founders never talk")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "x", "at": 99.0}, "The transcript changed since these words were shown"),
        ({"text": "fine", "emoji": "wow"}, "The emoji must be emoji only"),
        ({"text": "x" * 61}, "A word can be at most 60 characters long."),
        ({"action": "merge", "word_text": "agenda."}, "The next word starts another sentence"),
    ],
)
def test_it_refuses_a_word_edit_saying_why_and_changes_nothing(as_alice, video, clip, data, message):
    text = data.pop("word_text", "Most")
    index = word_index(video.transcript, text)
    data.setdefault("at", video.transcript["words"][index]["start"])
    before = video.transcript

    response = post_word(as_alice, clip, word=index, **data)

    assert response.status_code == 422 and message in response.content.decode()
    video.refresh_from_db()
    clip.refresh_from_db()
    assert video.transcript == before and clip.word_styles == []


def test_it_saves_the_users_title_and_post_text_and_the_download_is_named_after_it(as_alice, clip, alice_api):
    Clip.objects.filter(pk=clip.pk).update(file=default_storage.save(f"videos/{clip.pk}.mp4", ContentFile(b"mp4")))
    response = as_alice.post(f"/clips/{clip.pk}/text", {
        "title": "Hiring 3,800 people nearly broke us", "question": "Why did we nearly go broke?",
        "statement": clip.hooks["statement"], "description": "The hiring story.",
        "hashtags": "#hiring startups, #hiring",
    })  # fmt: skip

    assert response.status_code == 302 and response.url == f"/clips/{clip.pk}/edit"
    clip.refresh_from_db()
    assert clip.title == "Hiring 3,800 people nearly broke us" and clip.hashtags == ["#hiring", "#startups"]
    assert clip.hooks == {"question": "Why did we nearly go broke?", "statement": "Nobody tells you this."}
    assert clip.user_edited == ["description", "hashtags", "hooks", "title"]
    page = as_alice.get(f"/clips/{clip.pk}/edit").content.decode()
    assert "Kept as you wrote it: title, hooks, description, hashtags." in page
    # The dashboard's download link and the API's both save the file under the new title.
    link = re.search(r'href="([^"]+)"[^>]* download', page).group(1)
    for url in (link, alice_api.get(f"/api/clips/{clip.pk}/download")["Location"]):
        served = Client().get(url.replace("&amp;", "&"))
        assert served["Content-Disposition"] == 'attachment; filename="hiring-3800-people-nearly-broke-us.mp4"'

    refused = as_alice.post(f"/clips/{clip.pk}/text", {"title": "", "hashtags": "#no-dashes"}, HTTP_HX_REQUEST="true")
    body = refused.content.decode()
    assert refused.status_code == 422 and "This field is required." in body
    assert "“#no-dashes” is not a hashtag" in body


def test_it_writes_a_trimmed_clips_words_again_except_those_the_user_wrote(video, clip):
    wording.edit_text(clip, hashtags=["#hiring"])
    clip = rerender(clip, start=16.0, end=29.3, hook_text=clip.hook_text)  # the editor always posts the hook
    assert clip.words_stale and clip.user_edited == ["hashtags"]

    assert wording.follow_cut(clip)

    clip.refresh_from_db()
    assert not clip.words_stale and clip.sentence_indexes == [3, 4, 5]
    assert clip.title == "Write the decision down before the meeting even starts"
    assert clip.hooks["statement"] == "Saying no saved our engineers four hours a day."
    assert clip.hook_text == clip.hooks["statement"]  # the burned hook follows: the user left it
    assert clip.description == ("Saying no saved our engineers four hours a day. Write the decision down before the "
                                "meeting even starts. #hiring")  # fmt: skip
    assert clip.hashtags == ["#hiring"] and clip.transcript.startswith("Saying no saved")
    assert 0 < clip.score < 100 and clip.score != 70 and clip.virality_reason != "A strong opening line."
    assert not wording.follow_cut(clip)  # once per new span


def test_it_keeps_the_title_and_hook_line_the_user_wrote_when_trimmed(video, clip):
    kept = rerender(make_clip(video, 2), caption_template="minimal")
    assert not kept.words_stale and kept.user_edited == []  # the same span: nothing to write again
    wording.edit_text(clip, title="My own title")
    clip = rerender(clip, end=10.5, hook_text="My own hook")
    assert clip.user_edited == ["hook_text", "title"]

    wording.follow_cut(clip)

    clip.refresh_from_db()
    assert (clip.title, clip.hook_text) == ("My own title", "My own hook")
    assert clip.sentence_indexes == [0, 1] and clip.hooks["statement"] != "Nobody tells you this."


def test_the_render_job_writes_the_words_and_burns_the_styles_without_transcribing(video, clip, monkeypatch,
                                                                                  settings):  # fmt: skip
    from pipeline import analysis, transcribe

    wording.style_word(clip, word_index(video.transcript, "founders"), emphasis=True, emoji="")
    clip = rerender(clip, start=0.25, end=10.5)
    burned = {}

    def never(*args, **kwargs):
        raise AssertionError("a re-render transcribed again")

    def render(source, media, start, end, words, options, out, thumb, config):  # ffmpeg's work, recorded
        burned.update(words=words, hook=options.hook_text, title=Clip.objects.get(pk=clip.pk).title)
        return RenderResult(path=str(out), error="render_failed", error_message="stopped here")

    monkeypatch.setattr(transcribe, "transcribe", never)
    monkeypatch.setattr(analysis, "transcribe", never)
    monkeypatch.setattr(jobs, "render", render)
    monkeypatch.setattr(jobs.storage, "local_path", lambda name: settings.VAR_DIR / "source.mp4")
    video.media_info = MediaInfo("source.mp4", 45.0, 1000, "mp4", True, True, 640, 360).to_dict()
    video.save(update_fields=["media_info"])

    assert jobs.render_clip(clip.pk, clip.render_version) == "failed"

    styled = [w for w in burned["words"] if getattr(w, "emphasis", False)]
    assert [w.text for w in styled] == ["founders"]
    assert burned["title"] == "Most founders never talk about the money they lose every month"
    assert burned["hook"] == "We hired 3,800 people in one year and nearly went broke."


def test_it_writes_and_styles_words_through_the_api(alice_api, video, clip):
    offset = video.source_offset
    listed = alice_api.get(f"/api/clips/{clip.pk}/words").json()
    three = next(w for w in listed["words"] if w["text"] == "3")
    assert listed["clipId"] == clip.pk and len(listed["words"]) == sum(len(line.split()) for line in LINES[:3])

    edit = {"index": three["index"], "start": three["start"], "merge": True, "emphasis": True}
    merged = alice_api.post(f"/api/clips/{clip.pk}/words", edit, format="json")
    assert merged.status_code == 200
    word = next(w for w in merged.json()["words"] if w["index"] == three["index"])
    assert word == {**three, "text": "3,800", "end": round(word["end"], 3), "emphasis": True}

    stale = alice_api.post(f"/api/clips/{clip.pk}/words", {"index": three["index"] + 1, "start": three["start"],
                                                           "text": "x"}, format="json")  # fmt: skip
    assert stale.status_code == 409 and "transcript changed" in stale.json()["detail"]
    outside = alice_api.post(f"/api/clips/{clip.pk}/words", {"index": 60, "text": "x"}, format="json")
    assert outside.status_code == 422 and "not in this clip" in str(outside.json())
    nothing = alice_api.post(f"/api/clips/{clip.pk}/words", {"index": 0}, format="json")
    assert nothing.status_code == 422 and "Say what to change" in str(nothing.json())

    patched = alice_api.patch(f"/api/clips/{clip.pk}", {"hooks": {"question": "Why?"}, "hashtags": ["money", "#Money"],
                                                        "description": "Mine."}, format="json")  # fmt: skip
    body = patched.json()["clip"]
    assert patched.status_code == 200 and body["hooks"] == {"question": "Why?", "statement": "Nobody tells you this."}
    assert body["hashtags"] == ["#money"] and body["editedFields"] == ["description", "hashtags", "hooks"]
    assert offset == 0.0
    bad = alice_api.patch(f"/api/clips/{clip.pk}", {"hashtags": ["two words"]}, format="json")
    assert bad.status_code == 422 and "“two words” is not a hashtag" in str(bad.json())


def test_it_hides_another_workspaces_clip_words_behind_404(client, api_client, charlie, key_for, clip):
    client.force_login(charlie)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(charlie)}")
    answers = [
        client.get(f"/clips/{clip.pk}/caption-words?word=3"),
        client.post(f"/clips/{clip.pk}/caption-words", {"word": 3, "at": 1.7, "text": "x", "action": "save"}),
        client.post(f"/clips/{clip.pk}/text", {"title": "Mine"}),
        api_client.get(f"/api/clips/{clip.pk}/words"),
        api_client.post(f"/api/clips/{clip.pk}/words", {"index": 3, "text": "x"}, format="json"),
        api_client.patch(f"/api/clips/{clip.pk}", {"title": "Mine"}, format="json"),
    ]
    assert [answer.status_code for answer in answers] == [404] * len(answers)
    assert not any("talk" in answer.content.decode() for answer in answers)
    clip.refresh_from_db()
    assert clip.title == "Clip number 1" and clip.video.transcript["words"][3]["text"] == "talk"
