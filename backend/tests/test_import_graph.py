"""The import graph: every module of `app` imports, no chain of imports leads from a module back
to itself (in the backend, `app`, or the compute package, `video_studio`), and only the HTTP layer
imports the web framework: services return plain results that routers turn into responses.

The graph is grimp's (the engine of import-linter): it reads the sources, so an import inside a
function counts as much as one at the top of the file (a cycle hidden in a function still breaks
the first caller that runs it before the other module finished loading). Imports under
`if TYPE_CHECKING:` never run and are left out.
"""

from __future__ import annotations

import graphlib
import itertools
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest

import app

PACKAGES = ("app", "video_studio")


def find_cycle(graph: grimp.ImportGraph) -> list[str] | None:
    """One import cycle of the graph (its first module repeated at the end), or None."""
    sorter = graphlib.TopologicalSorter(
        {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    )
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    """Each step of the cycle with the line that makes it (graphlib lists a cycle backwards: each
    module is imported by the one after it)."""
    steps = []
    for imported, importer in itertools.pairwise(cycle):
        for detail in graph.get_import_details(importer=importer, imported=imported):
            steps.append(f"{importer}:{detail['line_number']}: {detail['line_contents']}")
    return "\n".join(steps)


WEB_FRAMEWORK = ("fastapi", "starlette", "sse_starlette")
# The HTTP layer: every router, plus the app factory, the request dependencies, the pure-ASGI
# middleware (request context, metrics, the pre-routing fast path), the error handlers and the
# server-sent-events responses.
HTTP_ADAPTERS = {
    "app.main",
    "app.deps",
    "app.core.http_errors",
    "app.core.logging",
    "app.core.http_metrics",
    "app.progress.stream",
    "app.coach.stream",
    "app.media.hot_paths",
}


def _is_http_layer(module: str) -> bool:
    return module in HTTP_ADAPTERS or module.rsplit(".", 1)[-1] == "router"


def test_only_the_http_layer_imports_the_web_framework() -> None:
    graph = grimp.build_graph("app", include_external_packages=True, cache_dir=None)
    importers = {
        module: framework
        for framework in WEB_FRAMEWORK
        if framework in graph.modules
        for module in graph.find_modules_that_directly_import(framework)
    }
    assert "app.media.router" in importers and "app.main" in importers  # the check sees imports
    outside = sorted(
        f"{module} imports {framework}"
        for module, framework in importers.items()
        if not _is_http_layer(module)
    )
    assert outside == []
    services = [m for m in graph.modules if m.endswith(".service")]
    assert len(services) > 5 and not set(services) & set(importers)


def test_a_worker_loading_every_task_module_never_loads_the_web_framework() -> None:
    # The worker image could then leave FastAPI out, and a task can never build an HTTP response.
    probe = textwrap.dedent(
        """
        import importlib, sys
        from app.worker.celery_app import TASK_MODULES
        for name in TASK_MODULES:
            importlib.import_module(name)
        print(sorted(m for m in {"fastapi", "starlette", "sse_starlette"} if m in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_no_import_cycle_in_the_backend_or_the_compute_package() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    assert "app.core.metrics" in graph.modules and "video_studio.transcode.probe" in graph.modules
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle:\n" + describe(graph, cycle or [])


def test_the_check_finds_a_cycle_made_by_an_import_inside_a_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cyclepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "metrics.py").write_text(
        textwrap.dedent(
            """
            def queues():
                from cyclepkg.celery_app import QUEUES
                return QUEUES
            """
        )
    )
    (package / "celery_app.py").write_text("from cyclepkg.metrics import queues\nQUEUES = ()\n")
    (package / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cyclepkg import celery_app\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cyclepkg", exclude_type_checking_imports=True, cache_dir=None)
    cycle = find_cycle(graph)
    assert cycle is not None and set(cycle) == {"cyclepkg.metrics", "cyclepkg.celery_app"}
    assert "cyclepkg.metrics:3: from cyclepkg.celery_app import QUEUES" in describe(graph, cycle)
    assert not graph.find_modules_directly_imported_by("cyclepkg.typed")


def test_every_module_of_app_imports_in_a_fresh_interpreter() -> None:
    modules = sorted(info.name for info in pkgutil.walk_packages(app.__path__, "app."))
    assert len(modules) > 50 and "app.worker.celery_app" in modules
    backend = Path(app.__file__).resolve().parents[1]
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run(
        [sys.executable, "-c", script, *modules],
        cwd=backend,
        env={**os.environ, "PYTHONPATH": str(backend)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
