"""No code outside the transition mechanism (common/workflow.py) writes a `state` field.

Scans the apps' source (not tests, not migrations) for `x.state = ...`, `setattr(x, "state", ...)`,
`.update(state=...)`, `.create(..., state=...)` / `Model(..., state=...)` and tuple assignments
with a `.state` target. The few justified exceptions are listed below with their reason.
"""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every package of the portal: the layers contract's list (a new app is scanned without edits).
APPS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
MECHANISM = Path("common/workflow.py")
STATEFUL_MODELS = {"Dossier", "PaymentRequest", "PaymentBatch", "ProviderChange"}

# (file, enclosing function): why this write is not a transition.
ALLOWED = {
    # The load-test seeder bulk-creates 100,000 dossiers in the states a queue shows (no history).
    ("instruction/management/commands/seed_load.py", "seed_load"): "load-test data in bulk",
}


def _writes(tree: ast.AST):
    """(line, function, what) for each write of a `state` attribute or keyword."""
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def function_of(node) -> str:
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node.name
        return "<module>"

    def targets(target):
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                yield from targets(element)
        else:
            yield target

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            all_targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in (t for top in all_targets for t in targets(top)):
                if isinstance(target, ast.Attribute) and target.attr == "state":
                    yield node.lineno, function_of(node), "x.state = ..."
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "setattr" and len(node.args) >= 2:
                field = node.args[1]
                if isinstance(field, ast.Constant) and field.value == "state":
                    yield node.lineno, function_of(node), "setattr(x, 'state', ...)"
            for keyword in node.keywords:
                if keyword.arg != "state":
                    continue
                if name in {"update", "bulk_update", "update_or_create", "get_or_create"}:
                    yield node.lineno, function_of(node), f"{name}(state=...)"
                elif name == "create" or name in STATEFUL_MODELS:
                    yield node.lineno, function_of(node), f"{name}(state=...)"


def test_no_code_outside_the_workflow_mechanism_writes_a_state():
    assert {"applications", "payments", "instruction", "demo"} <= set(APPS)
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative == MECHANISM:
                continue
            for line, function, what in _writes(ast.parse(path.read_text(), str(path))):
                if (str(relative), "*") in ALLOWED or (str(relative), function) in ALLOWED:
                    continue
                found.append(f"{relative}:{line} in {function}(): {what}")
    assert not found, "State written outside common/workflow.py:\n" + "\n".join(found)


def test_the_scan_finds_each_kind_of_write():
    source = """
def f(request, qs):
    request.state = "paid"
    request.state, request.amount = "paid", 1
    qs.update(state="paid")
    qs.create(kind="x", state="paid")
    PaymentRequest(state="paid")
    setattr(request, "state", "paid")
    qs.filter(state="paid")  # a read
    Q(state="paid")  # a read
    When(state="paid", then=1)  # a read
"""
    kinds = [what for _, _, what in _writes(ast.parse(source))]
    assert kinds == [
        "x.state = ...",
        "x.state = ...",
        "update(state=...)",
        "create(state=...)",
        "PaymentRequest(state=...)",
        "setattr(x, 'state', ...)",
    ]
