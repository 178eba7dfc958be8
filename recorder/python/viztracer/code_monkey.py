"""The `viztracer` command's source-rewriting options, as viztracer implements them: the script's
AST is changed before it runs so that the program itself tells the global tracer
(`__viz_tracer__`, set by register_global) what happened. Nothing is added to code that does
not match, so the options cost nothing where they do not apply.

    --log_var RE      x = f()     ->  x = f(); add_variable("Variable Assign - x", x, "instant")
    --log_number RE   n += 1      ->  n += 1;  add_variable("Variable Assign - n", n, "counter")
    --log_attr RE     self.n = 3  ->  ...;     add_variable("Attribute Assign - self.n", self.n, "instant")
    --log_func_exec RE  in a matching function, x = 1  ->  ...; add_func_exec("x", x, <line>)
    --log_func_entry RE def f(): ...  ->  def f(): add_variable("Function Entry - f", "f is called", "instant"); ...
    --log_exception   raise E(...)  ->  raise _log_raise("Exception - E()", E(...))
    --magic_comment   a line "# !viztracer: log_instant('x')"  ->  __viz_tracer__.log_instant('x')

Names are matched with re.fullmatch. As in viztracer, an assignment to `a[i]`, `a.b` or `*a`
logs the variable `a` (--log_var, --log_number, --log_func_exec), function arguments and `for`
targets matching --log_var/--log_number are logged when the function starts or the loop body
begins, and --log_exception sees the script's own `raise` statements (not exceptions raised
inside libraries or by the interpreter).
"""
import ast
import copy
import re

_TRACER = "__viz_tracer__"
_MAGIC = re.compile(r"(\s*)#\s*!viztracer:\s*(.*?)")


def apply_magic_comments(text):
    """Turns each line "# !viztracer: <call>" into "__viz_tracer__.<call>" (same indent)."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        m = _MAGIC.fullmatch(body)
        out.append(f"{m.group(1)}{_TRACER}.{m.group(2)}{line[len(body):]}" if m else line)
    return "".join(out)


def expr_text(node):
    """viztracer's short rendering of an expression for event names: calls lose their
    arguments ("E()"), strings are in single quotes; anything else as ast.unparse writes it."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant):
        return f"'{node.value}'" if isinstance(node.value, str) else str(node.value)
    if isinstance(node, ast.Attribute):
        return f"{expr_text(node.value)}.{node.attr}"
    if isinstance(node, ast.Subscript):
        return f"{expr_text(node.value)}[{expr_text(node.slice)}]"
    if isinstance(node, ast.Call):
        return f"{expr_text(node.func)}()"
    if isinstance(node, ast.Starred):
        return f"*{expr_text(node.value)}"
    if isinstance(node, (ast.Tuple, ast.List)):
        inner = ",".join(expr_text(e) for e in node.elts)
        return f"({inner})" if isinstance(node, ast.Tuple) else f"[{inner}]"
    if isinstance(node, ast.Slice):
        parts = [expr_text(p) if p is not None else "" for p in (node.lower, node.upper, node.step)]
        return ":".join(parts if parts[2] else parts[:2])
    return ast.unparse(node)


