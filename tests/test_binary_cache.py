"""Reusing binaryornot's verdicts across bakes (tests/binary_cache.py) changes nothing baked."""

import binary_cache
from binaryornot.check import is_binary as asked_every_time
from test_jinja_cache import bake_tree


def test_a_changed_file_is_asked_again(tmp_path):
    """Text that becomes binary gets the new verdict; an unchanged file is not read again."""
    asked = []

    def is_binary(path):
        asked.append(path)
        return b"\0" in path.read_bytes()

    is_binary_cached = binary_cache.asking_once(is_binary)
    path = tmp_path / "file"
    path.write_bytes(b"text\n")
    assert not is_binary_cached(path) and not is_binary_cached(path)
    assert len(asked) == 1
    path.write_bytes(b"now \0 binary\n")
    assert is_binary_cached(path)
    assert len(asked) == 2


def test_bakes_with_reused_verdicts_equal_bakes_without(tmp_path, cookiecutter_config, monkeypatch):
    """Every file, mode and folder of a top-level bake is the same with the reuse as without
    (the session installs it for every test; undone here for the reference bake)."""
    reused = [bake_tree(tmp_path / name, cookiecutter_config) for name in ("first", "second")]
    monkeypatch.setattr(binary_cache.generate, "is_binary", asked_every_time)
    assert reused[0] == reused[1] == bake_tree(tmp_path / "plain", cookiecutter_config)
