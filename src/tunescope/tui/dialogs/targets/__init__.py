"""Dialogs about destinations (targets): export for one, choose the one whose rules apply.

A folder of their own because tui/dialogs/ is near the fifteen-module limit.
"""
