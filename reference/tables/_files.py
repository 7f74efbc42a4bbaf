"""Exact table files: the bytes of each format, the manifest, and the checking reader.

Formats (every one byte-for-byte deterministic, no timestamps):

* ``csv``: a header line with the column names, then one line per row;
* ``json``: a header object (kind, description, ``l_max``, shard, columns, how to
  regenerate) and ``rows``, one JSON array per line;
* ``npz``: members ``indices`` (int64, one column per index, stored column-major),
  ``sign`` (int8), ``p``, ``q`` and ``exact`` (ASCII text: ``p``, ``q`` are integers of any
  size), ``value`` (float64) and ``index_columns``; compressed (deflate: level 6, the text
  members level 1; fixed member dates).

``value`` is the float64 nearest to the exact value, rounded once from integers (a bracket
that must round to a single float64; ``pi`` enters as an integer bound), so a reader can
check it to the last bit. ``manifest.json`` beside the files records, for every file, its
kind, ``l_max``, format, shard, number of rows, size and sha256.

:func:`read_table` checks a file against the manifest *and* every row for internal
consistency (``exact`` text == ``sign * sqrt(p/q)`` in lowest terms == ``value`` to the last
bit); any failure is a ``ValueError`` naming the file (and the row).

Conventions: see :mod:`o3ref.reference.conventions`.

>>> exact_text(-1, 3, 10, False), exact_text(1, 1, 4, True), float_value(1, 1, 4, False)
('-sqrt(3/10)', '1/2/sqrt(pi)', 0.5)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from math import gcd
from pathlib import Path

import numpy as np

from ._kinds import DESCRIPTION, PI_KINDS, ShardRows, columns, index_columns
from ._values import exact_text, float_value, pair_columns

__all__ = [
    "FORMATS",
    "MANIFEST",
    "encode",
    "exact_text",
    "file_name",
    "float_value",
    "load_manifest",
    "read_table",
    "verify_manifest",
    "write_manifest",
]

FORMATS = ("json", "csv", "npz")
MANIFEST = "manifest.json"
FORMAT_VERSION = 2
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# ----------------------------------------------------------------------------- encoders


def file_name(kind: str, l_max: int, fmt: str, shard: tuple[int, ...] | None = None) -> str:
    """``{kind}_lmax{l_max}.{fmt}`` for a whole table, or
    ``{kind}_lmax{l_max}/{kind}_lmax{l_max}_{i}-{j}.{fmt}`` for the shard ``(i, j)``
    (zero-padded indices).

    Conventions: see :mod:`o3ref.reference.conventions`.

    >>> file_name("real-cg", 12, "npz", (3, 10))
    'real-cg_lmax12/real-cg_lmax12_03-10.npz'
    """
    base = f"{kind}_lmax{l_max}"
    if shard is None:
        return f"{base}.{fmt}"
    width = max(len(str(l_max)), 1)
    return f"{base}/{base}_{'-'.join(f'{i:0{width}d}' for i in shard)}.{fmt}"


def _regenerate(kind: str, l_max: int, fmt: str, shard) -> str:
    shards = "none" if shard is None else "blocks"
    return f"o3ref tables --kind {kind} --l-max {l_max} --format {fmt} --shards {shards} --out DIR"


def _encode_csv(kind, l_max, shard, rows, pi) -> bytes:
    cols = pair_columns(rows, pi)
    (p, q, exact), values = cols.objects(rows), cols.values(rows)
    head = ",".join(columns(kind))
    lines = [head]
    indices = rows.indices.tolist()
    signs = rows.sign.tolist()
    for idx, s, pp, qq, e, v in zip(indices, signs, p, q, exact, values.tolist(), strict=True):
        lines.append(f"{','.join(map(str, idx))},{s},{pp},{qq},{e},{v!r}")
    return ("\n".join(lines) + "\n").encode("ascii")


def _encode_json(kind, l_max, shard, rows, pi) -> bytes:
    head = {
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "description": DESCRIPTION[kind],
        "l_max": l_max,
        "shard": None if shard is None else list(shard),
        "value": ("sign * sqrt(p/q) / sqrt(pi)" if pi else "sign * sqrt(p/q)")
        + "; only non-zero entries",
        "conventions": "o3ref.reference.conventions",
        "columns": list(columns(kind)),
        "regenerate": _regenerate(kind, l_max, "json", shard),
    }
    text = json.dumps(head, indent=1, sort_keys=True)[:-2]  # drop the closing "\n}"
    cols = pair_columns(rows, pi)
    (p, q, exact), values = cols.objects(rows), cols.values(rows)
    body = ",\n".join(
        f"  [{','.join(map(str, idx))},{s},{pp},{qq},\"{e}\",{json.dumps(v)}]"
        for idx, s, pp, qq, e, v in zip(rows.indices.tolist(), rows.sign.tolist(), p, q, exact,
                                        values.tolist(), strict=True)
    )
    return (text + ',\n "rows": [\n' + body + ("\n ]\n}\n" if body else " ]\n}\n")).encode("ascii")


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    if not array.flags.f_contiguous:
        array = np.ascontiguousarray(array)
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


_TEXT_MEMBERS = ("p", "q", "exact")


def _encode_npz(kind, l_max, shard, rows, pi) -> bytes:
    cols = pair_columns(rows, pi)
    width = len(index_columns(kind))
    members = {
        # column-major: each index column is contiguous (6x smaller, 2.5x faster to deflate)
        "indices": np.asfortranarray(rows.indices.reshape(len(rows), width), dtype=np.int64),
        "sign": rows.sign.astype(np.int8),
        "p": cols.fixed_width("p", rows),
        "q": cols.fixed_width("q", rows),
        "exact": cols.fixed_width("plus", rows, signed=True),
        "value": cols.values(rows),
        "index_columns": np.array([c.encode("ascii") for c in index_columns(kind)], np.bytes_),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, array in members.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            # text deflates 3-4x faster at level 1 and only ~30% larger
            level = 1 if name in _TEXT_MEMBERS else 6
            zf.writestr(info, _npy_bytes(array), compresslevel=level)
    return buffer.getvalue()


_ENCODERS = {"csv": _encode_csv, "json": _encode_json, "npz": _encode_npz}


def encode(kind: str, l_max: int, fmt: str, rows: ShardRows, shard=None) -> bytes:
    """The bytes of a table (or of one shard) in format ``fmt``.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format={fmt!r} must be one of {', '.join(FORMATS)}")
    return _ENCODERS[fmt](kind, l_max, shard, rows, kind in PI_KINDS)


