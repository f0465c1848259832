"""The C files call each other in layers, never in a circle: tools/csrc_layers.py derives the call
graph between csrc/*.c from their objects (gcc -c, nm) and fails on a cycle."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "csrc_layers.py"


def _tool():
    spec = importlib.util.spec_from_file_location("csrc_layers", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(not (shutil.which("gcc") and shutil.which("nm")), reason="needs gcc and nm")
def test_csrc_call_graph_has_no_cycle():
    tool = _tool()
    graph = tool.call_graph()
    assert "keyspace" in graph and graph["conn"], "the graph was not read"
    assert tool.cycles(graph) == [], "csrc/ files call each other in a circle: python tools/csrc_layers.py"


def test_cycles_are_found():
    tool = _tool()
    graph = {"a": {"b": {"f"}}, "b": {"c": {"g"}}, "c": {"a": {"h"}}, "d": {"a": {"i"}}}
    assert tool.cycles(graph) == [["a", "b", "c"]]
    assert tool.cycles({"a": {"b": set()}, "b": {}}) == []
