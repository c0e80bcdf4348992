"""The package's shape, as docs/architecture.md draws it: no import cycles, and every import
points inward (to a lower layer, or within the same package). Read from the source with `ast`,
function-level (lazy) imports included."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
PACKAGE = ROOT / "bot"

# Lower numbers are further in. A module may import its own package or a lower layer; the two
# adapters (discord, web) share a layer, so neither may import the other.
LAYERS: dict[str, int] = {
    "bot.deadlines": 0,
    "bot.models": 1,
    "bot.clock": 1,
    "bot.holiday_cache": 1,
    "bot.planning": 2,
    "bot.storage": 2,
    "bot.notices": 2,
    "bot.metrics": 2,
    "bot.export": 3,
    "bot.operations": 3,
    "bot.outcomes": 3,
    "bot.sending": 4,
    "bot.service": 4,
    "bot.config": 4,
    "bot.config_sources": 1,
    "bot.dispatcher": 5,
    "bot.health": 6,
    "bot.scheduling": 6,
    "bot.logs": 6,
    "bot.discord": 7,
    "bot.web": 7,
    "bot.app": 8,
    "bot.cli": 9,
    "bot.__main__": 10,
    "bot": 9,  # bot/__init__.py
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The modules of ours that `name` imports (the longest known prefix of each)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) - node.level + is_package]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" for alias in node.names] + [module]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target
                break


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports(name, path, known)) for name, path in known.items()}


def layer(module: str) -> tuple[str, int]:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix, LAYERS[prefix]
    raise AssertionError(f"{module} has no layer: add it to LAYERS (and docs/architecture.md)")


def test_the_import_graph_is_read_from_the_source() -> None:
    edges = graph()
    assert "bot.service" in edges["bot.discord.cog"]
    assert "bot.discord.options" in edges["bot.discord.cog"]
    assert "bot.storage" in edges["bot.service.unit"]
    assert len(edges) > 40


def test_there_are_no_import_cycles() -> None:
    edges = graph()
    seen: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        seen[module] = 1
        for target in sorted(edges[module]):
            if seen.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in seen:
                visit(target, [*path, target])
        seen[module] = 2

    for module in sorted(edges):
        if module not in seen:
            visit(module, [module])
    assert cycles == []


def test_every_import_points_inward() -> None:
    outward = []
    for module, targets in sorted(graph().items()):
        package, rank = layer(module)
        for target in sorted(targets):
            target_package, target_rank = layer(target)
            if target_package != package and target_rank >= rank:
                outward.append(f"{module} -> {target}")
    assert outward == []


@pytest.mark.parametrize(
    ("module", "target"),
    [("bot.discord.cog", "bot.web"), ("bot.service.unit", "bot.discord.client")],
)
def test_an_outward_import_would_be_caught(module: str, target: str) -> None:
    package, rank = layer(module)
    target_package, target_rank = layer(target)
    assert target_package != package
    assert target_rank >= rank
