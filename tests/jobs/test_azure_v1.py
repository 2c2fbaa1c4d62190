"""Azure first-class: the v1 endpoint with the plain `openai` client by default (the dated api-version form when
asked), `trainingType` sent in the job request, the deploy step printed, and the Nebius base-URL preset."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import openai

from tunescope import cli
from tunescope.jobs.client import JobsClient
from tunescope.jobs.connection import connect
from tunescope.jobs.profiles import resolve_backend
from tunescope.providers.azure import deploy_hint, v1_base_url

FAKE_KEY = "azure-test-key-0123456789"


def test_v1_endpoint_is_the_default_and_the_dated_form_an_option(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    conn = connect(resolve_backend("azure", azure_endpoint="https://unit.openai.azure.com"))
    assert type(conn.client) is openai.OpenAI
    assert str(conn.client.base_url) == "https://unit.openai.azure.com/openai/v1/"
    assert "(v1 API)" in conn.profile.describe()
    conn.close()
    dated = connect(resolve_backend("azure", azure_endpoint="https://unit.openai.azure.com", api_version="2025-04-01-preview"))
    assert isinstance(dated.client, openai.AzureOpenAI)
    dated.close()
    assert v1_base_url("https://r.openai.azure.com/openai/v1") == "https://r.openai.azure.com/openai/v1/"


def test_training_type_travels_in_the_create_request():
    """The real SDK over HTTP to a stdlib stand-in at /openai/v1/ that records the request."""
    seen = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            seen["path"] = self.path
            seen["body"] = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            body = json.dumps({"id": "ftjob-1", "object": "fine_tuning.job", "model": "gpt-4.1-mini",
                               "status": "queued", "created_at": 1, "training_file": "file-1",
                               "hyperparameters": {}, "result_files": [], "seed": 1}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = openai.OpenAI(api_key=FAKE_KEY, base_url=v1_base_url(f"http://127.0.0.1:{server.server_port}"),
                               max_retries=0)
        job = JobsClient(client).create("gpt-4.1-mini", "file-1", extra_body={"trainingType": "developerTier"})
    finally:
        server.shutdown()
        server.server_close()
    assert job.id == "ftjob-1" and seen["path"] == "/openai/v1/fine_tuning/jobs"
    assert seen["body"]["trainingType"] == "developerTier" and seen["body"]["model"] == "gpt-4.1-mini"


def test_training_type_is_refused_off_azure_and_deploy_hint(datasets_dir, capsys):
    code = cli.main(["jobs", "create", str(datasets_dir / "pirate_chat.jsonl"), "--model", "gpt-4.1-mini-2025-04-14",
                     "--training-type", "Standard", "--backend", "openai", "--yes"])
    assert code == 2 and "--training-type is an Azure OpenAI setting" in capsys.readouterr().err
    hint = deploy_hint("gpt-4.1-mini-2025-04-14.ft-abc")
    assert "deployed" in hint and "--model-name gpt-4.1-mini-2025-04-14.ft-abc" in hint


def test_nebius_preset_fills_base_url_and_key_variable(capsys):
    """One preset registry (providers/presets.py): the profile keeps the preset's name, the provider turns it into
    the base URL and the key variable (tests/jobs/test_vendor_providers.py connects through it)."""
    assert cli.main(["jobs", "backends", "save", "neb", "--preset", "nebius"]) == 0
    capsys.readouterr()
    assert cli.main(["jobs", "backends", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    saved = listed["backends"]["neb"]
    assert saved["kind"] == "compatible" and saved["preset"] == "nebius"
    nebius = listed["presets"]["compatible"]["nebius"]
    assert nebius["base_url"] == "https://api.tokenfactory.nebius.com/v1/" and nebius["key_env"] == "NEBIUS_API_KEY"


def test_model_table_carries_azure_retirement_dates():
    from tunescope.tokens.models import load_models

    table = load_models()
    mini = table.get("gpt-4.1-mini-2025-04-14")
    assert (mini.azure_training_retires, mini.azure_deployment_retires) == ("2027-04-14", "2027-10-14")
    assert table.get("gpt-4o-mini-2024-07-18").azure_training_retires == "2027-04-01"
    assert table.get("o4-mini-2025-04-16").azure_deployment_retires == "2027-10-16"
