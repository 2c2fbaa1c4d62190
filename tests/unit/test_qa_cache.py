"""QA: the result cache never serves one method's verdicts, or another codec version's tuples, to another."""


import tunescope.checks.example.analyze as analyze_mod
from tests.conftest import dataset_files
from tests.factories import rft, write_jsonl
from tunescope.checks.example.analyze import token_findings
from tunescope.checks.run import codec
from tunescope.checks.run.runner import check_path, options_for_model
from tunescope.checks.run.worker import check_example
from tunescope.tokens.count import TokenCounter


def rft_file(tmp_path):
    rows = [rft({"role": "developer", "content": "Answer with the city."},
                {"role": "user", "content": f"Where is landmark {i}?"}, reference_answer=f"city {i}")
            for i in range(12)]
    return write_jsonl(tmp_path, rows, "rft.jsonl")


def test_checking_with_another_method_does_not_poison_the_cache(tmp_path):
    p = rft_file(tmp_path)
    inferred = check_path(p, options_for_model(), use_cache=True)
    assert inferred.format == "reinforcement" and inferred.summary["errors"] == 0
    supervised = check_path(p, options_for_model(method="supervised"), use_cache=True)
    assert supervised.summary["errors"] > 0          # as supervised data every row lacks an assistant reply
    again = check_path(p, options_for_model(), use_cache=True)
    # was: the supervised verdicts came back from the cache (format chat, 36 errors)
    assert again.format == "reinforcement" and again.summary == inferred.summary


def test_codec_round_trips_every_field_by_name(datasets_dir):
    """pack/unpack (between processes) restore the summary; dumps/loads (the cache) leave out only the
    limit-dependent extra findings."""
    opts = options_for_model()
    counter = TokenCounter(opts.encoding)
    for path in dataset_files():
        for i, line in enumerate(path.read_bytes().splitlines()[:40]):
            summary = check_example(line.rstrip(b"\r"), i + 1, i, opts, counter)
            summary.extra_findings = token_findings(summary, opts)
            assert codec.unpack(codec.pack(summary)) == summary
            assert codec.unpack_findings(codec.pack_findings(summary.findings)) == summary.findings
            cached = codec.loads(codec.dumps(summary))
            assert cached.extra_findings == [] and cached.analysis == summary.analysis
            assert (cached.example, cached.line, cached.tokens) == (summary.example, summary.line, summary.tokens)


def test_a_new_codec_version_never_reads_old_cache_entries(tmp_path, monkeypatch):
    p = rft_file(tmp_path)
    check_path(p, options_for_model(), use_cache=True)
    calls = []
    real = analyze_mod.analyze_line

    def spy(data, line, example, options):
        calls.append(line)
        return real(data, line, example, options)

    monkeypatch.setattr(analyze_mod, "analyze_line", spy)
    check_path(p, options_for_model(), use_cache=True)
    assert calls == []                                  # same version: every row from the cache
    monkeypatch.setattr(codec, "CODEC_VERSION", codec.CODEC_VERSION + 1)
    check_path(p, options_for_model(), use_cache=True)
    assert calls == list(range(1, 13))                  # another version: nothing read back, every row re-checked
