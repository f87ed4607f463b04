"""Files that are not what they should be: each is one clean line from ``kpisim validate``
(exit 2) and a ``SpecError`` from the loaders, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kpisim.cli import main
from kpisim.errors import KpisimError, SpecError
from kpisim.policy import load_policy
from kpisim.scenario.models import load_scenario
from tests.sim.test_scenario_validation import BASE

ROOT = Path(__file__).resolve().parents[2]


def _deep(n: int) -> bytes:
    return ("a: " + "[" * n + "]" * n + "\n").encode()


def _write(tmp_path: Path, content: bytes | None) -> Path:
    f = tmp_path / "bad.yaml"
    if content is None:
        f.mkdir()
    else:
        f.write_bytes(content)
    return f


# (case id, file content (None = a directory), text the one-line message must contain)
FILES = [
    ("directory", None, "is a directory; give a file"),
    ("empty", b"", "the file is empty; expected a YAML mapping"),
    ("only a comment", b"# nothing\n", "the file is empty"),
    ("binary", bytes(range(256)) * 4, "binary file (it holds NUL bytes); expected a UTF-8 text file"),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("deep nesting 5000", _deep(5000), "nesting too deep"),
    ("deep nesting 100", _deep(100), "nesting too deep; at most 64 levels"),
    ("a list", b"- 1\n- 2\n", "expected a mapping (key: value lines) at the top level, got a list"),
    ("a string", b"hello\n", "got a string"),
    ("bad yaml", b"id: [1, 2\n", "invalid YAML"),
    ("unhashable key", b"? [1, 2]\n: 3\n", "invalid YAML"),
    ("bad date", b"horizon: {start: 2026-02-30}\n", "invalid YAML value"),
    (
        "alias bomb",
        b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        "expands to more than 1,000,000 values",
    ),
    (
        "policy with misspelt scorecard",
        b"id: broken\nname: broken\nscorcard:\n  components: []\n",
        "looks like a policy: unknown key 'scorcard', did you mean 'scorecard'",
    ),
    (
        "scenario with misspelt horizon",
        yaml.safe_dump(
            {**{k: v for k, v in BASE.items() if k != "horizon"}, "horizn": BASE["horizon"]}
        ).encode(),
        "unknown key 'horizn', did you mean 'horizon'",
    ),
    ("kind policy with nothing else", b"kind: policy\n", "id: required field is missing"),
]


@pytest.mark.parametrize("content,text", [c[1:] for c in FILES], ids=[c[0] for c in FILES])
def test_bad_file_is_one_clean_line(tmp_path, capsys, content, text):
    f = _write(tmp_path, content)
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kpisim: error: {f}"), err
    assert err.count("\n") == 1 and "Traceback" not in err and text in err, err
    for load in (load_scenario, load_policy):
        with pytest.raises(SpecError):
            load(f)


def test_missing_file(capsys):
    assert main(["validate", "no/such/file.yaml"]) == 2
    assert "no/such/file.yaml: file not found" in capsys.readouterr().err


def test_gb18030_file_is_read(tmp_path, capsys):
    """A scenario saved by a Chinese-locale editor (GBK/GB18030) loads like its UTF-8 twin."""
    data = {**BASE, "name": "售前客服中心"}
    f = tmp_path / "gbk.yaml"
    f.write_bytes(yaml.safe_dump(data, allow_unicode=True).encode("gb18030"))
    assert load_scenario(f).name == "售前客服中心"
    assert main(["validate", str(f)]) == 0
    # told explicitly, a wrong encoding is named
    assert main(["validate", "--encoding", "utf-8", str(f)]) == 2
    assert "not valid utf-8 at byte" in capsys.readouterr().err
    assert main(["validate", "--encoding", "klingon", str(f)]) == 2
    assert "unknown encoding 'klingon'" in capsys.readouterr().err


def test_utf8_bom_is_fine(tmp_path):
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + yaml.safe_dump(BASE).encode())
    assert load_scenario(f).id == "t"


def test_policy_given_as_scenario_and_back():
    with pytest.raises(SpecError, match=r"looks like a policy file .*'scorecard'.*, not a scenario"):
        load_scenario(ROOT / "scenarios" / "policies" / "s0_songsong.yaml")
    with pytest.raises(SpecError, match=r"looks like a scenario file .*'horizon'.*, not a policy"):
        load_policy(ROOT / "scenarios" / "shop_chat.yaml")


def test_kind_keys_match_the_models():
    from kpisim.io.load import POLICY_KEYS, SCENARIO_KEYS
    from kpisim.policy.models import Policy
    from kpisim.scenario.models import Scenario

    policy = {f.alias or n for n, f in Policy.model_fields.items()}
    scenario = set(Scenario.model_fields)
    assert set(POLICY_KEYS) <= policy - scenario and set(SCENARIO_KEYS) <= scenario - policy


def test_explicit_kind_scenario_is_accepted(tmp_path):
    f = tmp_path / "k.yaml"
    f.write_text(yaml.safe_dump({"kind": "scenario", **BASE}), encoding="utf-8")
    assert load_scenario(f).id == "t"


@pytest.mark.parametrize(
    "content,text",
    [
        (b"", "the file is empty"),
        (bytes(range(256)), "binary file"),
        (b"agent_id,rating,rating\nA1,3,4\n", "column 'rating' appears twice"),
        (b'agent_id,rating\n"A1,3\n', "cannot read as CSV"),
    ],
    ids=["empty", "binary", "duplicate header", "unclosed quote"],
)
def test_score_inputs_table_problems(tmp_path, capsys, content, text):
    from kpisim.policy.inputs import read_table

    f = tmp_path / "ratings.csv"
    f.write_bytes(content)
    with pytest.raises(KpisimError) as info:
        read_table(f)
    assert text in str(info.value)
