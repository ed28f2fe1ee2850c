"""Path containment: `..`, absolute paths and symlinks are refused and never opened; sizes parse one way."""

from __future__ import annotations

import os

import pytest

from gmctl.errors import InvalidInput
from gmctl.files.sizes import format_size, parse_size
from gmctl.files.storage import PathRefused, contained_path, open_contained, relative_parts


def read(root, file_path: str) -> bytes:
    fd = open_contained(file_path, root)
    try:
        return os.read(fd, 100)
    finally:
        os.close(fd)


def test_a_plain_relative_path_opens(root):
    (root / "uploads" / "2026").mkdir(parents=True)
    (root / "uploads" / "2026" / "a.pdf").write_bytes(b"%PDF")
    assert read(root, "uploads/2026/a.pdf") == b"%PDF"
    assert read(root, "./uploads//2026/../2026/a.pdf") == b"%PDF"  # climbs, but stays inside


@pytest.mark.parametrize("path", ["../outside.txt", "uploads/../../outside.txt", "..", "a/b/../../../outside.txt"])
def test_dot_dot_out_of_the_root_is_refused_before_any_disk_access(root, tmp_path, path):
    (tmp_path / "outside.txt").write_text("secret")
    with pytest.raises(PathRefused, match="climbs out"):
        open_contained(path, root)
    with pytest.raises(PathRefused):
        relative_parts(path, root)


def test_an_absolute_path_elsewhere_is_refused_and_one_under_the_root_is_accepted(root, tmp_path):
    (tmp_path / "outside.txt").write_text("secret")
    with pytest.raises(PathRefused, match="absolute path outside the storage root"):
        open_contained(str(tmp_path / "outside.txt"), root)
    with pytest.raises(PathRefused, match="absolute path outside"):
        open_contained("/etc/passwd", root)
    # A sibling directory whose name starts like the root's is still outside it.
    sibling = tmp_path / (root.name + "-other")
    sibling.mkdir()
    (sibling / "x").write_text("x")
    with pytest.raises(PathRefused):
        open_contained(str(sibling / "x"), root)
    (root / "in.txt").write_text("inside")
    assert read(root, str(root / "in.txt")) == b"inside"


def test_a_symlinked_file_is_refused_even_when_it_points_inside(root, tmp_path):
    (tmp_path / "outside.txt").write_text("secret")
    (root / "real.txt").write_text("real")
    os.symlink(tmp_path / "outside.txt", root / "escape.txt")
    os.symlink(root / "real.txt", root / "alias.txt")
    with pytest.raises(PathRefused, match="symlink 'escape.txt'"):
        open_contained("escape.txt", root)
    with pytest.raises(PathRefused, match="symlink 'alias.txt'"):
        open_contained("alias.txt", root)


def test_a_symlinked_directory_on_the_way_is_refused(root, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "f.txt").write_text("secret")
    os.symlink(tmp_path / "elsewhere", root / "uploads")
    with pytest.raises(PathRefused, match="symlink 'uploads'"):
        open_contained("uploads/f.txt", root)


def test_a_symlink_to_a_fifo_is_refused_without_opening_it(root, tmp_path):
    # Opening a FIFO that has no writer blocks for ever: returning at all proves it was never opened.
    os.mkfifo(tmp_path / "pipe")
    os.symlink(tmp_path / "pipe", root / "pipe.pdf")
    with pytest.raises(PathRefused, match="symlink"):
        open_contained("pipe.pdf", root)


def test_a_fifo_or_directory_at_the_path_is_not_a_regular_file(root):
    os.mkfifo(root / "pipe.pdf")
    (root / "dir.pdf").mkdir()
    with pytest.raises(PathRefused, match="not a regular file"):
        open_contained("pipe.pdf", root)
    with pytest.raises((PathRefused, IsADirectoryError)):
        open_contained("dir.pdf", root)


def test_missing_is_file_not_found_and_nul_is_refused(root):
    with pytest.raises(FileNotFoundError):
        open_contained("uploads/none.pdf", root)
    with pytest.raises(PathRefused, match="NUL"):
        open_contained("a\x00b", root)
    assert contained_path("uploads/x.pdf", root) == root / "uploads" / "x.pdf"


@pytest.mark.parametrize("text,expected", [
    ("10MB", 10_000_000), ("10M", 10_000_000), ("512KiB", 524_288), ("512ki", 524_288), ("2048", 2048),
    ("1.5GiB", 1_610_612_736), ("1kb", 1000), ("3 MiB", 3 * 1024 * 1024), ("7B", 7),
])
def test_sizes_decimal_and_binary_units(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "ten", "10XB", "-5MB", "10 M B"])
def test_a_bad_size_is_invalid_input_naming_the_option(text):
    with pytest.raises(InvalidInput, match="--larger-than"):
        parse_size(text, what="--larger-than")


def test_format_size_uses_binary_units():
    assert format_size(512) == "512 B"
    assert format_size(1536) == "1.5 KiB"
    assert format_size(10 * 2**20) == "10.0 MiB"
