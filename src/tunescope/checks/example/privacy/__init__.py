"""Checks for what must not be in training data at all: secrets and personal data.

A subfolder of checks/example because that folder holds its limit of modules; the scans
themselves live in tunescope.quality.sensitive, shared with the redact fix.
"""
