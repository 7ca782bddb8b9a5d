"""No import circles between nbboard's modules, Python (nbboard/) or TypeScript (js/src/).

Nothing is imported or built: Python files are parsed with `ast`, TypeScript files are
tokenized here, so the check runs in well under a second and sees imports that never run in
a test session.

What counts as an edge (file A depends on file B):

* Python: every import statement anywhere in the file, including imports inside functions
  and methods (a lazy import hides a circle, it does not remove it) and imports under
  `if TYPE_CHECKING:`. Type-only imports count as well: a circle that only type checking sees
  is still a circle in the design, and it can always be broken by moving the shared types
  into a lower module (which is what this check asks for), so counting them never makes a
  correct design impossible. Edges are marked "lazy" / "TYPE_CHECKING" in the report.
  `from pkg import name` goes to the module `pkg.name` when that file exists, else to `pkg`
  (its `__init__.py` for a package). `import nbboard.a.b` goes to `nbboard/a/b.py` only:
  the package `__init__.py` files Python runs on the way are not edges, or every lazy import
  in `nbboard/__init__.py` would close a circle with every submodule. Importing the package
  itself (`import nbboard`, `from nbboard.kinds import REGISTRY`) is an edge to its
  `__init__.py`. `importlib.import_module("nbboard.x")` / `__import__` with a constant
  string is an edge; a file that calls them with a computed name (a lazy-export table such
  as `_LAZY` in nbboard/__init__.py) gets an edge to every nbboard module that one of its
  string constants names in full ("nbboard.widgets.board").
* TypeScript: `import ... from "x"`, `import type ... from "x"`, `export ... from "x"`,
  `import "x"`, `import("x")` with a string literal and `import x = require("x")`, in
  js/src/**/*.ts. Relative specifiers resolve to files (`./x` -> x.ts, x.tsx, x/index.ts;
  `./x.js` -> x.ts); package imports and assets (.css, ...) are not edges. Type-only imports
  count, for the same reason as above.

A failure lists, for each strongly connected component, circles as file chains
(a -> b -> a) that together use every import inside the component, each import with its
line and the names imported, so each circle shows what to cut.
"""

from __future__ import annotations

import ast
import posixpath
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "nbboard"
TS_SRC = "js/src"


@dataclass
class Graph:
    """Files (paths relative to the root, with /) and why each depends on another."""

    nodes: set[str] = field(default_factory=set)
    edges: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, src: str, dst: str, why: str) -> None:
        if src != dst:  # a module naming itself is no circle
            self.edges.setdefault(src, {}).setdefault(dst, []).append(why)

    def succ(self, node: str) -> list[str]:
        return sorted(self.edges.get(node, {}))

    def edge_count(self) -> int:
        return sum(len(d) for d in self.edges.values())


# --------------------------------------------------------------------------------------------
# Python


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


class _PyModules:
    """Dotted module names <-> files under root/package."""

    def __init__(self, root: Path, package: str) -> None:
        self.root = root
        self.package = package
        self.files = sorted(p for p in (root / package).rglob("*.py") if p.is_file())
        self.known = {_rel(p, root) for p in self.files}

    def file_of(self, module: str) -> str | None:
        """nbboard.a.b -> nbboard/a/b.py or nbboard/a/b/__init__.py (if either exists)."""
        if not module or (module != self.package and not module.startswith(self.package + ".")):
            return None
        base = module.replace(".", "/")
        for cand in (base + ".py", base + "/__init__.py"):
            if cand in self.known:
                return cand
        return None

    def module_of(self, rel: str) -> tuple[str, str]:
        """File -> (its module name, the package its relative imports start from)."""
        parts = rel[: -len(".py")].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
            return ".".join(parts), ".".join(parts)
        return ".".join(parts), ".".join(parts[:-1])


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_dynamic_import(call: ast.Call) -> bool:
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    return name in ("import_module", "__import__")


