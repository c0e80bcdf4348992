"""The container recipe, checked without a Docker engine (none runs here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def last(keyword: str) -> str:
    return [rest for key, rest in instructions() if key == keyword][-1]


def test_small_python_311_base_image() -> None:
    base = last("FROM")
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", base)


def test_runs_as_a_non_root_user() -> None:
    user = last("USER")
    assert user not in ("root", "0")
    assert "useradd --system --uid 10001" in " ".join(r for k, r in instructions() if k == "RUN")


def test_database_lives_on_the_data_volume() -> None:
    assert json.loads(last("VOLUME")) == ["/data"]
    env = " ".join(r for k, r in instructions() if k == "ENV")
    assert "BOT_DATABASE__PATH=/data/deadlines.sqlite3" in env


def test_dependencies_are_installed_before_the_code_is_copied() -> None:
    order = [(k, r) for k, r in instructions() if k in ("COPY", "RUN")]
    deps = next(i for i, (k, r) in enumerate(order) if k == "RUN" and "install-deps.sh" in r)
    code = next(i for i, (k, r) in enumerate(order) if k == "COPY" and r.startswith("bot "))
    assert order[deps - 1] == ("COPY", "pyproject.toml docker/install-deps.sh ./")
    assert deps < code


def test_signal_healthcheck_and_entry_point() -> None:
    assert last("STOPSIGNAL") == "SIGTERM"
    assert last("HEALTHCHECK").endswith('CMD ["python", "-m", "bot", "health"]')
    assert json.loads(last("ENTRYPOINT")) == ["python", "-m", "bot"]
    assert json.loads(last("CMD")) == ["run"]


def test_compose_example_has_a_named_volume_and_restarts() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["deadline-desk"]
    assert service["restart"] in ("unless-stopped", "always")
    assert "deadline-data:/data" in service["volumes"]
    assert "deadline-data" in compose["volumes"]
    assert "DISCORD_TOKEN" in service["environment"]
