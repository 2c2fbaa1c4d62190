"""Evaluation: run a dataset's prompts through models on any backend and grade the answers.

Headless (no textual, no rich); sits between the TUI and the providers, so it can open a backend
through `tunescope.jobs.connection.connect` like `tunescope jobs` does. `examples` turns records
into prompts and references, `graders/` holds the grader registry, `runner` asks the models
(bounded concurrency, 429 + Retry-After, the SQLite answer cache of `cache`), `report` aggregates.
"""
