"""QA: moving cached findings to another line rewrites the right numbers, without a regex per finding."""

import re

from tunescope.checks.example.analyze import relocate_findings
from tunescope.checks.findings import Finding, Severity


def finding(line, example, message):
    return Finding("blank_line", Severity.ERROR, message, "hint", line, example, None, "")


def test_relocation_rewrites_the_first_exact_number_only():
    f = finding(12, 11, "Line 12 is blank; Example 12 (not Example 1 or line 120) is empty. Line 12 again.")
    (g,) = relocate_findings([f], 30, 29)
    assert g.line == 30 and g.example == 29
    assert g.message == "Line 30 is blank; Example 30 (not Example 1 or line 120) is empty. Line 12 again."
    (h,) = relocate_findings([finding(1, 0, "line 1 and Example 1x and Example 1")], 5, 4)
    assert h.message == "line 5 and Example 1x and Example 5"


def test_relocation_does_not_compile_a_pattern_per_finding():
    re.purge()
    for i in range(300):     # cached results come from many lines: each has its own numbers
        relocate_findings([finding(i + 1, i, f"Line {i + 1} is empty. Example {i + 1}.")], i + 1001, i + 1000)
    assert len(re._cache) < 10          # was two new patterns per call (600, capped by re's cache)
