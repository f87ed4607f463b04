"""Provenance: the one manifest type every saved result carries, and the hashes it records.

A model (scenario, policy) is identified by the hash of its *content*: the canonical JSON of
``model.model_dump(mode="json")`` (sorted keys, no whitespace), so the same policy has the same
hash whether it came from a file, was built in Python, or is recorded by ``score`` or
``compare``, and a copy changed with ``model_copy(update=...)`` has a new one. The file a model
was loaded from is kept beside the hash (``source_path``), and only while the model is unchanged.
Input files (tables, mappings, rosters) are identified by the hash of their bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

M = TypeVar("M", bound=BaseModel)

#: File name of a run or report directory's manifest (a table's sidecar is ``<table>.manifest.json``).
MANIFEST = "manifest.json"
#: Suffix of the manifest written beside a table: ``scores.csv`` -> ``scores.csv.manifest.json``.
SIDECAR_SUFFIX = ".manifest.json"


def json_bytes(obj) -> bytes:
    """``obj`` as indented JSON with sorted keys, for manifests. Never raises on odd content:
    non-string dict keys become strings first (so mixed int/str keys sort), anything JSON
    cannot hold becomes ``str(value)``."""
    return json.dumps(_str_keys(obj), indent=2, sort_keys=True, default=str).encode("utf-8")


def _str_keys(obj):
    if isinstance(obj, Mapping):
        return {_key(k): _str_keys(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_str_keys(v) for v in obj]
    return obj


def _key(k) -> str:
    if isinstance(k, str):
        return k
    if k is None or isinstance(k, (bool, int, float)):
        return json.dumps(k)  # what json itself does with such keys: true, null, 3, 1.5
    return str(k)


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes; of a run directory's ``manifest.json`` for a directory
    (which holds the scenario hash and seed of the run)."""
    p = Path(path)
    return hashlib.sha256((p / MANIFEST if p.is_dir() else p).read_bytes()).hexdigest()


def content_sha256(model: BaseModel) -> str:
    """Hex SHA-256 of a model's content: canonical JSON of ``model.model_dump(mode="json")``."""
    text = json.dumps(
        model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def frame_sha256(df) -> str:
    """Hex SHA-256 of a DataFrame's CSV form (no index), for inputs given as a table in Python."""
    return hashlib.sha256(df.to_csv(index=False).encode("utf-8")).hexdigest()


def mark_loaded(model: M, path: str | os.PathLike) -> M:
    """Record on ``model`` (its private ``_loaded`` attribute) that it was loaded from ``path``,
    with its content hash then; returns ``model``."""
    setattr(model, "_loaded", (str(Path(path)), content_sha256(model)))  # noqa: B010 (private attr)
    return model


def loaded_from(model: Any) -> str | None:
    """The file ``model`` (or the model it was copied from) was loaded from, or None."""
    loaded = getattr(model, "_loaded", None)
    return loaded[0] if loaded else None


def source_path(model: Any) -> str | None:
    """The file ``model`` was loaded from, or None when it was built in Python or changed since
    (``model_copy(update=...)`` keeps the record; the content hash tells the change)."""
    loaded = getattr(model, "_loaded", None)
    return loaded[0] if loaded and content_sha256(model) == loaded[1] else None


class InputFile(BaseModel):
    """An input file of a result: its path and the SHA-256 of its bytes (of ``manifest.json``
    for a run directory)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str
    sha256: str

    @classmethod
    def of(cls, path: str | os.PathLike) -> InputFile:
        return cls(path=str(path), sha256=file_sha256(path))


def _version() -> str:
    import kpisim

    return kpisim.__version__


class Manifest(BaseModel):
    """Provenance of a saved result, written as one flat JSON object (``details`` merged in).

    Attributes:
        command: what wrote it: ``simulate``, ``import``, ``kpis``, ``score``, ``compare``,
            ``staffing`` (None for a log built in Python, e.g. synthetic).
        kpisim_version: the installed kpisim's version.
        scenario_id: the scenario's id (of an import: the run key).
        scenario_sha256: :func:`content_sha256` of the scenario actually run.
        source_path: the file that scenario was loaded from; None when built in Python or
            changed since loading.
        derived_from: the file it was loaded from when it was changed since (e.g. ``--days``).
        policy_sha256: policy name -> :func:`content_sha256` of the policy applied.
        policy_source_path: policy name -> its file, None when built or changed in Python.
        seed: the root seed (-1 for imported data).
        replications: the number of replications, or the replication indices of a run.
        definitions: metric definition parameters (metric -> {parameter: value}).
        input_files: role (``source``, ``inputs``, ``mapping``, ``roster``, ``definitions``) ->
            path and SHA-256 of the file.
        details: anything else the command records (options, row counts, ...), flattened into
            the JSON; a key may not repeat a field's name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    command: str | None = None
    kpisim_version: str = Field(default_factory=_version)
    scenario_id: str | None = None
    scenario_sha256: str | None = None
    source_path: str | None = None
    derived_from: str | None = None
    policy_sha256: dict[str, str] = Field(default_factory=dict)
    policy_source_path: dict[str, str | None] = Field(default_factory=dict)
    seed: int | None = None
    replications: int | list[int] | None = None
    definitions: dict[Any, Any] | None = None
    input_files: dict[str, InputFile] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _details_are_extra(self):
        clash = sorted(set(self.details) & set(type(self).model_fields))
        if clash:
            raise ValueError(f"details repeat manifest field(s) {clash}; set the field instead")
        return self

    @classmethod
    def for_scenario(cls, scenario: Any, **kw) -> Manifest:
        """A manifest naming ``scenario`` (id, content hash, source path or what it derives from)."""
        path = source_path(scenario)
        return cls(
            scenario_id=scenario.id,
            scenario_sha256=content_sha256(scenario),
            source_path=path,
            derived_from=None if path is not None else loaded_from(scenario),
            **kw,
        )

    def with_policies(self, policies: Mapping[str, Any]) -> Manifest:
        """A copy recording ``policies`` (name -> policy) by content hash and source path."""
        return self.model_copy(
            update={
                "policy_sha256": {
                    **self.policy_sha256,
                    **{n: content_sha256(p) for n, p in policies.items()},
                },
                "policy_source_path": {
                    **self.policy_source_path,
                    **{n: source_path(p) for n, p in policies.items()},
                },
            }
        )

    def with_details(self, **details: Any) -> Manifest:
        """A copy with ``details`` added (checked against the fields)."""
        return type(self).model_validate({**dict(self), "details": {**self.details, **details}})

    def to_dict(self) -> dict[str, Any]:
        """The flat JSON form: the fields, then ``details`` merged in."""
        return {**self.model_dump(mode="json", exclude={"details"}), **self.details}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        """Read the flat form back (keys that are not fields go to ``details``)."""
        fields = cls.model_fields
        return cls.model_validate(
            {
                **{k: v for k, v in data.items() if k in fields and k != "details"},
                "details": {k: v for k, v in data.items() if k not in fields},
            }
        )

    def to_json_bytes(self) -> bytes:
        """Indented JSON with sorted keys (:func:`json_bytes`)."""
        return json_bytes(self.to_dict())

    @classmethod
    def read(cls, path: str | os.PathLike) -> Manifest:
        """Read a manifest file (or a run/report directory's ``manifest.json``)."""
        p = Path(path)
        return cls.from_dict(json.loads((p / MANIFEST if p.is_dir() else p).read_text(encoding="utf-8")))
