"""Regenerate django_hashes.json: password hashes made by a real Django, and Django's verdict on gmctl's.

Django is NOT a dependency of gmctl. Run this with a throw-away virtualenv:

    python3 -m venv /tmp/django-vectors
    /tmp/django-vectors/bin/pip install django argon2-cffi bcrypt
    GMCTL_HASH=$(python -c "from gmctl.auth.passwords import *; print(hash_password('Ikoyi-Bridge-77#'))")
    /tmp/django-vectors/bin/python tests/auth/data/make_django_vectors.py 'Ikoyi-Bridge-77#' "$GMCTL_HASH" \
        > tests/auth/data/django_hashes.json
"""

import json
import sys

import django
from django.conf import settings

settings.configure(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
    ]
)
django.setup()

from django.contrib.auth.hashers import check_password, identify_hasher, make_password  # noqa: E402

PASSWORDS = ["Lagos-Harbour-2024!", "ọ̀rọ̀ aṣínà ñ €"]
vectors = []
for hasher in ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt"]:
    for password in PASSWORDS:
        encoded = make_password(password, hasher=hasher)
        assert check_password(password, encoded)
        vectors.append({"hasher": hasher, "password": password, "encoded": encoded})

gmctl_made = []
if len(sys.argv) == 3:
    password, encoded = sys.argv[1], sys.argv[2]
    gmctl_made.append(
        {
            "password": password,
            "encoded": encoded,
            "django_check_password": check_password(password, encoded),
            "django_rejects_wrong_password": not check_password(password + "x", encoded),
            "django_must_update": identify_hasher(encoded).must_update(encoded),
        }
    )

print(
    json.dumps(
        {
            "_comment": "Made by tests/auth/data/make_django_vectors.py with a real Django install "
            "(see its docstring).",
            "django": django.get_version(),
            "vectors": vectors,
            "gmctl_made": gmctl_made,
        },
        indent=2,
        ensure_ascii=False,
    )
)
