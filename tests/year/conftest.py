"""A tiny shop and S3 variants for the year tests (short months keep them fast)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpisim.policy.loading import load_policy
from tests.behaviour.conftest import tiny_shop

S3 = Path("scenarios/policies/s3_kuaishangtong_presales.yaml")
S1 = Path("scenarios/policies/s1_xiyu_289.yaml")


def s3_with(
    tmp_path: Path, *, eliminate_when: str = "x < 80", name: str = "s3v.yaml", version: str | None = None
):
    """S3 with its elimination condition replaced (both roles share it), written beside the test."""
    text = S3.read_text(encoding="utf-8")
    text = text.replace('{id: eliminate, when: "x < 80"', f'{{id: eliminate, when: "{eliminate_when}"')
    if version is not None:
        text = text.replace('version: "2020.2"', f'version: "{version}"')
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_policy(p)


@pytest.fixture(scope="module")
def tiny():
    """The bundled shop with a quarter of its agents (7) and traffic; turnover as bundled."""
    return tiny_shop(days=2, k=4)


@pytest.fixture(scope="module")
def s3():
    return load_policy(S3)
