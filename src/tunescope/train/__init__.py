"""The real trainer behind `tunescope serve --trainer hf`: TRL training in a process per job, transformers inference.

Layer 4, beside `server` (which it never imports: the server's seams are duck-typed, see `seams.py`).
Only `settings` and `reward` (the offline grader scoring, shared with `eval`) are light; every module that needs torch, transformers or trl imports them inside
its functions, or runs only in the training process (`python -m tunescope.train`).
"""
