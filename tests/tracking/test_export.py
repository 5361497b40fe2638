"""``manage.py export_snapshots``: snapshots out as Parquet (round-tripped through pyarrow) or CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from tracking.models import PlatformVideo, Snapshot

START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def snapshots(db):
    video = PlatformVideo.objects.create(
        platform="youtube", video_id="dQw4w9WgXcQ", url="https://youtu.be/dQw4w9WgXcQ", title="Never gonna",
        creator="Rick", uploaded_at=START - timedelta(days=3),
    )  # fmt: skip
    other = PlatformVideo.objects.create(platform="tiktok", video_id="7301234567890123456", url="https://t.example/v")
    rows = [Snapshot.objects.create(video=video, captured_at=START + timedelta(hours=h), views=1000 * (h + 1),
                                    likes=10 * h, comments=None) for h in range(3)]  # fmt: skip
    rows.append(Snapshot.objects.create(video=other, captured_at=START + timedelta(days=1), views=5, likes=None))
    Snapshot.objects.create(video=video, captured_at=START - timedelta(days=1), views=1)  # before --since
    return rows


def test_it_writes_parquet_that_round_trips_through_pyarrow(snapshots, tmp_path):
    out = tmp_path / "snaps.parquet"
    call_command("export_snapshots", "--since", "2026-11-01", "--format", "parquet", "--output", str(out))
    table = pq.read_table(out)
    assert table.num_rows == 4
    assert table.schema.field("captured_at").type.tz == "UTC"
    rows = table.to_pylist()
    assert [(r["platform"], r["video_id"], r["views"]) for r in rows] == [
        ("youtube", "dQw4w9WgXcQ", 1000), ("youtube", "dQw4w9WgXcQ", 2000), ("youtube", "dQw4w9WgXcQ", 3000),
        ("tiktok", "7301234567890123456", 5),
    ]  # fmt: skip
    assert rows[0]["captured_at"] == START and rows[0]["uploaded_at"] == START - timedelta(days=3)
    assert rows[0]["title"] == "Never gonna" and rows[2]["likes"] == 20 and rows[0]["comments"] is None
    assert rows[3]["likes"] is None and rows[3]["uploaded_at"] is None


def test_it_writes_an_empty_but_typed_file_when_nothing_matches(snapshots, tmp_path):
    out = tmp_path / "none.parquet"
    call_command("export_snapshots", "--since", "2030-01-01T00:00", "--output", str(out))
    table = pq.read_table(out)
    assert table.num_rows == 0 and table.schema.names[:4] == ["platform", "video_id", "captured_at", "views"]


def test_it_writes_csv_to_standard_output(snapshots, capsys):
    call_command("export_snapshots", "--since", "2026-11-01T12:00:00+00:00", "--format", "csv", "--output", "-")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["video_id"], r["views"]) for r in rows] == [("7301234567890123456", "5")]
    assert rows[0]["captured_at"] == "2026-11-02T00:00:00+00:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--since", "last tuesday"], "--since must be a date"),
     (["--since", "2026-11-01", "--output", "-"], "Parquet needs a file")],
)  # fmt: skip
def test_it_explains_bad_arguments(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_snapshots", *args)
