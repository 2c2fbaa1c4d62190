"""Builds the optional C speed-ups (tunescope.quality._native); the metadata lives in pyproject.toml.

`optional=True`: without a C compiler the install still succeeds and the checks run their pure-Python
code (same findings, slower near-duplicate signatures and repetition scan).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("tunescope.quality._native", ["src/tunescope/quality/_native.c"],
                             optional=True, extra_compile_args=["-O2"])])