# ----------------------------------------------------------------------------- files


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data`` (the checksum the manifest records)."""
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes, sync: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place
    (``fsync`` first when ``sync``; shards skip it: a resumed run re-verifies checksums)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def manifest_bytes(entries: dict[str, dict]) -> bytes:
    """The bytes of ``manifest.json`` for ``entries`` (sorted: the same in any order)."""
    manifest = {
        "format_version": FORMAT_VERSION,
        "generator": "o3ref tables (o3ref.reference.tables)",
        "conventions": "o3ref.reference.conventions",
        "files": dict(sorted(entries.items())),
    }
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("ascii")


def write_manifest(directory: Path, entries: dict[str, dict]) -> None:
    """Write ``directory/manifest.json`` (atomically) listing ``entries``.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    atomic_write(Path(directory) / MANIFEST, manifest_bytes(entries))


def load_manifest(directory) -> dict[str, dict]:
    """The ``files`` entries of ``directory/manifest.json``; a ``ValueError`` naming the
    manifest when it is not one.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: tables are read through their manifest")
    try:
        files = json.loads(path.read_text("ascii"))["files"]
        if not isinstance(files, dict):
            raise TypeError("'files' is not a mapping")
        for name, entry in files.items():
            missing = {"kind", "l_max", "format", "rows", "bytes", "sha256"} - set(entry)
            if missing:
                raise KeyError(f"entry {name!r} lacks {sorted(missing)}")
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a manifest of o3ref tables ({exc})") from exc
    return files


def checked_bytes(path: Path, entry: dict) -> bytes:
    """The bytes of ``path`` if they match the manifest ``entry`` (sha256 and size)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc})") from exc
    digest = sha256(data)
    if digest != entry["sha256"] or len(data) != entry["bytes"]:
        raise ValueError(
            f"{path}: sha256 {digest} does not match the manifest ({entry['sha256']}); "
            "the file was modified or corrupted"
        )
    return data


