"""Password hashes: argon2id in Django's format for new ones; every Django format verifies.

The vectors in data/django_hashes.json were made by a real Django 5.2 install (see
data/make_django_vectors.py); Django is not a dependency of gmctl.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gmctl.auth.passwords import (
    generate_password,
    hash_password,
    needs_rehash,
    unusable_password,
    verify_password,
)

DATA = json.loads((Path(__file__).parent / "data" / "django_hashes.json").read_text(encoding="utf-8"))
VECTORS = DATA["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['hasher']}-{i}" for i, v in enumerate(VECTORS)])
def test_a_hash_made_by_django_verifies(vector):
    assert verify_password(vector["password"], vector["encoded"])
    assert not verify_password(vector["password"] + "x", vector["encoded"])


def test_every_django_format_is_covered():
    assert {v["hasher"] for v in VECTORS} == {
        "pbkdf2_sha256",
        "pbkdf2_sha1",
        "argon2",
        "bcrypt_sha256",
        "bcrypt",
    }


def test_django_accepts_gmctl_hashes_without_rehashing():
    (made,) = DATA["gmctl_made"]
    assert made["django_check_password"] and made["django_rejects_wrong_password"]
    assert made["django_must_update"] is False
    assert verify_password(made["password"], made["encoded"])
    assert not needs_rehash(made["encoded"])


def test_new_hashes_are_argon2id_in_djangos_format():
    encoded = hash_password("Ikoyi-Bridge-77#")
    assert encoded.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    assert verify_password("Ikoyi-Bridge-77#", encoded) and not verify_password("ikoyi-bridge-77#", encoded)
    assert not needs_rehash(encoded)
    assert hash_password("Ikoyi-Bridge-77#") != encoded  # salted


def test_older_formats_need_a_rehash():
    for vector in VECTORS:
        assert needs_rehash(vector["encoded"]) == (vector["hasher"] != "argon2")


def test_unusable_and_malformed_hashes_never_verify():
    assert not verify_password("", unusable_password())
    for stored in (
        "",
        None,
        "md5$abc$def",
        "pbkdf2_sha256$x$y",
        "bcrypt$$nothing",
        "argon2$argon2id$bad",
        "plain",
    ):
        assert not verify_password("plain", stored)


def test_bcrypt_refuses_long_passwords_without_crashing():
    bcrypt_vector = next(v for v in VECTORS if v["hasher"] == "bcrypt")
    assert not verify_password("x" * 100, bcrypt_vector["encoded"])


def test_generated_passwords_are_strong_and_distinct():
    seen = {generate_password() for _ in range(20)}
    assert len(seen) == 20
    for password in seen:
        assert len(password) == 20
        assert any(c.isupper() for c in password) and any(c.islower() for c in password)
        assert any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)
