"""The type rules: unknown is not a mismatch, equivalents are not, an executable behind .pdf is."""

from __future__ import annotations

import pytest

from gmctl.files.sniff import check_types, compare
from gmctl.seed.demo_files import content_for, docx_bytes, jpeg_bytes, pdf_bytes, png_bytes
from tests.files.conftest import add_upload

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize("recorded,sniffed,verdict", [
    ("application/pdf", "application/pdf", "match"),
    ("image/jpg", "image/jpeg", "match"),  # an alias
    ("text/csv", "text/plain", "match"),  # libmagic calls csv plain text
    ("text/markdown", "text/plain", "match"),
    ("application/json", "text/plain", "match"),
    (DOCX, "application/zip", "match"),  # a docx is a zip
    ("application/vnd.oasis.opendocument.text", "application/zip", "match"),
    ("application/msword", "application/CDFV2", "match"),
    ("Text/Plain; charset=utf-8", "text/plain", "match"),
    ("application/pdf", "application/octet-stream", "unknown"),
    ("application/pdf", "", "unknown"),
    ("image/png", None, "unknown"),
    ("application/pdf", "inode/x-empty", "unknown"),
    ("application/pdf", "application/x-executable", "mismatch"),
    ("application/pdf", "application/x-dosexec", "mismatch"),
    ("image/jpeg", "image/png", "mismatch"),
    ("application/zip", "text/plain", "mismatch"),  # equivalence is not symmetric: zip is no text
    ("text/plain", "application/zip", "mismatch"),
])
def test_rules(recorded, sniffed, verdict):
    assert compare(recorded, sniffed) == verdict


def test_real_files_sniffed_by_content_not_extension(connection, root):
    ids = {
        "pdf": add_upload(connection, root, "t/doc.pdf", pdf_bytes("x"), mime_type="application/pdf"),
        "jpeg": add_upload(connection, root, "t/p.jpg", jpeg_bytes("x"), mime_type="image/jpeg"),
        "png": add_upload(connection, root, "t/p.png", png_bytes("x"), mime_type="image/png"),
        "docx": add_upload(connection, root, "t/b.docx", docx_bytes("x"), mime_type=DOCX),
        "csv": add_upload(connection, root, "t/l.csv", content_for("text/csv", "x"), mime_type="text/csv"),
        "exe": add_upload(connection, root, "t/statement.pdf", content_for("application/pdf", "x", "executable"),
                          mime_type="application/pdf"),
        "renamed": add_upload(connection, root, "t/photo.pdf", png_bytes("x"), mime_type="application/pdf"),
        "missing": add_upload(connection, None, "t/none.pdf", None, mime_type="application/pdf"),
    }
    verdicts = {c.id: (c.verdict, c.sniffed) for c in check_types(connection, root)}
    by_name = {name: verdicts[i] for name, i in ids.items()}
    assert by_name["pdf"] == ("match", "application/pdf")
    assert by_name["jpeg"] == ("match", "image/jpeg")
    assert by_name["png"] == ("match", "image/png")
    assert by_name["docx"][0] == "match" and by_name["docx"][1] in ("application/zip", DOCX)
    assert by_name["csv"] == ("match", "text/plain") or by_name["csv"] == ("match", "text/csv")
    assert by_name["exe"][0] == "mismatch" and "executable" in by_name["exe"][1]
    assert by_name["renamed"] == ("mismatch", "image/png")
    assert by_name["missing"] == ("missing", None)