def verify_manifest(directory) -> dict[str, str]:
    """Check every file listed in ``directory/manifest.json``; returns ``{name: sha256}``.

    Raises ``ValueError`` naming the first file whose bytes do not match.
    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    directory = Path(directory)
    files = load_manifest(directory)
    for name, entry in sorted(files.items()):
        checked_bytes(directory / name, entry)
    return {name: entry["sha256"] for name, entry in sorted(files.items())}


# ----------------------------------------------------------------------------- reading


def _find_manifest(path: Path) -> tuple[Path, str]:
    """The folder holding the manifest that lists ``path`` and the name it is listed as."""
    for root in (path.parent, path.parent.parent):
        if (root / MANIFEST).is_file():
            return root, path.relative_to(root).as_posix()
    raise FileNotFoundError(f"{path.parent / MANIFEST} not found: tables are read through "
                            "their manifest")


def _parse_rows(path: Path, data: bytes, kind: str, fmt: str) -> list[tuple]:
    cols = columns(kind)
    width = len(index_columns(kind))
    try:
        if fmt == "json":
            payload = json.loads(data)
            if payload.get("kind") != kind or payload.get("columns") != list(cols):
                raise ValueError(f"header does not match kind {kind!r}")
            return [tuple(r) for r in payload["rows"]]
        if fmt == "csv":
            lines = data.decode("ascii").splitlines()
            if tuple(lines[0].split(",")) != cols:
                raise ValueError(f"header {lines[0]!r} does not match {cols}")
            rows = []
            for line in lines[1:]:
                parts = line.split(",")
                if len(parts) != len(cols):
                    raise ValueError(f"row {len(rows) + 1} has {len(parts)} fields")
                rows.append(tuple(int(v) for v in parts[: width + 3])
                            + (parts[width + 3], float(parts[width + 4])))
            return rows
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return [
                tuple(int(i) for i in idx) + (int(s), int(p), int(q), e.decode("ascii"), float(v))
                for idx, s, p, q, e, v in zip(npz["indices"].reshape(-1, width), npz["sign"],
                                              npz["p"], npz["q"], npz["exact"], npz["value"],
                                              strict=True)
            ]
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, OSError,
            zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: not a readable {fmt} table of kind {kind!r} ({exc})") from exc


def check_rows(path, kind: str, rows: list[tuple]) -> None:
    """Each row consistent: ``sign`` in {-1, 1}, ``p/q`` in lowest terms, ``exact`` text and
    ``value`` equal to ``sign * sqrt(p/q)`` (``/sqrt(pi)``), indices in increasing order.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    pi = kind in PI_KINDS
    width = len(index_columns(kind))
    seen: dict[tuple[int, int, int], tuple[str, float]] = {}
    previous = None
    for number, row in enumerate(rows, start=1):
        if len(row) != width + 5:
            raise ValueError(f"{path}: row {number} has {len(row)} columns, not {width + 5}")
        index, (sign, p, q, text, value) = row[:width], row[width:]
        if not all(type(v) is int for v in (*index, sign, p, q)):
            raise ValueError(f"{path}: row {number}: indices, sign, p, q must be integers")
        if sign not in (-1, 1) or p <= 0 or q <= 0 or gcd(p, q) != 1:
            raise ValueError(f"{path}: row {number}: sign={sign}, p={p}, q={q} is not a "
                             "non-zero sign * sqrt(p/q) with p/q in lowest terms")
        key = (sign, p, q)
        expected = seen.get(key)
        if expected is None:
            expected = seen[key] = (exact_text(sign, p, q, pi), float_value(sign, p, q, pi))
        if text != expected[0]:
            raise ValueError(f"{path}: row {number}: exact text {text!r} is not "
                             f"sign*sqrt(p/q) = {expected[0]!r}")
        if not isinstance(value, float) or value != expected[1]:
            raise ValueError(f"{path}: row {number}: value {value!r} is not the float64 of "
                             f"{expected[0]} ({expected[1]!r})")
        if previous is not None and tuple(index) <= previous:
            raise ValueError(f"{path}: row {number}: indices {tuple(index)} out of order")
        previous = tuple(index)


def read_table(path) -> dict:
    """Read one table file (or shard) after checking it against its manifest and row by row.

    Returns ``{"kind", "l_max", "shard", "columns", "rows"}`` with rows as tuples of Python
    values (``p``, ``q`` as ints). Raises ``ValueError`` naming the file (and the row) when
    its checksum does not match the manifest, the manifest is broken, or a row is not
    internally consistent (:func:`check_rows`).
    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    path = Path(path)
    root, name = _find_manifest(path)
    files = load_manifest(root)
    if name not in files:
        raise ValueError(f"{path}: not listed in {root / MANIFEST}")
    entry = files[name]
    data = checked_bytes(path, entry)
    kind, fmt = entry["kind"], entry["format"]
    if kind not in DESCRIPTION or fmt not in FORMATS:
        raise ValueError(f"{path}: manifest entry has kind={kind!r}, format={fmt!r}")
    rows = _parse_rows(path, data, kind, fmt)
    if len(rows) != entry["rows"]:
        raise ValueError(f"{path}: {len(rows)} rows, the manifest says {entry['rows']}")
    check_rows(path, kind, rows)
    shard = entry.get("shard")
    if shard is not None:
        key = tuple(shard)
        for number, row in enumerate(rows, start=1):
            if tuple(row[: len(key)]) != key:
                raise ValueError(f"{path}: row {number} has indices {tuple(row[: len(key)])} "
                                 f"but the file is the shard {key} (a swapped or edited file)")
    return {"kind": kind, "l_max": entry["l_max"], "shard": shard, "columns": columns(kind),
            "rows": rows}
