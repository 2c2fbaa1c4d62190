"""`tunescope export --to T` then `tunescope check --target T` on the output exits 0 (the must-show), and the
target rules name their target: weight 0 not carried by Vertex, Bedrock's missing tool use, Together's
mixed formats, Vertex's 131,072-token limit, LLaMA-Factory's dataset_info.json, --split, exit codes."""

from __future__ import annotations

import json

import pytest

from tests.conftest import dataset_files
from tunescope.cli import main
from tunescope.targets import TARGETS


def run_json(capsys, argv) -> tuple[int, dict]:
    code = main(argv)
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip().startswith("{") else {})


@pytest.mark.parametrize("name", list(TARGETS))
def test_drone_tools_export_then_check_exits_0(name, datasets_dir, tmp_path, capsys):
    out = tmp_path / "v.jsonl"
    code = main(["export", str(datasets_dir / "cookbook_drone_tools.jsonl"), "--to", name, "-o", str(out)])
    captured = capsys.readouterr()
    report = captured.out
    if name == "bedrock":       # Nova SFT has no tool use and every drone answer is a tool call
        assert code == 2 and not out.exists()
        assert "no user turn followed by an assistant turn" in captured.err
        return
    assert code == 0, report
    if TARGETS[name].native:     # no place for `parallel_tool_calls`: reported, not dropped silently
        assert "Not carried" in report and "parallel_tool_calls" in report
    else:
        assert "Everything was carried." in report
    code, checked = run_json(capsys, ["check", "--target", name, str(out), "--format", "json", "--workers", "0"])
    assert code == 0, checked
    assert checked["target"]["target"] == name and checked["target"]["held"] == 103


# cannot be held as a whole: fewer examples than the destination's minimum (OpenAI and Azure: 10)
TOO_FEW = {("cookbook_toy_chat", "openai"), ("cookbook_toy_chat", "azure")}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TARGETS))
@pytest.mark.parametrize("path", dataset_files(), ids=[f.stem for f in dataset_files()])
def test_every_dataset_the_target_can_hold_exports_and_checks_clean(path, name, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    code = main(["export", str(path), "--to", name, "-o", str(out), "--format", "json"])
    if code == 2:
        assert not out.exists()
        pytest.skip(f"{name} holds no example of {path.name}")
    capsys.readouterr()
    code, checked = run_json(capsys, ["check", "--target", name, str(out), "--format", "json", "--workers", "0"])
    assert code == (1 if (path.stem, name) in TOO_FEW else 0), checked.get("target", {}).get("findings")


def test_weight_zero_is_reported_for_vertex_and_kept_for_axolotl(tmp_path, capsys):
    data = tmp_path / "w.jsonl"
    row = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "draft", "weight": 0},
                        {"role": "user", "content": "again"}, {"role": "assistant", "content": "final", "weight": 1}]}
    data.write_text(json.dumps(row) + "\n")
    code, checked = run_json(capsys, ["check", "--target", "vertex", str(data), "--format", "json", "--workers", "0"])
    found = [f for f in checked["target"]["findings"] if f["check"] == "target_not_carried"]
    assert found and found[0]["path"] == "$.messages[1].weight" and found[0]["message"].startswith("vertex")
    out = tmp_path / "a.jsonl"
    assert main(["export", str(data), "--to", "axolotl", "-o", str(out), "--strict"]) == 0   # nothing lost
    written = json.loads(out.read_text())
    assert [m.get("train") for m in written["messages"]] == [None, False, None, True]
    # --target, as check takes it, names the destination too
    assert main(["export", str(data), "--target", "vertex", "-o", str(tmp_path / "v.jsonl"), "--strict"]) == 1
    assert "weight_not_carried" in capsys.readouterr().out


def test_bedrock_flags_tool_use_and_together_mixed_formats(datasets_dir, tmp_path, capsys):
    code, checked = run_json(capsys, ["check", "--target", "bedrock", str(datasets_dir / "cookbook_drone_tools.jsonl"),
                                      "--format", "json", "--workers", "0"])
    assert code == 1 and any(f["check"] == "bedrock_tool_use" for f in checked["target"]["findings"])
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps({"prompt": "a", "completion": "b"}) + "\n" + json.dumps(
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}) + "\n")
    code, checked = run_json(capsys, ["check", "--target", "together", str(mixed), "--format", "json"])
    assert code == 1 and any(f["check"] == "together_mixed_formats" for f in checked["target"]["findings"])


