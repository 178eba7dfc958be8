"""--log_var / --log_number / --log_attr: the script's AST is rewritten so that assignments to
matching names (or attributes) also log the new value through the global tracer:

    x = f()          ->  x = f(); __viz_tracer__.log_assign_var("x", x)       (instant)
    self.n = 3       ->  ...; __viz_tracer__.log_assign_attr(self, "n", self.n) (instant)
"""
import ast
import re


class _Rewriter(ast.NodeTransformer):
    def __init__(self, var, number, attr):
        self.var = [re.compile(r) for r in var]
        self.number = [re.compile(r) for r in number]
        self.attr = [re.compile(r) for r in attr]

    @staticmethod
    def _match(patterns, name):
        return any(p.fullmatch(name) for p in patterns)

    def _log_calls(self, target):
        calls = []
        if isinstance(target, ast.Name):
            if self._match(self.var, target.id):
                calls.append(("var", target.id, ast.Name(id=target.id, ctx=ast.Load()), None))
            if self._match(self.number, target.id):
                calls.append(("number", target.id, ast.Name(id=target.id, ctx=ast.Load()), None))
        elif isinstance(target, ast.Attribute):
            if self._match(self.attr, target.attr):
                obj = ast.unparse(target.value)
                value = ast.Attribute(value=target.value, attr=target.attr, ctx=ast.Load())
                calls.append(("attr", f"{obj}.{target.attr}", value, None))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                calls.extend(self._log_calls(elt))
        return calls

    def _statements(self, node, targets):
        out = [node]
        for kind, name, value, _ in [c for t in targets for c in self._log_calls(t)]:
            fn = {"var": "_log_assign_var", "number": "_log_assign_number", "attr": "_log_assign_attr"}[kind]
            call = ast.Expr(ast.Call(
                func=ast.Attribute(value=ast.Name(id="__viz_tracer__", ctx=ast.Load()), attr=fn, ctx=ast.Load()),
                args=[ast.Constant(name), value], keywords=[]))
            out.append(ast.copy_location(call, node))
        return out

    def visit_Assign(self, node):
        self.generic_visit(node)
        return self._statements(node, node.targets)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        return self._statements(node, [node.target])

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        if node.value is None:
            return node
        return self._statements(node, [node.target])


def rewrite(source, filename, var, number, attr):
    tree = ast.parse(source, filename)
    tree = _Rewriter(var, number, attr).visit(tree)
    return ast.fix_missing_locations(tree)