class _PyImports(ast.NodeVisitor):
    """Every import in one file, as (target module, names, line, context)."""

    def __init__(self, module: str, package: str) -> None:
        self.module = module
        self.package = package
        self.scope: list[str] = []
        self.functions = 0
        self.type_checking = 0
        # (module, names after `from module import`, or None for `import module`, line, ctx)
        self.found: list[tuple[str, list[str] | None, int, str]] = []
        self.computed_dynamic = False
        self.strings: list[tuple[str, int]] = []

    def _ctx(self) -> str:
        bits = []
        if self.functions:
            bits.append("lazy, in " + ".".join(self.scope))
        if self.type_checking:
            bits.append("TYPE_CHECKING")
        return ", ".join(bits)

    def _add(self, module: str, names: list[str] | None, line: int, ctx: str | None = None) -> None:
        self.found.append((module, names, line, self._ctx() if ctx is None else ctx))

    def _scoped(self, node: ast.AST, name: str, is_function: bool) -> None:
        self.scope.append(name)
        self.functions += is_function
        self.generic_visit(node)
        self.functions -= is_function
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scoped(node, node.name, True)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._scoped(node, node.name, True)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scoped(node, "<lambda>", True)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scoped(node, node.name, False)

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.visit(node.test)
        self.type_checking += 1
        for stmt in node.body:
            self.visit(stmt)
        self.type_checking -= 1
        for stmt in node.orelse:
            self.visit(stmt)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, None, node.lineno)

    def _anchor(self, level: int) -> str | None:
        parts = self.package.split(".") if self.package else []
        if level - 1 > len(parts):
            return None
        return ".".join(parts[: len(parts) - (level - 1)])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self._anchor(node.level)
            if anchor is None:
                return
            base = ".".join(p for p in (anchor, base) if p)
        names = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names]
        self._add(base, names, node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        if _is_dynamic_import(node) and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                name = arg.value
                if name.startswith("."):
                    name = self._resolve_relative(node, name)
                if name:
                    ctx = ", ".join(b for b in ("dynamic", self._ctx()) if b)
                    self._add(name, None, node.lineno, ctx)
            else:
                self.computed_dynamic = True
        self.generic_visit(node)

    def _resolve_relative(self, node: ast.Call, name: str) -> str | None:
        pkg: ast.expr | None = node.args[1] if len(node.args) > 1 else None
        for kw in node.keywords:
            if kw.arg == "package":
                pkg = kw.value
        if isinstance(pkg, ast.Constant) and isinstance(pkg.value, str):
            anchor = pkg.value
        elif isinstance(pkg, ast.Name) and pkg.id == "__package__":
            anchor = self.package
        elif isinstance(pkg, ast.Name) and pkg.id == "__name__":
            anchor = self.module
        else:
            return None
        level = len(name) - len(name.lstrip("."))
        parts = anchor.split(".")
        if level - 1 >= len(parts):
            return None
        rest = name[level:]
        return ".".join(p for p in (".".join(parts[: len(parts) - (level - 1)]), rest) if p)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.strings.append((node.value, node.lineno))


def python_graph(root: Path = ROOT, package: str = PACKAGE) -> Graph:
    """The import graph of root/package/**/*.py, nodes as paths relative to root."""
    mods = _PyModules(root, package)
    graph = Graph(nodes=set(mods.known))
    for path in mods.files:
        rel = _rel(path, root)
        module, pkg = mods.module_of(rel)
        visitor = _PyImports(module, pkg)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for target, names, line, ctx in visitor.found:
            where = f"line {line}" + (f" ({ctx})" if ctx else "")
            if names is not None:
                stmt = f"from {target} import {', '.join(names)}"
                rest: list[str] = []
                for name in names:
                    real = name.split(" as ")[0]
                    sub = mods.file_of(f"{target}.{real}") if real != "*" else None
                    if sub is not None:
                        graph.add(rel, sub, f"{where}: {stmt}")
                    else:
                        rest.append(name)
                dst = mods.file_of(target) if rest else None
                if dst is not None:
                    graph.add(rel, dst, f"{where}: {stmt}")
            else:
                dst = mods.file_of(target)
                if dst is not None:
                    graph.add(rel, dst, f"{where}: import {target}")
        if visitor.computed_dynamic:
            for text, line in visitor.strings:
                dst = mods.file_of(text) if text.startswith(package + ".") else None
                if dst is not None:
                    graph.add(rel, dst, f"line {line} (dynamic, import_module of a computed "
                                        f"name): {text!r}")
    return graph


# --------------------------------------------------------------------------------------------
# TypeScript

_REGEX_AFTER_WORDS = {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
                      "throw", "case", "do", "else", "yield", "await"}


def _scan_template(src: str, i: int) -> tuple[int, bool, str]:
    """From inside a template literal: (index after it ends, ended at `${`?, its text)."""
    j, n = i, len(src)
    while j < n:
        c = src[j]
        if c == "\\":
            j += 2
        elif c == "`":
            return j + 1, False, src[i:j]
        elif src.startswith("${", j):
            return j + 2, True, src[i:j]
        else:
            j += 1
    return n, False, src[i:]


def ts_tokens(src: str) -> list[tuple[str, str, int]]:
    """(kind, text, line) tokens of TypeScript source: kinds id, str, tpl, num, re, punct.

    Comments are dropped; strings, template literals and regular expressions are kept whole so
    an `import` inside any of them is never taken for a statement.
    """
    toks: list[tuple[str, str, int]] = []
    braces: list[bool] = []  # True where a `${` of a template literal is open
    i, n, line = 0, len(src), 1

    while i < n:
        c = src[i]
        start = i
        if c == "\n":
            line += 1
            i += 1
            continue
        if c.isspace():
            i += 1
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            i = n if j < 0 else j + 2
            line += src.count("\n", start, i)
            continue
        if c in "'\"":
            j = i + 1
            while j < n and src[j] not in (c, "\n"):
                j += 2 if src[j] == "\\" else 1
            i = j + 1
            toks.append(("str", src[start + 1 : j], line))
        elif c == "`" or (c == "}" and braces and braces[-1]):
            if c == "}":
                braces.pop()
            i, sub, text = _scan_template(src, i + 1)
            if sub:
                braces.append(True)
            whole = c == "`" and not sub
            toks.append(("str" if whole else "tpl", text, line))
        elif c.isalpha() or c in "_$":
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] in "_$"):
                j += 1
            i = j
            toks.append(("id", src[start:j], line))
        elif c.isdigit():
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] in "._"):
                j += 1
            i = j
            toks.append(("num", src[start:j], line))
        elif c == "/" and _regex_allowed(toks[-1] if toks else None):
            j, in_class = i + 1, False
            while j < n and src[j] != "\n":
                ch = src[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "[":
                    in_class = True
                elif ch == "]":
                    in_class = False
                elif ch == "/" and not in_class:
                    break
                j += 1
            j += 1
            while j < n and src[j].isalpha():
                j += 1
            i = j
            toks.append(("re", src[start:j], line))
        else:
            if c == "{":
                braces.append(False)
            elif c == "}" and braces:
                braces.pop()
            i += 1
            toks.append(("punct", c, line))
        line += src.count("\n", start, i)  # template literals span lines
    return toks


def _regex_allowed(prev: tuple[str, str, int] | None) -> bool:
    if prev is None:
        return True
    kind, text, _ = prev
    if kind == "punct":
        return text not in ")]}"
    return kind == "id" and text in _REGEX_AFTER_WORDS


def _clause(toks: list[tuple[str, str, int]]) -> str:
    text = " ".join(t[1] for t in toks)
    return text.replace(" ,", ",").replace("{ ", "{").replace(" }", "}")


def ts_imports(src: str) -> list[tuple[str, str, int]]:
    """(specifier, what it imports, line) for every import/export-from in TypeScript source."""
    toks = ts_tokens(src)
    out: list[tuple[str, str, int]] = []
    n = len(toks)

    def at(k: int) -> tuple[str, str, int]:
        return toks[k] if 0 <= k < n else ("", "", 0)

    for k, (kind, text, line) in enumerate(toks):
        if kind != "id" or text not in ("import", "export") or at(k - 1)[1] in (".", "?"):
            continue
        nxt = at(k + 1)
        if text == "import" and nxt[1] == "(":
            if at(k + 2)[0] == "str" and at(k + 3)[1] in (")", ","):
                out.append((at(k + 2)[1], "import()", line))
            continue
        if text == "import" and nxt[0] == "str":
            out.append((nxt[1], "(side effect)", line))
            continue
        if text == "export" and not (
            nxt[1] in ("*", "{") or (nxt[1] == "type" and at(k + 2)[1] in ("*", "{"))
        ):
            continue  # export const/function/class/default ...: no module named
        for j in range(k + 1, min(n, k + 400)):
            jk, jt, _ = toks[j]
            if jk == "punct" and jt in (";", "=", "(", ")") and not (
                text == "import" and jt == "="
            ):
                break
            if jk == "id" and jt in ("import", "export"):
                break
            if jk == "id" and jt == "from" and at(j + 1)[0] == "str":
                out.append((at(j + 1)[1], _clause(toks[k + 1 : j]), line))
                break
            if (jk == "id" and jt == "require" and at(j + 1)[1] == "("
                    and at(j + 2)[0] == "str"):
                out.append((at(j + 2)[1], _clause(toks[k + 1 : j - 1]) + " = require", line))
                break
    return out


_TS_EXTS = (".ts", ".tsx", ".mts", ".cts")


def _ts_resolve(spec: str, importer: str, known: set[str]) -> str | None:
    if not spec.startswith(("./", "../")) and spec not in (".", ".."):
        return None  # a package
    base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
    cands = [base]
    stem, ext = posixpath.splitext(base)
    if ext in (".js", ".jsx", ".mjs", ".cjs"):
        cands += [stem + e for e in _TS_EXTS]
    cands += [base + e for e in _TS_EXTS] + [f"{base}/index{e}" for e in _TS_EXTS]
    for cand in cands:
        if cand in known:
            return cand
    return None  # an asset (.css, ...) or a file outside the sources


def ts_graph(root: Path = ROOT, src_dir: str = TS_SRC) -> Graph:
    """The import graph of root/src_dir/**/*.ts, nodes as paths relative to root."""
    files = sorted(p for e in _TS_EXTS for p in (root / src_dir).rglob("*" + e) if p.is_file())
    known = {_rel(p, root) for p in files}
    graph = Graph(nodes=set(known))
    for path in files:
        rel = _rel(path, root)
        for spec, what, line in ts_imports(path.read_text(encoding="utf-8")):
            dst = _ts_resolve(spec, rel, known)
            if dst is not None:
                graph.add(rel, dst, f'line {line}: import {what} from "{spec}"')
    return graph


# --------------------------------------------------------------------------------------------
# Circles


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components with more than one file, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comps: list[list[str]] = []
    counter = 0
    for start in sorted(graph.nodes | set(graph.edges)):
        if start in index:
            continue
        work = [(start, iter(graph.succ(start)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph.succ(nxt))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))
    return sorted(comps)


def _shortest_path(graph: Graph, src: str, dst: str, within: set[str]) -> list[str]:
    prev: dict[str, str | None] = {src: None}
    queue = deque([src])
    while queue:
        node = queue.popleft()
        if node == dst:
            break
        for nxt in graph.succ(node):
            if nxt in within and nxt not in prev:
                prev[nxt] = node
                queue.append(nxt)
    path: list[str] = []
    cur: str | None = dst
    while cur is not None:
        path.append(cur)
        cur = prev[cur]
    return path[::-1]


def find_circles(graph: Graph) -> list[list[str]]:
    """Circles (first file repeated at the end) that together use every edge inside every
    strongly connected component: each edge a -> b closed by a shortest way back b -> a."""
    circles: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for comp in strongly_connected(graph):
        members = set(comp)
        for a in comp:
            for b in graph.succ(a):
                if b not in members:
                    continue
                cycle = [a] + _shortest_path(graph, b, a, members)[:-1]
                k = cycle.index(min(cycle))
                canon = tuple(cycle[k:] + cycle[:k])
                if canon not in seen:
                    seen.add(canon)
                    circles.append([*canon, canon[0]])
    return sorted(circles, key=lambda c: (len(c), c))


def describe(graph: Graph, circles: list[list[str]]) -> str:
    lines = []
    for comp in strongly_connected(graph):
        lines.append(f"component of {len(comp)} files: {', '.join(comp)}")
    for i, circle in enumerate(circles, 1):
        lines.append(f"\ncircle {i}: " + " -> ".join(circle))
        for a, b in zip(circle, circle[1:]):
            for why in graph.edges[a][b]:
                lines.append(f"    {a} -> {b}  {why}")
    return "\n".join(lines)


def _assert_acyclic(graph: Graph, what: str) -> None:
    circles = find_circles(graph)
    assert not circles, (
        f"{len(circles)} import circle(s) among {what}; move what both sides need into a "
        f"module below both (lazy imports do not count as a way out):\n"
        + describe(graph, circles)
    )


# --------------------------------------------------------------------------------------------
# The real tree


def test_python_modules_import_no_circle() -> None:
    _assert_acyclic(python_graph(), f"{PACKAGE}/**/*.py")


def test_typescript_modules_import_no_circle() -> None:
    _assert_acyclic(ts_graph(), f"{TS_SRC}/**/*.ts")


def test_the_real_graphs_are_not_empty() -> None:
    """A scan that found nothing would pass the two checks above without looking."""
    py, ts = python_graph(), ts_graph()
    assert len(py.nodes) >= 10 and py.edge_count() >= 10, (len(py.nodes), py.edge_count())
    assert len(ts.nodes) >= 10 and ts.edge_count() >= 10, (len(ts.nodes), ts.edge_count())


# --------------------------------------------------------------------------------------------
# The detector can fail


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_detector_finds_a_lazy_python_circle_and_nothing_else(tmp_path: Path) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "def load():\n    from pkg.c import x\n    return x\n",
        "pkg/a.py": "def f():\n    from pkg import b\n    return b\n",
        "pkg/b.py": "class B:\n    def g(self):\n        from .a import f\n        return f\n",
        # acyclic: c -> d (import pkg.d is no edge to pkg/__init__.py, which lazily imports c)
        "pkg/c.py": "import pkg.d\nx = pkg.d\n",
        "pkg/d.py": "import os\n\nimport numpy\n",
        # a TYPE_CHECKING import and an import_module call are edges too
        "pkg/sub/__init__.py": "from typing import TYPE_CHECKING\nREGISTRY = {}\n"
                               "if TYPE_CHECKING:\n    from pkg.sub.e import E\n",
        "pkg/sub/e.py": "import importlib\n\ndef h():\n"
                        "    return importlib.import_module('pkg.sub').REGISTRY\n",
        # from the package itself -> its __init__.py; a lazy table of module names
        "pkg/lazy/__init__.py": "import importlib\n_LAZY = {'F': 'pkg.lazy.f'}\n"
                                "def __getattr__(n):\n"
                                "    return getattr(importlib.import_module(_LAZY[n]), n)\n",
        "pkg/lazy/f.py": "def k():\n    from pkg.lazy import F\n    return F\n",
    })
    graph = python_graph(tmp_path, "pkg")
    circles = find_circles(graph)
    assert circles == [
        ["pkg/a.py", "pkg/b.py", "pkg/a.py"],
        ["pkg/lazy/__init__.py", "pkg/lazy/f.py", "pkg/lazy/__init__.py"],
        ["pkg/sub/__init__.py", "pkg/sub/e.py", "pkg/sub/__init__.py"],
    ], describe(graph, circles)
    assert graph.succ("pkg/c.py") == ["pkg/d.py"]
    assert graph.succ("pkg/__init__.py") == ["pkg/c.py"]
    text = describe(graph, circles)
    assert "lazy, in B.g" in text and "TYPE_CHECKING" in text and "dynamic" in text


