"""``icsys feeds status``: what is loaded, when, and how much was quarantined, per feed."""

from __future__ import annotations

from icsys.config import Settings
from icsys.feeds import lake
from icsys.feeds.contracts import all_feeds


def feed_status(settings: Settings) -> list[dict[str, object]]:
    """One row per feed: batches, files, rows loaded and quarantined, last load."""
    rows: list[dict[str, object]] = []
    for feed in all_feeds():
        batches = lake.read_manifest(settings, feed)["batches"]
        files = [f for b in batches for f in b["files"]]
        rows.append(
            {
                "feed": feed,
                "batches": len(batches),
                "files": len(files),
                "rows_loaded": sum(int(f["rows_loaded"]) for f in files),
                "rows_quarantined": sum(int(f["rows_quarantined"]) for f in files),
                "rows_out_of_scope": sum(int(f["rows_out_of_scope"]) for f in files),
                "last_loaded": batches[-1]["committed_at"] if batches else None,
                "contract_version": batches[-1]["contract_version"] if batches else None,
            }
        )
    return rows


def batch_status(settings: Settings, feed: str) -> list[dict[str, object]]:
    """One row per file of every committed batch of ``feed``."""
    return [
        {
            "batch": b["batch_id"],
            "committed_at": b["committed_at"],
            "file": f["name"],
            "sha256": str(f["sha256"])[:12],
            "rows_read": f["rows_read"],
            "rows_loaded": f["rows_loaded"],
            "rows_quarantined": f["rows_quarantined"],
            "rows_out_of_scope": f["rows_out_of_scope"],
            "quarantine_file": b.get("quarantine_file"),
        }
        for b in lake.read_manifest(settings, feed)["batches"]
        for f in b["files"]
    ]
