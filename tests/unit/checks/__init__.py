"""Tests of tunescope.checks: the check registry and one failing and one passing input per check."""
