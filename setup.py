"""Packaging detail pyproject.toml cannot say: ship the repository's migrations/ inside the wheel.

The revisions live once, in the top-level migrations/ (where `alembic upgrade head` from the
repository root finds them through alembic.ini). setuptools maps that directory into the package as
gmctl/migrations, so a wheel, `pip install .` and `pipx install` carry them; an editable install
reads them in place. gmctl.schema.migrations_dir() finds either. Namespace discovery, as
pyproject's packages.find did: gmctl/db and others have no __init__.py.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=find_namespace_packages(include=["gmctl", "gmctl.*"], exclude=["*.__pycache__"]) + ["gmctl.migrations", "gmctl.migrations.versions"],
    package_dir={"gmctl.migrations": "migrations"},
    package_data={"gmctl.migrations": ["script.py.mako"]},
)
