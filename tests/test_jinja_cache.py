"""Reusing compiled Jinja code across bakes (tests/jinja_cache.py) changes nothing baked."""

import jinja2
import jinja_cache
import manifest
import pytest
from copier_model import tree
from cookiecutter.main import cookiecutter

CONFIG = manifest.load_config()


def test_a_source_compiles_once_per_environment_syntax(monkeypatch):
    """The same text under another syntax is another template: it is compiled again."""
    compile_cached = jinja_cache.compiling_once(jinja2.Environment.compile)
    monkeypatch.setattr(jinja2.Environment, "compile", compile_cached)
    source = "<% if x %>{{ x }}<% endif %>"
    plain, angled = jinja2.Environment(), jinja2.Environment(block_start_string="<%")
    angled.block_end_string = "%>"
    assert plain.from_string(source).render(x=1) == "<% if x %>1<% endif %>"
    assert jinja2.Environment().from_string(source).render(x=2) == "<% if x %>2<% endif %>"
    assert angled.from_string(source).render(x=3) == "3"
    assert len(compile_cached.compiled) == 2


def test_a_syntax_error_is_raised_every_time(monkeypatch):
    """Only successes are kept: a broken source fails on every compile."""
    compile_cached = jinja_cache.compiling_once(jinja2.Environment.compile)
    monkeypatch.setattr(jinja2.Environment, "compile", compile_cached)
    for _ in range(2):
        with pytest.raises(jinja2.TemplateSyntaxError):
            jinja2.Environment().from_string("{% if %}")


def bake_tree(output_dir, cookiecutter_config):
    """The tree of a top-level bake made with cookiecutter's API directly."""
    extra = {"maturity_level": manifest.levels(CONFIG)[-1], "project_name": "Reuse Check"}
    project = cookiecutter(
        str(manifest.ROOT),
        no_input=True,
        extra_context=extra,
        output_dir=str(output_dir),
        config_file=str(cookiecutter_config),
    )
    return tree(project)


def test_bakes_with_reused_code_equal_bakes_without(tmp_path, cookiecutter_config, monkeypatch):
    """Every file, mode and folder of a top-level bake is the same with the reuse as without
    (the session installs it for every test; undone here for the reference bake)."""
    reused = [bake_tree(tmp_path / name, cookiecutter_config) for name in ("first", "second")]
    monkeypatch.setattr(jinja2.Environment, "compile", jinja_cache.ORIGINAL_COMPILE)
    assert reused[0] == reused[1] == bake_tree(tmp_path / "plain", cookiecutter_config)
