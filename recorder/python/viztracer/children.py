"""Child processes of a traced program (subprocess, multiprocessing, os.fork): not traced yet."""


def install_child_tracing(tracer, opts, output):
    pass


def merge_children(tracer, path, verbose):
    pass
