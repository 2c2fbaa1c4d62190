"""The provider registry: built-ins come from the `tunescope.providers` entry points like any
third-party provider, the CLI's backend flags come from their OPTIONS, and a provider that
fails to load is reported, not fatal. (A third-party provider in use: test_other_vendors.py.)"""

from __future__ import annotations

import ast
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest

from tunescope import cli
from tunescope.jobs import registry
from tunescope.jobs.errors import BackendError
from tunescope.jobs.profiles import BackendProfile, resolve_backend
from tunescope.providers.base import Provider

BUILT_IN = ("openai", "azure", "compatible", "local", "together", "fireworks")
PROVIDERS_DIR = Path(__file__).resolve().parents[2] / "src" / "tunescope" / "providers"


def test_built_in_providers_are_registered_through_entry_points():
    declared = {ep.name: ep.value for ep in entry_points(group=registry.GROUP)}
    for name in BUILT_IN:
        assert declared[name].startswith(f"tunescope.providers.{name}:"), "pip install -e . refreshes the metadata"
    assert registry.kinds()[:len(BUILT_IN)] == BUILT_IN
    for name, provider in registry.providers().items():
        assert isinstance(provider, Provider) and provider.name == name


def test_backend_flags_are_built_from_provider_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["jobs", "list", "-h"])
    help_text = " ".join(capsys.readouterr().out.split())
    for option in registry.options().values():
        assert option.flag in help_text
    assert list(registry.options()) == ["base_url", "api_key_env", "azure_endpoint", "api_version", "preset",
                                        "local_data_dir", "local_speed", "fireworks_account"]
    assert ("openai, azure, compatible, local, together, fireworks, or a saved profile (default: saved default, "
            "else openai)") in help_text


def test_options_imply_the_same_kinds_as_before():
    assert resolve_backend(local_data_dir="/d", base_url="http://h/v1", azure_endpoint="https://a").kind == "local"
    assert resolve_backend(azure_endpoint="https://a", base_url="http://h/v1").kind == "azure"
    assert resolve_backend(api_version="2025-01-01").kind == "openai"


def test_profile_options_read_as_attributes():
    profile = BackendProfile(name="work", kind="compatible", base_url="http://h/v1", timeout=5.0)
    assert profile.options == {"base_url": "http://h/v1"}
    assert (profile.base_url, profile.azure_endpoint, profile.timeout) == ("http://h/v1", None, 5.0)
    profile.local_speed = 0.1
    assert profile.options["local_speed"] == 0.1
    with pytest.raises(AttributeError):
        profile.not_an_option  # noqa: B018
    with pytest.raises(BackendError, match="unknown option"):
        BackendProfile(name="x", kind="openai", colour="red")
    with pytest.raises(BackendError, match="unknown kind 'nope'; use one of openai, azure, compatible, local"):
        BackendProfile(name="x", kind="nope")


@pytest.fixture
def broken(monkeypatch):
    real = registry.entry_points
    extra = EntryPoint("broken", "tests.jobs.no_such_module:BrokenProvider", registry.GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [*real(group=group), extra])
    registry.refresh()
    yield
    registry.refresh()


def test_a_provider_that_fails_to_load_is_reported_not_fatal(broken):
    assert registry.kinds() == BUILT_IN
    with pytest.raises(BackendError, match="failed to load: tests.jobs.no_such_module:BrokenProvider cannot be "
                                           "loaded: ModuleNotFoundError"):
        resolve_backend("broken")
    assert resolve_backend("local").kind == "local"


def test_only_the_local_provider_imports_the_server():
    for path in PROVIDERS_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
        imported += [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
        uses_server = any(name.startswith("tunescope.server") for name in imported)
        assert uses_server == (path.name == "local.py"), path.name
