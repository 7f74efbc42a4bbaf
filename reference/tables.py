"""Exact coefficient tables (``o3ref tables``): write, checksum, read back and verify.

``o3ref tables --kind {cg,3j,real-cg} --l-max N --format {json,csv,npz} --out DIR [--force]``
writes one file per kind and format plus ``DIR/manifest.json``, which records the sha256 and
size of every file. Several kinds and formats may be given at once; tables written to the
same folder later are added to its manifest.

What a table holds: every *non-zero* coefficient with all angular momenta ``<= l_max``
(``l1, l2, L`` for ``cg`` and ``real-cg``, ``l1, l2, l3`` for ``3j``), in increasing
order of its indices. Columns: the indices, then ``sign, p, q`` (the value is
``sign * sqrt(p/q)``, ``p/q`` in lowest terms), ``exact`` (the same number as text, such as
``-sqrt(3/10)``) and ``value`` (the nearest float64, written as Python's shortest repr).

* ``cg``: ``l1, m1, l2, m2, L, M`` = ``<l1 m1 l2 m2 | L M>`` (complex, Condon-Shortley);
* ``3j``: ``l1, l2, l3, m1, m2, m3`` = ``(l1 l2 l3; m1 m2 m3)``;
* ``real-cg``: ``l1, l2, L, m1, m2, M`` = ``C[m1, m2, M]`` of
  :func:`~o3ref.reference.clebsch_gordan.real_clebsch_gordan`.

Files are byte-for-byte deterministic (no timestamps; npz members are stored uncompressed
with a fixed date), written atomically (temporary file, then ``os.replace``), and never
overwritten without ``--force``. :func:`read_table` verifies the checksum against the
manifest and refuses a file that does not match.

Conventions: see :mod:`o3ref.reference.conventions` (section "Clebsch-Gordan").

>>> rows = table_rows("real-cg", 1)
>>> rows[0]  # (l1, l2, L, m1, m2, M, sign, p, q, exact, value)
(0, 0, 0, 0, 0, 0, 1, 1, 1, '1', 1.0)
>>> [r[-2] for r in rows if r[:3] == (1, 1, 0)]  # -(u . v)/sqrt(3)
['-sqrt(1/3)', '-sqrt(1/3)', '-sqrt(1/3)']
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .clebsch_gordan import clebsch_gordan_exact, wigner_3j_exact
from .indexing import check_degree, m_index, m_values, triangle
from .real_cg import real_clebsch_gordan
from .signed_sqrt import SignedSqrt

__all__ = [
    "KINDS",
    "FORMATS",
    "configure_parser",
    "read_table",
    "run",
    "table_rows",
    "verify_manifest",
    "write_tables",
]

KINDS = ("cg", "3j", "real-cg")
FORMATS = ("json", "csv", "npz")
MANIFEST = "manifest.json"
FORMAT_VERSION = 1

_INDEX_COLUMNS = {
    "cg": ("l1", "m1", "l2", "m2", "L", "M"),
    "3j": ("l1", "l2", "l3", "m1", "m2", "m3"),
    "real-cg": ("l1", "l2", "L", "m1", "m2", "M"),
}
_VALUE_COLUMNS = ("sign", "p", "q", "exact", "value")
_DESCRIPTION = {
    "cg": "complex Clebsch-Gordan <l1 m1 l2 m2 | L M>, Condon-Shortley",
    "3j": "Wigner 3j symbol (l1 l2 l3; m1 m2 m3)",
    "real-cg": "real Clebsch-Gordan C[m1, m2, M] (Re K or Im K of o3ref.reference.conventions)",
}
# fixed metadata of npz members, so that the archive bytes never depend on the clock
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def columns(kind: str) -> tuple[str, ...]:
    """Column names of a table of ``kind``."""
    return _INDEX_COLUMNS[_check_kind(kind)] + _VALUE_COLUMNS


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} must be one of {', '.join(KINDS)}")
    return kind


def _value_columns(v: SignedSqrt) -> tuple:
    return (v.sign, v.p, v.q, str(v), float(v))


def table_rows(kind: str, l_max) -> list[tuple]:
    """All non-zero coefficients of ``kind`` with angular momenta ``<= l_max``, as rows.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    _check_kind(kind)
    l_max = check_degree("l_max", l_max)
    rows = []
    for l1 in range(l_max + 1):
        for l2 in range(l_max + 1):
            for L in triangle(l1, l2):
                if L > l_max:
                    break
                if kind == "real-cg":
                    c = real_clebsch_gordan(l1, l2, L)
                    for m1 in m_values(l1):
                        for m2 in m_values(l2):
                            for bigm in m_values(L):
                                v = c[m_index(l1, m1), m_index(l2, m2), m_index(L, bigm)]
                                if v:
                                    rows.append((l1, l2, L, m1, m2, bigm) + _value_columns(v))
                    continue
                for m1 in m_values(l1):
                    for m2 in m_values(l2):
                        bigm = m1 + m2
                        if abs(bigm) > L:
                            continue
                        if kind == "cg":
                            v = clebsch_gordan_exact(l1, m1, l2, m2, L, bigm)
                            index = (l1, m1, l2, m2, L, bigm)
                        else:
                            v = wigner_3j_exact(l1, l2, L, m1, m2, -bigm)
                            index = (l1, l2, L, m1, m2, -bigm)
                        if v:
                            rows.append(index + _value_columns(v))
    rows.sort(key=lambda r: r[:6])
    return rows


