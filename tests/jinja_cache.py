"""Compile each Jinja source once per test process, however many bakes render it.

cookiecutter builds a new Jinja environment for every bake, so every bake compiles the whole
template again: about 360 compilations, two thirds of a bake's time. The compiled code of a
source depends only on the source and on the environment's syntax, extensions, filters and
tests, which are the same for every bake of this template, so the tests reuse it across bakes.
What is rendered, and every check on it, is unchanged: only the compiler's output is reused,
and only where every input the compiler reads is equal.
"""

import functools

import jinja2

# Jinja's own compile, for a test that bakes without the reuse.
ORIGINAL_COMPILE = jinja2.Environment.compile
# The Environment attributes Jinja's lexer and code generator read.
COMPILER_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "autoescape",
    "finalize",
    "is_async",
    "undefined",
)


def environment_key(environment):
    """Everything about an environment that can change the code a source compiles to (the
    compiler checks filter and test names, so those sets are part of it)."""
    return (
        type(environment),
        tuple(getattr(environment, name) for name in COMPILER_SETTINGS),
        tuple(sorted(environment.extensions)),
        tuple(sorted(environment.filters)),
        tuple(sorted(environment.tests)),
    )


def compiling_once(compile_source):
    """Wrap Environment.compile so a source string compiled before returns the same code
    (a syntax error is raised again each time: only successes are kept)."""
    compiled = {}

    @functools.wraps(compile_source)
    def compile_cached(environment, source, *options, **keywords):
        """Environment.compile(source, name, filename, raw, defer_init), reused."""
        if not isinstance(source, str):
            return compile_source(environment, source, *options, **keywords)
        key = (environment_key(environment), source, options, tuple(sorted(keywords.items())))
        if key not in compiled:
            compiled[key] = compile_source(environment, source, *options, **keywords)
        return compiled[key]

    compile_cached.compiled = compiled
    return compile_cached


def install(monkeypatch):
    """Reuse compiled Jinja code for as long as ``monkeypatch`` lasts."""
    monkeypatch.setattr(jinja2.Environment, "compile", compiling_once(jinja2.Environment.compile))
