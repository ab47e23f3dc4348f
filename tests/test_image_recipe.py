"""The Dockerfile replay (tests/image_recipe.py) does what each instruction says, and refuses
what it cannot do as Docker would, on small Dockerfiles that need no package installs."""

import os

import image_recipe
import pytest

RUNTIME = """\
ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION}-slim AS builder
WORKDIR /build
COPY pyproject.toml README.md ./
FROM python:${PYTHON_VERSION}-slim AS runtime
ENV PATH="/opt/venv/bin:$PATH" \\
    PYTHONUNBUFFERED=1
RUN groupadd --gid 1001 app && useradd --uid 1002 --gid app --create-home app
WORKDIR /app
COPY configs ./configs
RUN mkdir -p /app/predictions && chown app:app /app/predictions
USER 1002:1001
EXPOSE 8000
HEALTHCHECK --interval=30s CMD ["python", "-c", "print('http://127.0.0.1:8000/health')"]
CMD ["python", "-m", "pkg", "serve", "--host", "0.0.0.0", "--port", "8000"]
"""


@pytest.fixture(name="project")
def fixture_project(tmp_path):
    """A project folder with the files RUNTIME copies, and one it does not."""
    project = tmp_path / "project"
    (project / "configs").mkdir(parents=True)
    (project / "configs" / "serve.yaml").write_text("share: 0.1\n", encoding="utf-8")
    for name in ("pyproject.toml", "README.md", "notes.txt"):
        (project / name).write_text(name, encoding="utf-8")
    return project


def replay(project, dockerfile, root):
    """Write ``dockerfile`` into ``project`` and replay it under ``root``."""
    (project / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    return image_recipe.ImageReplay(project, root, "python3").build()


def test_runtime_stage_holds_what_the_dockerfile_copies_and_makes(project, tmp_path):
    """COPY, WORKDIR, mkdir and chown, USER, ENV, EXPOSE and CMD land as Docker would."""
    stage = replay(project, RUNTIME, tmp_path / "stages")
    app = stage.path(".")
    assert sorted(path.name for path in app.iterdir()) == ["configs", "predictions"]
    assert (app / "configs" / "serve.yaml").read_text(encoding="utf-8") == "share: 0.1\n"
    assert stage.writable == [(app / "predictions", (1002, 1001))]
    assert stage.user == (1002, 1001)
    assert stage.env["PATH"] == "/opt/venv/bin:" + image_recipe.BASE_IMAGE_ENV["PATH"]
    assert stage.env["PYTHONUNBUFFERED"] == "1"
    builder = tmp_path / "stages" / "builder" / "build"
    assert sorted(path.name for path in builder.iterdir()) == ["README.md", "pyproject.toml"]
    assert image_recipe.python_version(project / "Dockerfile") == "3.12"


def test_the_command_listens_on_loopback_as_the_image_user(project, tmp_path):
    """CMD's --host and --port are the test's; under root, setpriv takes the image's ids."""
    image = image_recipe.Image(replay(project, RUNTIME, tmp_path / "stages"), tmp_path)
    command = image.command(4321)
    serve = ["python", "-m", "pkg", "serve", "--host", "127.0.0.1", "--port", "4321"]
    assert command[-len(serve) :] == serve
    if os.geteuid() == 0:
        assert command[:4] == ["setpriv", "--reuid=1002", "--regid=1001", "--clear-groups"]
    probe = ["python", "-c", "print('http://127.0.0.1:4321/health')"]
    assert image.healthcheck_command(4321)[-len(probe) :] == probe
    assert image.environment({"EXTRA": "1"})["HOME"] == str(tmp_path)
    assert image.environment({"EXTRA": "1"})["EXTRA"] == "1"


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("RUN apt-get install -y curl", "RUN apt-get install -y curl"),
        ("VOLUME /data", "instruction VOLUME /data"),
        ('CMD ["python", "-m", "pkg", "serve"]', "no --host"),
    ],
)
def test_what_the_replay_cannot_do_fails_naming_it(project, tmp_path, line, named):
    """A step the replay does not know is an error that names it, never a silent skip."""
    dockerfile = RUNTIME.replace("EXPOSE 8000\n", "").replace(
        'CMD ["python", "-m", "pkg", "serve", "--host", "0.0.0.0", "--port", "8000"]', line
    )
    with pytest.raises(image_recipe.ReplayError, match=named):
        image = image_recipe.Image(replay(project, dockerfile, tmp_path / "stages"), tmp_path)
        image.command(4321)
