import os
import threading

import pytest

from tests.conftest import dataset_files
from tests.factories import write_file
from tunescope.dataset.index import LineIndex, open_index


@pytest.mark.parametrize("path", dataset_files(), ids=lambda p: p.name)
def test_real_datasets_line_count_and_bytes(path):
    ix = open_index(path)
    raw = path.read_bytes()
    lines = raw.splitlines(keepends=True)
    assert len(ix) == len(lines)
    assert b"".join(ix.raw(i) for i in range(len(ix))) == raw
    assert ix.final_newline == raw.endswith(b"\n")


def test_crlf_bom_and_no_final_newline(tmp_path):
    p = write_file(tmp_path, b"\xef\xbb\xbf{\"a\":1}\r\n{\"b\":2}\r\n{\"c\":3}")
    ix = open_index(p)
    assert len(ix) == 3
    assert ix.has_bom and ix.crlf_lines == 2 and not ix.final_newline
    assert ix.line(0) == b'{"a":1}'
    assert ix.line(1) == b'{"b":2}'
    assert ix.line(2) == b'{"c":3}'
    assert ix.raw(0).startswith(b"\xef\xbb\xbf")


def test_empty_file(tmp_path):
    ix = open_index(write_file(tmp_path, b""))
    assert len(ix) == 0 and ix.complete and ix.error is None


def test_crlf_split_across_windows(tmp_path, monkeypatch):
    import tunescope.dataset.index as li
    monkeypatch.setattr(li, "WINDOW", 4096)
    line = b"x" * 4094 + b"\r\n"      # the \r\n straddles the window edge once
    p = write_file(tmp_path, b"a\r\n" + line * 3)
    ix = open_index(p)
    assert ix.crlf_lines == 4
    assert len(ix) == 4


def test_readable_while_building(tmp_path):
    lines = b"".join(b'{"i": %d}\n' % i for i in range(200_000))
    p = write_file(tmp_path, lines)
    ix = LineIndex(p)
    ix.start()
    n = ix.wait_for(10)
    assert n >= 10
    assert ix.line(0) == b'{"i": 0}' and ix.line(9) == b'{"i": 9}'
    ix.wait()
    assert len(ix) == 200_000
    assert ix.line(199_999) == b'{"i": 199999}'


def test_memory_is_per_line_not_per_byte(tmp_path):
    p = write_file(tmp_path, b"".join(b'{"t": "%s"}\n' % (b"y" * 5000) for _ in range(2000)))
    ix = open_index(p)
    assert ix.starts.itemsize == 8 and len(ix.starts) == 2000


def test_change_detection(tmp_path):
    p = write_file(tmp_path, b'{"a":1}\n')
    ix = open_index(p)
    assert not ix.changed_on_disk()
    p.write_bytes(b'{"a":2}\n')
    os.utime(p, ns=(1, 1))
    assert ix.changed_on_disk()


def test_cancel_stops_scan(tmp_path, monkeypatch):
    import tunescope.dataset.index as li
    monkeypatch.setattr(li, "WINDOW", 4096)
    p = write_file(tmp_path, b'{"a":1}\n' * 50_000)
    cancel = threading.Event()
    cancel.set()
    ix = LineIndex(p).build(cancel=cancel)
    assert ix.complete and len(ix) < 50_000