def _target_names(target):
    """The variables an assignment target changes: `a`, `a[i]`, `a.b` and `*a` all change `a`."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Attribute, ast.Subscript, ast.Starred)):
        return _target_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in _target_names(e)]
    return []


def _attribute_targets(target):
    """The attributes an assignment target sets (the outermost `x.attr` of each part)."""
    if isinstance(target, ast.Attribute):
        return [target]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [a for e in target.elts for a in _attribute_targets(e)]
    return []


def _load(node):
    """A copy of a target expression that reads it."""
    node = copy.deepcopy(node)
    for n in ast.walk(node):
        if isinstance(getattr(n, "ctx", None), ast.Store):
            n.ctx = ast.Load()
    return node


def _call(method, *args):
    """The statement __viz_tracer__.<method>(*args); plain values become constants."""
    args = [a if isinstance(a, ast.AST) else ast.Constant(a) for a in args]
    func = ast.Attribute(value=ast.Name(id=_TRACER, ctx=ast.Load()), attr=method, ctx=ast.Load())
    return ast.Expr(ast.Call(func=func, args=args, keywords=[]))


class _Rewriter(ast.NodeTransformer):
    def __init__(self, var=(), number=(), attr=(), func_exec=(), func_entry=(), exception=False):
        compile_all = lambda patterns: [re.compile(p) for p in patterns or ()]
        self.var, self.number, self.attr = compile_all(var), compile_all(number), compile_all(attr)
        self.func_exec, self.func_entry = compile_all(func_exec), compile_all(func_entry)
        self.exception = exception
        self.in_exec_function = False  # inside a function matching --log_func_exec

    @staticmethod
    def _match(patterns, name):
        return any(p.fullmatch(name) for p in patterns)

    def _variable_logs(self, name):
        """--log_var / --log_number calls for a variable that was just set."""
        out = []
        for patterns, event in ((self.var, "instant"), (self.number, "counter")):
            if self._match(patterns, name):
                out.append(_call("add_variable", f"Variable Assign - {name}",
                                 ast.Name(id=name, ctx=ast.Load()), event))
        return out

    def _assignment_logs(self, target, lineno):
        out = []
        for name in _target_names(target):
            out += self._variable_logs(name)
        for node in _attribute_targets(target):
            if self._match(self.attr, node.attr):
                out.append(_call("add_variable", f"Attribute Assign - {expr_text(node)}",
                                 _load(node), "instant"))
        if self.in_exec_function:
            for name in _target_names(target):
                out.append(_call("add_func_exec", name, ast.Name(id=name, ctx=ast.Load()), lineno))
        return out

    def _after(self, node, targets):
        logs = [c for t in targets for c in self._assignment_logs(t, node.lineno)]
        return [node] + [ast.copy_location(c, node) for c in logs]

    def visit_Assign(self, node):
        self.generic_visit(node)
        return self._after(node, node.targets)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        return self._after(node, [node.target])

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        return node if node.value is None else self._after(node, [node.target])

    def visit_For(self, node):
        self.generic_visit(node)
        logs = [c for n in _target_names(node.target) for c in self._variable_logs(n)]
        node.body[:0] = [ast.copy_location(c, node) for c in logs]
        return node

    visit_AsyncFor = visit_For

    def visit_FunctionDef(self, node):
        outer, self.in_exec_function = self.in_exec_function, self._match(self.func_exec, node.name)
        self.generic_visit(node)
        self.in_exec_function = outer
        prologue = []
        if self._match(self.func_entry, node.name):
            prologue.append(_call("add_variable", f"Function Entry - {node.name}",
                                  f"{node.name} is called", "instant"))
        a = node.args
        params = a.posonlyargs + a.args + ([a.vararg] if a.vararg else []) + a.kwonlyargs + \
            ([a.kwarg] if a.kwarg else [])
        for p in params:
            prologue += self._variable_logs(p.arg)
        # After the docstring, which must stay the body's first statement.
        doc = node.body and isinstance(node.body[0], ast.Expr) and \
            isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, str)
        at = 1 if doc else 0
        node.body[at:at] = [ast.copy_location(c, node.body[0]) for c in prologue]
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        # A class body runs in its own frame: not part of an enclosing --log_func_exec function.
        outer, self.in_exec_function = self.in_exec_function, False
        self.generic_visit(node)
        self.in_exec_function = outer
        return node

    def visit_Raise(self, node):
        self.generic_visit(node)
        if not self.exception:
            return node
        if node.exc is None:  # a bare `raise`: the exception being handled
            return [ast.copy_location(_call("_log_reraise", "Exception"), node), node]
        log = _call("_log_raise", f"Exception - {expr_text(node.exc)}", node.exc).value
        node.exc = ast.copy_location(log, node.exc)
        return node


def rewrite(source, filename, var=(), number=(), attr=(), func_exec=(), func_entry=(),
            exception=False):
    """The instrumented AST of `source` (str or bytes), ready for compile()."""
    tree = ast.parse(source, filename)
    tree = _Rewriter(var, number, attr, func_exec, func_entry, exception).visit(tree)
    return ast.fix_missing_locations(tree)


# The options that rewrite the program's source: (name, value when off). The `viztracer`
# command applies them to its program, and passes them on to the Python children it traces
# (children.py), whose programs are rewritten the same way, as viztracer passes its command
# line on to them.
OPTIONS = (("log_var", None), ("log_number", None), ("log_attr", None), ("log_func_exec", None),
           ("log_func_entry", None), ("log_exception", False), ("magic_comment", False))


def options_of(namespace):
    """{name: value} of the source-rewriting options set in `namespace` (the command's parsed
    options); empty when none is."""
    return {name: getattr(namespace, name) for name, off in OPTIONS
            if getattr(namespace, name, off) != off}


def compile_program(source, filename, options):
    """The code object of a program's `source` (str or bytes), rewritten for the options in the
    dict `options` (options_of()'s: absent or None is off)."""
    if options.get("magic_comment"):
        if isinstance(source, bytes):
            import io
            import tokenize
            encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
            source = source.decode(encoding)
        source = apply_magic_comments(source)
    get = options.get
    if any(get(name) is not None for name in ("log_var", "log_number", "log_attr",
                                              "log_func_exec", "log_func_entry")) \
            or get("log_exception"):
        tree = rewrite(source, filename, var=get("log_var"), number=get("log_number"),
                       attr=get("log_attr"), func_exec=get("log_func_exec"),
                       func_entry=get("log_func_entry"), exception=bool(get("log_exception")))
        return compile(tree, filename, "exec", dont_inherit=True)
    return compile(source, filename, "exec", dont_inherit=True)
