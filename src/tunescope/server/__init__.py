"""A local server speaking OpenAI's fine-tuning REST API (files, uploads,
fine_tuning jobs, models) over SQLite, with a *simulated* trainer.

It lets people try tunescope's whole job workflow without an API key and lets
our tests drive the real `openai` SDK over real HTTP. Nothing is trained: loss
curves, checkpoints and models are simulations (see docs/serve.md).

One package per resource (`files/`, `jobs/`, `models/`), each with `routes.py`
(request parsing), `service.py` (logic and storage) and `shapes.py` (wire
objects); `jobs/service.py` owns the job state machine and documents the seam a
trainer plugs into. Public entry points: `tunescope.server.app.create_app(ServerConfig)`,
`tunescope.server.embedded.start_embedded(...)`, `tunescope serve`.
"""
