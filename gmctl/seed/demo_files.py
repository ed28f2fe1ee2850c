"""Real files for the demo's and the scale seed's file_uploads rows, written under the files root.

Every record gets a small real file of its type (PDF, JPEG, PNG, docx, text, csv), made here with the
standard library, and its file_size and file_hash are set from the bytes written. Then, so that
every `gmctl files` command has something to show:
- one record's hash is wrong (verify: hash_mismatch);
- one record's file is not written (verify and orphans: missing);
- one file is written that no record names (orphans);
- one file carries the project's harmless test marker (scan: infected with GMCTL.Test.Marker);
- one `.pdf` is really an executable header (types: mismatch), and two uploads share content
  (duplicates).
Every demo file is pending a scan: the platform has no scanner of its own, so the quick start's
`gmctl files scan --pending` shows the whole story. The seed writes files only when given a root;
the database rows alone are unchanged without one.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

from gmctl.files.marker import MARKER

STRAY_PATH = "uploads/stray/old_export_2023.csv"
EXTRA = (  # (original name, recorded mime, category, content kind)
    ("delivery_note.txt", "text/plain", "note", "text"),
    ("price_list.csv", "text/csv", "financial", "csv"),
    ("invoice_scan.txt", "text/plain", "upload", "marker"),
    ("statement_copy.pdf", "application/pdf", "financial", "executable"),
)


# -- content ----------------------------------------------------------------------------------------------
def pdf_bytes(title: str) -> bytes:
    """A one-page PDF with `title` on it, its xref offsets exact."""
    safe = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def jpeg_bytes(comment: str) -> bytes:
    """A baseline 8x8 grey JPEG (one DC and one EOB code) carrying `comment` in a COM segment."""
    def segment(marker: int, body: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body

    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quant = b"\x00" + bytes([1] * 64)
    frame = struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00"
    dc = b"\x00" + bytes([1] + [0] * 15) + b"\x00"  # class 0 id 0: one code of length 1 for category 0
    ac = b"\x10" + bytes([1] + [0] * 15) + b"\x00"  # class 1 id 0: one code of length 1 for EOB
    scan = b"\x01\x01\x00\x00\x3f\x00"
    return (b"\xff\xd8" + segment(0xE0, jfif) + segment(0xFE, comment.encode()[:60000]) + segment(0xDB, quant)
            + segment(0xC0, frame) + segment(0xC4, dc) + segment(0xC4, ac) + segment(0xDA, scan)
            + b"\x3f" + b"\xff\xd9")


def png_bytes(text: str) -> bytes:
    """A 1x1 PNG with `text` in a tEXt chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"tEXt", b"Comment\x00" + text.encode())
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def docx_bytes(text: str) -> bytes:
    """A minimal Word document (Office Open XML: a zip with the parts Word needs)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
                         f'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
                         '</w:body></w:document>')
    return out.getvalue()


def content_for(mime: str, label: str, kind: str | None = None) -> bytes:
    """Bytes of the recorded type (or of `kind`: text, csv, marker, executable) labelled with `label`."""
    if kind == "marker":
        return MARKER
    if kind == "executable":  # an ELF header: sniffs as an executable whatever the name says; runs nothing
        return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
    if kind == "csv" or mime == "text/csv":
        return f"item,price_ngn\n{label},15000.00\nDelivery,2500.00\n".encode()
    if kind == "text" or mime.startswith("text/"):
        return f"{label}\nReceived in good condition. Signed on delivery.\n".encode()
    if mime == "application/pdf":
        return pdf_bytes(label)
    if mime == "image/jpeg":
        return jpeg_bytes(label)
    if mime == "image/png":
        return png_bytes(label)
    if "wordprocessingml" in mime:
        return docx_bytes(label)
    return f"{label}\n".encode()


def write_file(root: Path, file_path: str, data: bytes) -> None:
    """Write under root (directories made), replacing what is there: a rerun writes the same bytes."""
    target = root.joinpath(*file_path.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, target)


# -- the demo --------------------------------------------------------------------------------------------
def write_demo_files(session: Any, root: Path, now: datetime, customer_ids: Iterable[int]) -> dict[str, Any]:
    """Write a real file for every file_uploads row, add the extra records, and make the anomalies.

    Runs in the caller's transaction (the rows change with it); returns what was made, for notes and
    tests: ids of the wrong-hash, missing, marker and mismatch records, the stray path, files written.
    """
    from sqlalchemy import text

    root.mkdir(parents=True, exist_ok=True)
    customers = list(customer_ids)
    made: dict[str, Any] = {}
    for index, (name, mime, category, kind) in enumerate(EXTRA):
        moment = (now - timedelta(days=2, hours=index)).replace(microsecond=0)
        stored = f"demo{index:02d}{hashlib.sha256(name.encode()).hexdigest()[:16]}.{name.rsplit('.', 1)[-1]}"
        made[kind] = session.execute(text(
            "INSERT INTO file_uploads (user_id, original_filename, stored_filename, file_path, file_size, mime_type,"
            " file_hash, file_category, is_public, is_temporary, virus_scan_status, created_at)"
            " VALUES (:user, :name, :stored, :path, 1, :mime, NULL, :category, false, false, 'pending', :at)"
            " RETURNING id"), {"user": customers[index % len(customers)] if customers else None, "name": name,
                                "stored": stored, "path": f"uploads/{moment:%Y/%m}/{stored}", "mime": mime,
                                "category": category, "at": moment}).scalar_one()
    # The demo's rows only: its customers' uploads and the records just added.
    rows = session.execute(text("SELECT id, original_filename, file_path, mime_type FROM file_uploads"
                                " WHERE user_id = ANY(:customers) OR id = ANY(:made) ORDER BY id"),
                           {"customers": customers, "made": list(made.values())}).all()
    kinds = {made[k]: k for k in made}
    regular = [r.id for r in rows if r.id not in kinds]
    missing = regular[len(regular) // 3] if regular else None
    wrong_hash = regular[(2 * len(regular)) // 3] if len(regular) > 1 else None
    mime_of = {r.id: r.mime_type for r in rows}
    # The same upload twice (duplicates): the first record, and the last one of the same type.
    duplicate_of = regular[0] if regular else None
    same_type = [i for i in regular[1:] if i not in (missing, wrong_hash) and mime_of[i] == mime_of.get(duplicate_of)]
    duplicate = same_type[-1] if same_type else None
    contents: dict[int, bytes] = {}
    written = 0
    for row in rows:
        data = content_for(row.mime_type, f"{row.original_filename} (upload {row.id})", kinds.get(row.id))
        if row.id == duplicate and duplicate_of in contents:
            data = contents[duplicate_of]  # the same upload twice: duplicates
        contents[row.id] = data
        digest = hashlib.sha256(data).hexdigest()
        if row.id == wrong_hash:
            digest = hashlib.sha256(data + b"before it was changed on disk").hexdigest()
        session.execute(text("UPDATE file_uploads SET file_size = :size, file_hash = :hash,"
                             " virus_scan_status = 'pending', virus_scan_result = NULL WHERE id = :id"),
                        {"size": len(data), "hash": digest, "id": row.id})
        if row.id != missing:
            write_file(root, row.file_path, data)
            written += 1
    write_file(root, STRAY_PATH, b"id,amount\n1,5000\n")
    made.update(missing=missing, wrong_hash=wrong_hash, duplicate=(duplicate_of, duplicate), stray=STRAY_PATH,
                written=written + 1)
    return made


# -- the scale seed ---------------------------------------------------------------------------------------
FILES_PER_UNIT = 100
SCALE_COLUMNS = ("user_id", "service_request_id", "original_filename", "stored_filename", "file_path", "file_size",
                 "mime_type", "file_hash", "file_category", "is_public", "is_temporary", "virus_scan_status",
                 "created_at")
SCALE_KINDS = (("receipt.pdf", "application/pdf", "financial"), ("photo.jpg", "image/jpeg", "photo"),
               ("note.txt", "text/plain", "note"), ("prices.csv", "text/csv", "financial"))


def scale_unit_files(root: Path, unit: int, users: list[int], requests: list[int], now: datetime) -> list[tuple]:
    """FILES_PER_UNIT real files for scale unit `unit` and their file_uploads rows (COPY order:
    SCALE_COLUMNS). In each unit, as in the demo: one wrong hash, one record without its file, one
    file without a record, one marker file. Paths are fixed per unit, so a rerun rewrites the same files."""
    rows = []
    for index in range(FILES_PER_UNIT):
        name, mime, category = SCALE_KINDS[index % len(SCALE_KINDS)]
        kind = "marker" if index == 3 else None
        if kind == "marker":
            name, mime = "scan.txt", "text/plain"
        stored = f"s{unit}f{index:04d}.{name.rsplit('.', 1)[-1]}"
        path = f"scale/u{unit:05d}/{stored}"
        data = content_for(mime, f"unit {unit} file {index} {name}", kind)
        digest = hashlib.sha256(data).hexdigest()
        if index == 1:
            digest = hashlib.sha256(b"changed" + data).hexdigest()
        if index != 2:
            write_file(root, path, data)
        moment = now - timedelta(days=30, minutes=index)
        rows.append((users[index % len(users)], requests[index % len(requests)], name, stored, path, len(data), mime,
                     digest, category, False, False, "pending", moment))
    write_file(root, f"scale/u{unit:05d}/stray_{unit}.txt", b"no record names this file\n")
    return rows
