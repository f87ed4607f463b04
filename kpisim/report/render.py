"""Render the report templates (jinja2, autoescaped) with the one stylesheet inlined."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any


@cache
def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("kpisim.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def css() -> str:
    """The reports' stylesheet (screen and print)."""
    return files("kpisim.report").joinpath("style.css").read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """The HTML page of ``template`` (a file in ``kpisim/report/templates``)."""
    import kpisim

    ctx = {"css": css(), "version": kpisim.__version__, **context}
    return _env().get_template(template).render(**ctx)
