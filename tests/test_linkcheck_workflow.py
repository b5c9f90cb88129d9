"""The CI workflow (.github/workflows/docs.yml), validated offline."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "docs.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "check_jsonschema"]
    cmd += ["--builtin-schema", "vendor.github-workflows", str(path)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def test_workflow_matches_the_github_workflow_schema() -> None:
    result = check_jsonschema(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "docs.yml"
    text = WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:", 1)
    broken.write_text(text, encoding="utf-8")
    result = check_jsonschema(broken)
    assert result.returncode == 1
    assert "runs_on" in result.stdout + result.stderr


def test_runs_on_push_pull_request_and_weekly(workflow: dict) -> None:
    assert {"push", "pull_request", "schedule"} <= set(workflow["on"])
    (cron,) = (entry["cron"] for entry in workflow["on"]["schedule"])
    _minute, _hour, day, month, weekday = cron.split()
    assert day == month == "*" and weekday.isdigit(), cron


def test_least_privilege(workflow: dict) -> None:
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name


def test_every_action_is_pinned_by_commit_sha_with_its_tag() -> None:
    uses = re.findall(r"^\s*(?:- )?uses: (\S+)(.*)$", WORKFLOW.read_text(encoding="utf-8"), re.M)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), (action, comment)


def test_jobs_run_on_debian_with_python_3_11(workflow: dict) -> None:
    # make system-deps installs Debian packages: the jobs run where they exist.
    for name, job in workflow["jobs"].items():
        assert job["container"] == "python:3.11-bookworm", name
        assert "make system-deps" in [step.get("run") for step in job["steps"]], name


def test_linkcheck_is_its_own_job_blocking_only_on_main(workflow: dict) -> None:
    jobs = workflow["jobs"]
    runs = {name: [s.get("run", "") for s in job["steps"]] for name, job in jobs.items()}
    assert "make linkcheck" in runs["linkcheck"]
    assert jobs["linkcheck"]["continue-on-error"] == "${{ github.ref != 'refs/heads/main' }}"
    assert "continue-on-error" not in jobs["build"]
    # The build job checks the HTML's links but leaves the web to that job.
    assert "make test LINKCHECK_EXTERNAL=no" in runs["build"]
    assert {"make html", "make latexpdf"} <= set(runs["build"])


def test_the_site_and_pdf_are_uploaded(workflow: dict) -> None:
    uploads = [
        step["with"]["path"]
        for step in workflow["jobs"]["build"]["steps"]
        if step.get("uses", "").startswith("actions/upload-artifact@")
    ]
    assert uploads == ["_build/html/", "_build/latex/*.pdf"]
