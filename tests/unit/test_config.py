"""Settings saved by the app keep what the user chose and nothing else."""

from __future__ import annotations

import tomllib

from tunescope.config import Settings, load_settings, save_settings


def test_saving_writes_only_what_differs_from_the_defaults(tmp_path):
    path = tmp_path / "config.toml"
    save_settings(Settings(target="vertex"), path)
    assert tomllib.loads(path.read_text()) == {"target": "vertex"}     # no pinned model, no cache bound of 0
    assert load_settings(path) == Settings(target="vertex")


def test_a_setting_the_user_wrote_stays_even_at_its_default(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'model = "{Settings().model}"\nresult_cache_mb = 512\n')
    settings = load_settings(path)
    settings.target = "together"
    save_settings(settings, path)
    assert tomllib.loads(path.read_text()) == {"model": Settings().model, "result_cache_mb": 512,
                                               "target": "together"}
    settings.target = ""                       # back to the default: still written, the file had it
    save_settings(settings, path)
    assert tomllib.loads(path.read_text())["target"] == ""


def test_a_config_file_that_cannot_be_read_is_never_overwritten(tmp_path):
    import pytest

    from tunescope.config import ConfigError

    path = tmp_path / "config.toml"
    path.write_text('model = "gpt-4.1-mini-2025-04-14"\nkeymap = {"dataset.delete" = \n')   # mid-edit
    with pytest.raises(ConfigError, match="cannot be read"):
        save_settings(Settings(target="vertex"), path)
    assert path.read_text().endswith('"dataset.delete" = \n')
