"""Adapters from a backend profile to a fine-tuning service, one module per provider.

Each module declares a `Provider` (base.py) and is registered in pyproject.toml under the
`tunescope.providers` entry-point group; `tunescope.jobs` finds them only through that group
(`jobs.registry`), so a third-party package adds a provider the same way (docs/recipes/providers.md).
"""