# ----------------------------------------------------------------------------- encoders


def _encode_csv(kind: str, l_max: int, rows: list[tuple]) -> bytes:
    lines = [",".join(columns(kind))]
    lines += [",".join(repr(v) if isinstance(v, float) else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("ascii")


def _encode_json(kind: str, l_max: int, rows: list[tuple]) -> bytes:
    head = {
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "description": _DESCRIPTION[kind],
        "l_max": l_max,
        "value": "sign * sqrt(p/q); only non-zero entries",
        "conventions": "o3ref.reference.conventions",
        "columns": list(columns(kind)),
        "regenerate": f"o3ref tables --kind {kind} --l-max {l_max} --format json --out DIR",
    }
    text = json.dumps(head, indent=1, sort_keys=True)[:-2]  # drop the closing "\n}"
    body = ",\n".join("  " + json.dumps(list(row), separators=(",", ":")) for row in rows)
    return (text + ',\n "rows": [\n' + body + "\n ]\n}\n").encode("ascii")


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _encode_npz(kind: str, l_max: int, rows: list[tuple]) -> bytes:
    n = len(rows)
    members = {
        "indices": np.array([r[:6] for r in rows], dtype=np.int64).reshape(n, 6),
        "sign": np.array([r[6] for r in rows], dtype=np.int8),
        # p and q can exceed int64 for large l: stored as ASCII decimal text, exact
        "p": np.array([str(r[7]).encode("ascii") for r in rows], dtype=np.bytes_),
        "q": np.array([str(r[8]).encode("ascii") for r in rows], dtype=np.bytes_),
        "exact": np.array([r[9].encode("ascii") for r in rows], dtype=np.bytes_),
        "value": np.array([r[10] for r in rows], dtype=np.float64),
        "index_columns": np.array([c.encode("ascii") for c in _INDEX_COLUMNS[kind]], np.bytes_),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in members.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, _npy_bytes(array))
    return buffer.getvalue()


_ENCODERS = {"csv": _encode_csv, "json": _encode_json, "npz": _encode_npz}


def file_name(kind: str, l_max: int, fmt: str) -> str:
    """``{kind}_lmax{l_max}.{fmt}``, e.g. ``real-cg_lmax4.csv``."""
    return f"{kind}_lmax{l_max}.{fmt}"


# ----------------------------------------------------------------------------- writing


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _manifest_bytes(entries: dict[str, dict]) -> bytes:
    manifest = {
        "format_version": FORMAT_VERSION,
        "generator": "o3ref tables (o3ref.reference.tables)",
        "conventions": "o3ref.reference.conventions",
        "files": entries,
    }
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("ascii")


def write_tables(out_dir, kinds, l_max, formats, force: bool = False) -> dict[str, dict]:
    """Write the tables and ``manifest.json``; returns the manifest's ``files`` entries.

    Refuses (``FileExistsError``) to overwrite an existing table unless ``force``; the
    manifest keeps the entries of the folder's other tables.
    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    l_max = check_degree("l_max", l_max)
    kinds = list(dict.fromkeys(_check_kind(k) for k in kinds))
    formats = list(dict.fromkeys(formats))
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"format={fmt!r} must be one of {', '.join(FORMATS)}")
    if not kinds or not formats:
        raise ValueError("at least one kind and one format are needed")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out={str(out)!r} exists and is not a directory")
    targets = [file_name(k, l_max, f) for k in kinds for f in formats]
    existing = [name for name in targets if (out / name).exists()]
    if existing and not force:
        raise FileExistsError(
            f"{', '.join(str(out / n) for n in existing)} already "
            f"{'exists' if len(existing) == 1 else 'exist'}; pass --force to overwrite"
        )
    # the manifest indexes every table of the folder: entries of other tables are kept
    kept = _kept_entries(out, set(targets), force)
    out.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict] = {}
    for kind in kinds:
        rows = table_rows(kind, l_max)
        for fmt in formats:
            data = _ENCODERS[fmt](kind, l_max, rows)
            name = file_name(kind, l_max, fmt)
            _atomic_write(out / name, data)
            entries[name] = {
                "kind": kind,
                "l_max": l_max,
                "format": fmt,
                "rows": len(rows),
                "bytes": len(data),
                "sha256": _sha256(data),
            }
    _atomic_write(out / MANIFEST, _manifest_bytes({**kept, **entries}))
    return entries


def _kept_entries(out: Path, replaced: set[str], force: bool) -> dict[str, dict]:
    """Entries of an existing manifest for tables this run does not write (and that still
    exist); an unreadable manifest is refused unless ``force``."""
    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text("ascii"))["files"]
        if not isinstance(files, dict):
            raise TypeError("files is not a mapping")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        if force:
            return {}
        raise ValueError(
            f"{path} is not a manifest of o3ref tables ({exc}); pass --force to replace it"
        ) from exc
    return {
        name: entry
        for name, entry in files.items()
        if name not in replaced and (out / name).is_file()
    }


# ----------------------------------------------------------------------------- reading


def _load_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: tables are read through their manifest")
    return json.loads(path.read_text("ascii"))


def verify_manifest(directory) -> dict[str, str]:
    """Check every file listed in ``directory/manifest.json``; returns ``{name: sha256}``.

    Conventions: see :mod:`o3ref.reference.conventions`.

    Raises ``ValueError`` naming the first file whose bytes do not match.
    """
    directory = Path(directory)
    files = _load_manifest(directory)["files"]
    for name, entry in sorted(files.items()):
        _checked_bytes(directory / name, entry)
    return {name: entry["sha256"] for name, entry in sorted(files.items())}


def _checked_bytes(path: Path, entry: dict) -> bytes:
    data = path.read_bytes()
    digest = _sha256(data)
    if digest != entry["sha256"] or len(data) != entry["bytes"]:
        raise ValueError(
            f"{path}: sha256 {digest} does not match the manifest ({entry['sha256']}); "
            "the file was modified or corrupted"
        )
    return data


def read_table(path) -> dict:
    """Read a table written by :func:`write_tables` after checking it against the manifest.

    Returns ``{"kind", "l_max", "columns", "rows"}`` with rows as tuples of Python values
    (``p``, ``q`` as ints). Raises ``ValueError`` naming the file when its checksum does not
    match ``manifest.json`` beside it.
    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    path = Path(path)
    files = _load_manifest(path.parent)["files"]
    if path.name not in files:
        raise ValueError(f"{path}: not listed in {path.parent / MANIFEST}")
    entry = files[path.name]
    data = _checked_bytes(path, entry)
    kind, fmt = entry["kind"], entry["format"]
    cols = columns(kind)
    if fmt == "json":
        payload = json.loads(data)
        rows = [tuple(r) for r in payload["rows"]]
    elif fmt == "csv":
        lines = data.decode("ascii").splitlines()
        if tuple(lines[0].split(",")) != cols:
            raise ValueError(f"{path}: header {lines[0]!r} does not match {cols}")
        rows = []
        for line in lines[1:]:
            parts = line.split(",")
            rows.append(tuple(int(v) for v in parts[:9]) + (parts[9], float(parts[10])))
    else:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            rows = [
                tuple(int(i) for i in idx) + (int(s), int(p), int(q), e.decode("ascii"), float(v))
                for idx, s, p, q, e, v in zip(
                    npz["indices"],
                    npz["sign"],
                    npz["p"],
                    npz["q"],
                    npz["exact"],
                    npz["value"],
                    strict=True,
                )
            ]
    return {"kind": kind, "l_max": entry["l_max"], "columns": cols, "rows": rows}


# ----------------------------------------------------------------------------- command line


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``o3ref tables``.

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    parser.add_argument(
        "--kind", nargs="+", choices=KINDS, required=True, help="table kind(s) to write"
    )
    parser.add_argument(
        "--l-max", type=int, required=True, help="largest angular momentum in the tables"
    )
    parser.add_argument(
        "--format", nargs="+", choices=FORMATS, default=["json"], help="file format(s)"
    )
    parser.add_argument("--out", required=True, help="output directory (created if missing)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")


def run(args: argparse.Namespace) -> int:
    """Write the tables and print a summary (files, rows, sha256).

    Conventions: see :mod:`o3ref.reference.conventions`.
    """
    if args.l_max < 0:
        raise ValueError(f"--l-max={args.l_max} must be a non-negative integer")
    try:
        entries = write_tables(args.out, args.kind, args.l_max, args.format, force=args.force)
    except (FileExistsError, FileNotFoundError):
        raise  # the command line prints these with their message
    except OSError as exc:  # e.g. --out below a file, or a folder without write permission
        print(f"o3ref tables: error: cannot write to --out={args.out}: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    print(f"o3ref tables: l_max={args.l_max}, exact values sign*sqrt(p/q), non-zero entries only")
    for name, entry in entries.items():
        print(
            f"  {out / name}  rows={entry['rows']}  bytes={entry['bytes']}  "
            f"sha256={entry['sha256']}"
        )
    manifest = out / MANIFEST
    print(f"  {manifest}  sha256={_sha256(manifest.read_bytes())}")
    return 0
