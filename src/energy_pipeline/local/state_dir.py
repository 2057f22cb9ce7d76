"""`serve --state-dir DIR`: what the local stack stored, kept across restarts.

Everything `serve` holds lives in this one process; without a state directory it is gone when `serve`
stops. With one:

- on start, the snapshot in DIR (if there is one) is loaded into the new stack: every item of every
  DynamoDB table and every object of every bucket that the stack has (readings, the site catalog, the
  ingestion ledger, uploads, staged chunks, rejects, quarantined files) - written into the emulator's
  own models directly, so loading raises no S3 event and starts no execution;
- on stop (Ctrl-C, SIGTERM), the stack's tables and buckets are written to a new directory beside the
  snapshot, which then replaces it: a stop cut short leaves the previous snapshot whole.

Not kept: Step Functions executions and their histories, SNS messages, logs and metrics (the emulator's
records of what ran), and anything outside the stack's tables and buckets. An object keeps its ETag (the
ingestion ledger knows a file by it, so a file sent again after a restart is still recognised) and its
metadata; a versioned bucket keeps only each object's latest version. Tables are read under the
emulator's write lock, so each is a consistent copy; stop `serve` when no execution runs for a snapshot
in which every file is either fully stored or not at all (a file cut off mid-way is not resumed).
"""

from __future__ import annotations

import base64
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from energy_pipeline.errors import StateDirError
from energy_pipeline.local import atomic
from energy_pipeline.local.template import LOCAL_ACCOUNT

FORMAT = 1
SNAPSHOT = "snapshot"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Counts:
    items: int = 0
    objects: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return f"{self.items:,} items, {self.objects:,} objects in {self.seconds:.1f} s"


def restore(directory: Path, region: str) -> Counts | None:
    """Loads DIR's snapshot into the running emulator; None when DIR holds none yet."""
    snapshot = directory / SNAPSHOT
    if not (snapshot / MANIFEST).exists():
        return None
    try:
        return _restore(snapshot, region)
    except (OSError, ValueError, KeyError) as error:
        raise StateDirError(
            f"{snapshot} cannot be loaded ({error}): start with another --state-dir, or move that one "
            "away to start empty"
        ) from error


def save(directory: Path, region: str) -> Counts:
    """Writes the stack's tables and buckets to DIR, replacing its snapshot only once all is written."""
    try:
        return _save(directory, region)
    except OSError as error:
        raise StateDirError(
            f"cannot save to {directory} ({error}); its previous snapshot, if any, is untouched: "
            "give a directory you can write to"
        ) from error


def _restore(snapshot: Path, region: str) -> Counts:
    started = time.perf_counter()
    manifest = orjson.loads((snapshot / MANIFEST).read_bytes())
    if manifest.get("format") != FORMAT:
        raise StateDirError(
            f"{snapshot} was written in format {manifest.get('format')!r}, this version reads {FORMAT}: "
            "start with another --state-dir or remove that directory"
        )
    items = sum(_load_table(snapshot / entry["file"], entry["table"], region) for entry in manifest["tables"])
    objects = sum(_load_bucket(snapshot, entry, region) for entry in manifest["buckets"])
    return Counts(items, objects, time.perf_counter() - started)


def _save(directory: Path, region: str) -> Counts:
    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    fresh = directory / f".{SNAPSHOT}-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    tables = [_save_table(fresh, number, name, region) for number, name in enumerate(sorted(_tables(region)))]
    buckets = [_save_bucket(fresh, number, bucket) for number, bucket in enumerate(_buckets(region))]
    manifest = {"format": FORMAT, "tables": tables, "buckets": buckets}
    (fresh / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    target, old = directory / SNAPSHOT, directory / f".{SNAPSHOT}-old-{os.getpid()}"
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return Counts(sum(t["items"] for t in tables), sum(b["objects"] for b in buckets),
                  time.perf_counter() - started)


# ---- DynamoDB ----


def _tables(region: str) -> dict[str, Any]:
    from moto.dynamodb.models import dynamodb_backends

    return dict(dynamodb_backends[LOCAL_ACCOUNT][region].tables)


def _save_table(snapshot: Path, number: int, name: str, region: str) -> dict[str, Any]:
    file = f"table-{number}.jsonl"
    with atomic.exclusive():  # no write lands halfway through the copy
        rows = [orjson.dumps(item.to_json()["Attributes"]) for item in _tables(region)[name].all_items()]
    (snapshot / file).write_bytes(b"\n".join(rows) + (b"\n" if rows else b""))
    return {"table": name, "file": file, "items": len(rows)}


def _load_table(path: Path, name: str, region: str) -> int:
    table = _tables(region).get(name)
    if table is None:
        return 0  # no longer in the stack
    count = 0
    with atomic.exclusive(), path.open("rb") as lines:
        for line in lines:
            if line.strip():
                table.put_item(_model_values(orjson.loads(line)), overwrite=True)
                count += 1
    return count


def _model_values(item: dict[str, Any]) -> dict[str, Any]:
    """An item as GetItem answers it (binary values in base64) as moto's parser hands it to the model."""
    return {name: _model_value(value) for name, value in item.items()}


def _model_value(value: dict[str, Any]) -> dict[str, Any]:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(part) for part in inner]}
    if kind == "L":
        return {"L": [_model_value(part) for part in inner]}
    if kind == "M":
        return {"M": {name: _model_value(part) for name, part in inner.items()}}
    return value


# ---- S3 ----


def _s3() -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[LOCAL_ACCOUNT]["aws"]  # S3 is one backend per partition, not per region


def _buckets(region: str) -> list[Any]:
    return [bucket for bucket in _s3().buckets.values() if bucket.region_name == region]


def _latest_objects(bucket: Any) -> Iterator[Any]:
    from moto.s3.models import FakeKey

    for name in list(bucket.keys.keys()):
        key = bucket.keys.get(name)
        if isinstance(key, FakeKey):  # not a delete marker
            yield key


def _save_bucket(snapshot: Path, number: int, bucket: Any) -> dict[str, Any]:
    folder = f"bucket-{number}"
    (snapshot / folder).mkdir()
    index = []
    for position, key in enumerate(_latest_objects(bucket)):
        (snapshot / folder / str(position)).write_bytes(key.value)
        index.append({"key": key.name, "etag": key.etag.strip('"'), "metadata": dict(key.metadata)})
    (snapshot / folder / "index.json").write_bytes(orjson.dumps(index))
    return {"bucket": bucket.name, "folder": folder, "objects": len(index)}


def _load_bucket(snapshot: Path, entry: dict[str, Any], region: str) -> int:
    if entry["bucket"] not in {bucket.name for bucket in _buckets(region)}:
        return 0  # no longer in the stack
    backend = _s3()
    index = orjson.loads((snapshot / entry["folder"] / "index.json").read_bytes())
    for position, saved in enumerate(index):
        body = (snapshot / entry["folder"] / str(position)).read_bytes()
        key = backend.put_object(entry["bucket"], saved["key"], body, etag=saved["etag"],
                                 disable_notification=True)
        key.set_metadata(saved["metadata"])
    return len(index)
