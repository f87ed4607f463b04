"""Atomic output: complete or absent, never half-written; an existing file survives a failure;
ordinary permissions; an output directory is replaced whole, never merged, never a user's."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pytest

from kpisim.errors import KpisimError
from kpisim.io.atomic import replacing, write_bytes, write_dir, write_table
from kpisim.provenance import json_bytes


@pytest.fixture
def umask():
    """Run the test under a known umask, restored afterwards."""

    def set_(mask):
        os.umask(mask)
        return mask

    old = os.umask(0o022)
    yield set_
    os.umask(old)


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("old\n")
    with pytest.raises(RuntimeError), replacing(out) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_write_table_by_extension(tmp_path):
    df = pd.DataFrame({"a": [1, 2]})
    assert pd.read_csv(write_table(df, tmp_path / "x.csv"))["a"].tolist() == [1, 2]
    assert pd.read_parquet(write_table(df, tmp_path / "x.parquet"))["a"].tolist() == [1, 2]
    with pytest.raises(KpisimError, match=r"x\.xlsx: unsupported extension '\.xlsx'; use \.csv or \.parquet"):
        write_table(df, tmp_path / "x.xlsx")


# --- permissions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "mask, expected",
    [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)],
    ids=["umask022", "umask027", "umask002"],
)
def test_new_files_get_0666_less_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    assert _mode(write_bytes(tmp_path / "a.json", b"{}")) == expected
    assert _mode(write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")) == expected
    assert _mode(write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")) == expected


def test_a_replaced_file_keeps_its_mode(tmp_path, umask):
    out = tmp_path / "t.csv"
    out.write_text("old\n")
    os.chmod(out, 0o664)
    write_table(pd.DataFrame({"a": [1]}), out)
    assert _mode(out) == 0o664 and out.read_text() == "a\n1\n"


def test_write_dir_gives_ordinary_modes_to_the_directory_and_its_files(tmp_path, umask):
    import matplotlib.figure

    from kpisim.plots import save

    def write(d):  # `save` and `write_bytes` go through `replacing` inside the temporary directory
        (d / "manifest.json").write_text("{}")
        write_bytes(d / "x.bin", b"x")
        save(matplotlib.figure.Figure(), d / "f.png")

    out = write_dir(tmp_path / "out", write)
    assert _mode(out) == 0o755
    assert {p.name: _mode(p) for p in out.iterdir()} == {
        "manifest.json": 0o644,
        "x.bin": 0o644,
        "f.png": 0o644,
    }


# --- directories ------------------------------------------------------------------------------
def _run(name):
    def write(d):
        (d / f"{name}.csv").write_text(name)
        (d / "manifest.json").write_text(json.dumps({"run": name}))

    return write


def test_write_dir_is_all_or_nothing(tmp_path):
    def broken(d):
        (d / "a.csv").write_text("a")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_dir(tmp_path / "out", broken)
    assert list(tmp_path.iterdir()) == []
    write_dir(tmp_path / "out", _run("a"))
    assert (tmp_path / "out" / "a.csv").read_text() == "a"


def test_rerun_into_the_same_directory_leaves_no_stale_file(tmp_path):
    out = tmp_path / "out"
    write_dir(out, _run("first"))
    write_dir(out, _run("second"))
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "second.csv"]
    assert json.loads((out / "manifest.json").read_text()) == {"run": "second"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # neither the new temp nor the old one


def test_failure_keeps_the_earlier_directory_intact(tmp_path):
    out = tmp_path / "out"
    write_dir(out, _run("first"))

    def broken(d):
        _run("second")(d)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_dir(out, broken)
    assert sorted(p.name for p in out.iterdir()) == ["first.csv", "manifest.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_empty_existing_directory_is_replaced(tmp_path, umask):
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, 0o750)
    write_dir(out, _run("a"))
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "manifest.json"]
    assert _mode(out) == 0o750  # the directory keeps the mode it had
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_subdirectory_of_the_output_is_replaced_too(tmp_path):
    def with_sub(name):
        def write(d):
            (d / "figs").mkdir()
            (d / "figs" / f"{name}.png").write_text(name)
            (d / "manifest.json").write_text("{}")

        return write

    out = tmp_path / "out"
    write_dir(out, with_sub("one"))
    write_dir(out, with_sub("two"))  # once raised "Directory not empty"
    assert [p.name for p in (out / "figs").iterdir()] == ["two.png"]


def test_a_directory_that_is_not_kpisim_output_is_refused_before_any_work(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    called = []
    with pytest.raises(
        KpisimError,
        match=r"mine: exists and is not a kpisim output directory "
        r"\(no manifest\.json\); choose a new or empty directory",
    ):
        write_dir(out, called.append)
    assert called == []
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_a_file_in_the_way_is_refused(tmp_path):
    f = tmp_path / "out"
    f.write_text("x")
    with pytest.raises(KpisimError, match="out: exists and is not a directory"):
        write_dir(f, _run("a"))
    assert f.read_text() == "x"


def test_a_writer_without_manifest_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match=r"no manifest\.json"):
        write_dir(tmp_path / "out", lambda d: (d / "a.csv").write_text("a"))
    assert list(tmp_path.iterdir()) == []


def test_a_symlinked_output_replaces_the_directory_it_points_to(tmp_path):
    real = tmp_path / "real"
    write_dir(real, _run("first"))
    link = tmp_path / "link"
    link.symlink_to(real)
    write_dir(link, _run("second"))
    assert link.is_symlink() and sorted(p.name for p in link.iterdir()) == ["manifest.json", "second.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


# --- JSON manifests ---------------------------------------------------------------------------
def test_json_bytes_never_fails_on_mixed_keys_or_odd_values(tmp_path):
    odd = {
        "b": {1: "one", "x": 2, None: 3, (1, 2): 4},
        "a": tmp_path,
        "c": {
            1.5,
        },
    }
    back = json.loads(json_bytes(odd))
    assert list(back) == ["a", "b", "c"]
    assert back["b"] == {"1": "one", "x": 2, "null": 3, "(1, 2)": 4}
    assert back["a"] == str(tmp_path)
    with pytest.raises(TypeError):  # what json itself does
        json.dumps(odd, sort_keys=True, default=str)
