"""Dialogs of the jobs screen: the backend picker and the archive folder prompt."""
