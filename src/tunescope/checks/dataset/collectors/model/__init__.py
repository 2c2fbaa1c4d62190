"""Collectors about the model a file is checked for: its methods and its deadlines."""