def test_vertex_token_limit_on_a_file_already_in_vertex_format(tmp_path, capsys):
    long = {"contents": [{"role": "user", "parts": [{"text": "word " * 140_000}]},
                         {"role": "model", "parts": [{"text": "ok"}]}]}
    bad = {"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}
    data = tmp_path / "v.jsonl"
    data.write_text(json.dumps(long) + "\n" + json.dumps(bad) + "\n")
    code, checked = run_json(capsys, ["check", "--target", "vertex", str(data), "--format", "json"])
    by_check = {f["check"]: f for f in checked["target"]["findings"]}
    assert code == 1 and checked["target"]["mode"] == "native"
    assert by_check["target_token_limit"]["line"] == 1 and "131,072" in by_check["target_token_limit"]["message"]
    assert by_check["target_schema"]["line"] == 2 and by_check["target_schema"]["path"] == "$.contents[0].role"


def test_llamafactory_writes_dataset_info_and_split(datasets_dir, tmp_path, capsys):
    out = tmp_path / "lf.jsonl"
    assert main(["export", str(datasets_dir / "pirate_chat.jsonl"), "--to", "llamafactory", "-o", str(out),
                 "--split", "0.8"]) == 0
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert info["lf_train"]["file_name"] == "lf_train.jsonl" and info["lf_train"]["formatting"] == "sharegpt"
    train, valid = (tmp_path / "lf_train.jsonl").read_text().splitlines(), (tmp_path / "lf_valid.jsonl").read_text().splitlines()
    assert (len(train), len(valid)) == (8, 2)
    assert json.loads(train[0])["conversations"][0]["from"] == "human"


def test_export_errors_are_messages_not_tracebacks(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing.jsonl"), "--to", "vertex", "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["check", "--target", "nowhere", str(tmp_path)]) == 2
    src = tmp_path / "p.jsonl"
    src.write_text(json.dumps({"prompt": "a", "completion": "b"}) + "\n")
    assert main(["export", str(src), "--to", "vertex", "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "nothing to export" in capsys.readouterr().err


def test_images_carried_where_the_target_can_hold_them(tmp_path, capsys):
    row = {"messages": [{"role": "user", "content": [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
        {"role": "assistant", "content": "a cat"}]}
    data = tmp_path / "img.jsonl"
    data.write_text(json.dumps(row) + "\n")
    code, report = run_json(capsys, ["export", str(data), "--to", "vertex", "-o", str(tmp_path / "v.jsonl"),
                                     "--format", "json"])
    parts = json.loads((tmp_path / "v.jsonl").read_text())["contents"][0]["parts"]
    assert parts[1] == {"fileData": {"mimeType": "image/png", "fileUri": "https://example.com/cat.png"}}
    assert len(parts) == 2 and [n["kind"] for n in report["notes"]] == ["image_not_carried"]
    assert report["notes"][0]["line"] == 1 and report["notes"][0]["path"] == "$.messages[0].content"
    code, report = run_json(capsys, ["export", str(data), "--to", "bedrock", "-o", str(tmp_path / "b.jsonl"),
                                     "--format", "json"])
    assert [n["kind"] for n in report["notes"]] == ["image_not_carried", "image_not_carried"]
    assert json.loads((tmp_path / "b.jsonl").read_text())["messages"][0]["content"] == [{"text": "what is this?"}]
    code, checked = run_json(capsys, ["check", "--target", "vertex", str(data), "--format", "json", "--workers", "0"])
    assert {f["check"] for f in checked["target"]["findings"]} == {"vertex_file_uri", "target_not_carried"}


@pytest.mark.parametrize("name", ["vertex", "llamafactory", "hf"])
def test_export_back_to_openai_reads_the_target_format(name, datasets_dir, tmp_path, capsys):
    source = datasets_dir / "foundry_stock_toolcall_valid.jsonl"
    assert main(["export", str(source), "--to", name, "-o", str(tmp_path / "t.jsonl")]) == 0
    assert main(["export", str(tmp_path / "t.jsonl"), "--to", "openai", "-o", str(tmp_path / "back.jsonl")]) == 0
    assert f"read as {name} data" in capsys.readouterr().out
    assert main(["check", str(tmp_path / "back.jsonl"), "--workers", "0"]) == 0
    original = [json.loads(line) for line in source.read_text().splitlines()]
    back = [json.loads(line) for line in (tmp_path / "back.jsonl").read_text().splitlines()]
    calls = [[c["function"]["name"] for m in r["messages"] for c in m.get("tool_calls") or []] for r in original]
    assert calls == [[c["function"]["name"] for m in r["messages"] for c in m.get("tool_calls") or []] for r in back]
    assert [len(r["messages"]) for r in original] == [len(r["messages"]) for r in back]


def test_notes_are_counted_exactly_and_listed_up_to_a_cap(datasets_dir, tmp_path, monkeypatch, capsys):
    from tunescope.targets import registry

    monkeypatch.setattr(registry, "KEEP_PER_KIND", 10)      # the per-kind cap (10,000 by default)
    code, report = run_json(capsys, ["export", str(datasets_dir / "cookbook_drone_tools.jsonl"), "--to", "vertex",
                                     "-o", str(tmp_path / "v.jsonl"), "--format", "json"])
    assert code == 0 and report["by_kind"]["key_not_carried"] == 103
    assert sum(n["kind"] == "key_not_carried" for n in report["notes"]) == 10
    assert report["notes_omitted"]["key_not_carried"] == 93
