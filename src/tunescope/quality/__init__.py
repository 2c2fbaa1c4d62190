"""Data-quality scans shared by the checks and the fixes: secrets and personal data in text
(`sensitive`), and near-duplicate text by MinHash (`similarity`, `near_groups`).

Textual-free and below both `checks` and `editing` (siblings that never import each other), so
a check that reports a finding and the fix that repairs it use the same detector.
"""
