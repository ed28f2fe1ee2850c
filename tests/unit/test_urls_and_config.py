"""Database URL resolution order, password masking, and config profiles."""

from __future__ import annotations

import pytest

from gmctl.db.url import choose_database, mask_url
from gmctl.errors import InvalidInput


def test_resolution_order(tmp_path):
    env = {"GMCTL_DATABASE_URL": "postgresql://a@h/one", "DATABASE_URL": "postgresql://b@h/two"}
    assert choose_database("postgres://o@h/opt", env, tmp_path).url == "postgresql://o@h/opt"
    assert choose_database(None, env, tmp_path).source == "GMCTL_DATABASE_URL"
    assert choose_database(None, {"DATABASE_URL": "postgresql://b@h/two"}, tmp_path).source == "DATABASE_URL"
    (tmp_path / "config.toml").write_text(
        'active_profile = "prod"\n[profiles.prod]\ndatabase_url = "postgresql://p@h/prod"\n'
        '[profiles.stage]\ndatabase_url = "postgresql://s@h/stage"\n')
    assert choose_database(None, {}, tmp_path).url == "postgresql://p@h/prod"
    assert choose_database(None, {"GMCTL_PROFILE": "stage"}, tmp_path).url == "postgresql://s@h/stage"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert choose_database(None, {}, empty).is_embedded


def test_unknown_profile_is_invalid_input(tmp_path):
    (tmp_path / "config.toml").write_text('active_profile = "nope"\n')
    with pytest.raises(InvalidInput, match="nope"):
        choose_database(None, {}, tmp_path)


def test_broken_config_names_the_file(tmp_path):
    (tmp_path / "config.toml").write_text("active_profile = \n")
    with pytest.raises(InvalidInput, match="config.toml"):
        choose_database(None, {}, tmp_path)


@pytest.mark.parametrize("url,masked", [
    ("postgresql://ops:s3cr3t@db:5432/gm", "postgresql://ops:***@db:5432/gm"),
    ("postgresql://ops@db/gm", "postgresql://ops@db/gm"),
    ("postgresql://db/gm?password=hunter2&sslmode=require", "postgresql://db/gm?password=***&sslmode=require"),
])
def test_mask_url(url, masked):
    assert mask_url(url) == masked
