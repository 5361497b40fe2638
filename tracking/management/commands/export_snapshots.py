"""``manage.py export_snapshots --since 2026-11-01 --format parquet --output snapshots.parquet``.

Writes every stored snapshot (one metrics reading of one platform video) taken since a
moment, for analysis at scale: Parquet through pyarrow (written in row groups, so the
export's memory stays flat however many snapshots there are) or CSV.
"""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from tracking.models import Snapshot

BATCH = 50_000
COLUMNS = ("platform", "video_id", "captured_at", "views", "likes", "comments", "title", "creator", "uploaded_at")
SCHEMA = pa.schema([
    ("platform", pa.string()), ("video_id", pa.string()), ("captured_at", pa.timestamp("us", tz="UTC")),
    ("views", pa.int64()), ("likes", pa.int64()), ("comments", pa.int64()), ("title", pa.string()),
    ("creator", pa.string()), ("uploaded_at", pa.timestamp("us", tz="UTC")),
])  # fmt: skip
FIELDS = ("video__platform", "video__video_id", "captured_at", "views", "likes", "comments", "video__title",
          "video__creator", "video__uploaded_at")  # fmt: skip


def parse_since(text: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 date and time (UTC when it names no zone)."""
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(
                f"--since must be a date (2026-11-01) or a date and time (2026-11-01T08:00); got {text!r}."
            )
        moment = datetime.combine(day, time.min)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Export stored snapshots of platform videos, as Parquet or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="Only snapshots taken at or after this date or moment.")
        parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
        parser.add_argument("--output", help="The file to write (default: snapshots-<since>.<format>; '-' for CSV "
                                             "on standard output).")  # fmt: skip

    def handle(self, *args, since, format, output, **options):
        moment = parse_since(since)
        output = output or f"snapshots-{moment:%Y%m%d}.{format}"
        if output == "-" and format == "parquet":
            raise CommandError("Parquet needs a file: give --output PATH.")
        rows = (Snapshot.objects.filter(captured_at__gte=moment).order_by("captured_at", "id")
                .values_list(*FIELDS).iterator(chunk_size=BATCH))  # fmt: skip
        written = self._parquet(rows, Path(output)) if format == "parquet" else self._csv(rows, output)
        self.stderr.write(f"Wrote {written} snapshots taken since {moment.isoformat()} to {output}.")

    def _parquet(self, rows, path: Path) -> int:
        written = 0
        with pq.ParquetWriter(path, SCHEMA) as writer:
            for batch in _batches(rows):
                writer.write_table(pa.Table.from_pylist([dict(zip(COLUMNS, row, strict=True)) for row in batch],
                                                        schema=SCHEMA))  # fmt: skip
                written += len(batch)
            if not written:
                writer.write_table(SCHEMA.empty_table())
        return written

    def _csv(self, rows, output: str) -> int:
        handle = sys.stdout if output == "-" else open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115
        written = 0
        try:
            out = csv.writer(handle)
            out.writerow(COLUMNS)
            for row in rows:
                out.writerow(value.isoformat() if isinstance(value, datetime) else value for value in row)
                written += 1
        finally:
            if handle is not sys.stdout:
                handle.close()
        return written


def _batches(rows):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
