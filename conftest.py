"""Suite-wide checks: every notebook on disk must be collected by nbval.

A notebook that is silently not collected (nbval missing, `--nbval` dropped from the options,
a file renamed) would otherwise let the suite pass without checking it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
NOTEBOOKS = ROOT / "notebooks"


def _covers_notebooks(config: pytest.Config) -> bool:
    args = [Path(a.split("::")[0]).resolve() for a in config.args]
    return any(a == NOTEBOOKS or NOTEBOOKS.is_relative_to(a) for a in args)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    # a deliberate selection (-k, or -m other than the default "not slow") may leave notebooks out
    if (
        not _covers_notebooks(config)
        or config.getoption("keyword")
        or config.getoption("markexpr") not in ("", "not slow")
    ):
        return
    on_disk = {p.resolve() for p in NOTEBOOKS.glob("*.ipynb")}
    collected = {Path(str(item.fspath)).resolve() for item in items if str(item.fspath).endswith(".ipynb")}
    missing = sorted(p.name for p in on_disk - collected)
    if missing:
        raise pytest.UsageError(
            f"notebooks not collected by nbval: {', '.join(missing)} "
            "(run pytest with --nbval and the sanitize file, as configured in pyproject.toml)"
        )
