"""`python -m tunescope.train SPEC.json`: one training run, in its own process (see worker.py)."""

from tunescope.train.worker import main

raise SystemExit(main())