def test_detector_finds_a_typescript_type_circle_and_nothing_else(tmp_path: Path) -> None:
    _write(tmp_path, {
        "src/a.ts": 'import type { B } from "./b";\nexport type A = { b: B };\n',
        "src/b.ts": 'import type { A } from "./a";\nexport type B = { a?: A };\n',
        # acyclic: c -> d, d -> e/index.ts; nothing in comments, strings or regexes counts
        "src/c.ts": 'import "./styles.css";\nimport { d } from "./d.js";\nexport const c = d;\n',
        "src/d.ts": (
            'import uPlot from "uplot";\n'
            '// import { c } from "./c";\n'
            '/* export * from "./c"; */\n'
            'const s = `import "./c"; ${"import(\'./c\')"}`;\n'
            "const r = /import \"\\.\\/c\"/;\n"
            'export const d = () => import(/* lazy */ "./e");\n'
            "export { s, r, uPlot };\n"
        ),
        "src/e/index.ts": 'export * as more from "../f";\n',
        "src/f.ts": 'export {\n  x,\n} from "./g";\n',
        "src/g.ts": "export const x = 1;\n",
    })
    graph = ts_graph(tmp_path, "src")
    circles = find_circles(graph)
    assert circles == [["src/a.ts", "src/b.ts", "src/a.ts"]], describe(graph, circles)
    assert graph.succ("src/c.ts") == ["src/d.ts"]
    assert graph.succ("src/d.ts") == ["src/e/index.ts"]
    assert graph.succ("src/e/index.ts") == ["src/f.ts"]
    assert graph.succ("src/f.ts") == ["src/g.ts"]
    assert "type {B}" in describe(graph, circles)
