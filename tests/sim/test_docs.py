"""Generated docs are up to date."""

from pathlib import Path

from kpisim.io import schema

ROOT = Path(__file__).resolve().parents[2]


def test_event_log_doc_is_generated_from_schema():
    assert (ROOT / "docs" / "event-log.md").read_text() == schema.markdown(), (
        "docs/event-log.md is stale: run `python -m kpisim.io.schema > docs/event-log.md`"
    )
