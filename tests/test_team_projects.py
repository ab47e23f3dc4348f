"""The team platform, run for real: an MLflow server on PostgreSQL, and the image's recipe.

At every level whose preset serves a model, a fresh project starts its own ``make
tracking-server`` on a throwaway PostgreSQL database (tests/team_servers.py) and, with
``MLFLOW_TRACKING_URI=http://...`` only, runs ``make train promote`` and ``make serve``: the
steps of the generated README's team section, which a test keeps in step with these. Nothing
may land in the project's own store, and nothing may stay in the temporary folder: models
downloaded from a server are deleted once loaded, or every reload would grow the disk. A
better model, trained and promoted by another process, is then served: at once after ``POST
/admin/reload`` where monitoring reloads models, after a restart where the API loads its
champion only when it starts.

The image's recipe (tests/image_recipe.py) is replayed from the Dockerfile at the highest
serving level: runtime requirements and the package only, the copied files only, its user,
read-only files. It must serve the champion of the team's server, and answer its HEALTHCHECK.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import image_recipe
import loopback
import manifest
import pytest
from drift_scenario import inputs, read_wines
from installed_projects import find_interpreter, run
from served_projects import aliases, make_serve, write_better_config
from team_servers import throwaway_postgresql, tracking_server, unavailable

CONFIG = manifest.load_config()
SERVING_LEVELS = [
    level
    for level in manifest.levels(CONFIG)
    if manifest.is_on(manifest.level_preset(CONFIG, level)["serving"])
]
IMAGE_LEVEL = SERVING_LEVELS[-1]
# What the team section of the README tells each machine to run, in order, and the variables
# that point the commands at the server's database and at the server.
SERVER_STEP, TRAIN_STEP, SERVE_STEP = ["tracking-server"], ["train", "promote"], ["serve"]
TEAM_STEPS = [SERVER_STEP, TRAIN_STEP, SERVE_STEP]
TEAM_VARIABLES = {"MLFLOW_BACKEND_STORE_URI", "MLFLOW_TRACKING_URI"}
TEAM_SECTION = "### A tracking server for a team"


@dataclass
class Team:
    """A project of ``level`` whose champion lives on the team server at ``uri``."""

    level: str
    project: Path
    venv: Path
    uri: str
    artifacts: Path
    temp: Path

    def env(self):
        """The variables of the project's commands: the team server only, and a temporary
        folder of their own (TMPDIR), which must be empty when they are done."""
        return {"MLFLOW_TRACKING_URI": self.uri, "TMPDIR": str(self.temp)}

    def reloads_models(self):
        """Whether the level's API picks up a new champion while it runs (monitoring)."""
        return manifest.is_on(manifest.level_preset(CONFIG, self.level)["monitoring"])

    def champion(self):
        """The champion's version, read from the team server."""
        return aliases(self.project, self.venv, self.uri)["champion"]

    def make(self, *targets):
        """Run the project's make targets against the team server only."""
        return run(["make", f"VENV={self.venv}", *targets], self.project, env=self.env())


def team_group(level):
    """The tests of one level's team share its servers: `make test` (``--dist loadgroup``) runs
    them on one worker, so the servers start and the model trains once."""
    return pytest.mark.xdist_group(f"team-level{level}")


@pytest.fixture(
    name="team",
    scope="module",
    params=[pytest.param(level, marks=team_group(level)) for level in SERVING_LEVELS],
)
def fixture_team(request, installed, tmp_path_factory):
    """A fresh project of a serving level with its tracking server on PostgreSQL, trained and
    promoted through the server; the servers stop when the module's tests are done."""
    level = request.param
    venv = installed.venv(level)
    folder = tmp_path_factory.mktemp(f"team-level{level}")
    project = installed.variant(folder / "project", level, {})
    artifacts = folder / "artifacts"
    temp = folder / "tmp"
    temp.mkdir()
    with (
        throwaway_postgresql() as store,
        tracking_server(project, venv, store, artifacts, SERVER_STEP) as uri,
    ):
        team = Team(level, project, venv, uri, artifacts, temp)
        team.make(*TRAIN_STEP)
        yield team


@pytest.fixture(name="api")
def fixture_api(team, tmp_path):
    """``make serve`` against the team server, on a free loopback port: ``start()`` returns a
    context manager yielding the base URL."""

    def start():
        port = loopback.free_port()
        log = tmp_path / f"serve-{port}.log"
        return make_serve(team.project, team.venv, port, log, team.env())

    return start


def check_serves(base, project, version):
    """/ready and a prediction both come from the champion ``version``."""
    ready = loopback.request(f"{base}/ready")
    assert (ready.status, ready.body) == (200, {"status": "ready", "model_version": version})
    row = inputs(project, read_wines(project)[:1])[0]
    answer = loopback.request(f"{base}/predict", row)
    assert answer.status == 200, answer
    assert (answer.body["variant"], answer.body["model_version"]) == ("champion", version)


@pytest.mark.slow
def test_team_server_holds_runs_and_models_and_serves_a_later_champion(team, api):
    """Runs, models and artifacts go to the server; a champion promoted by another process
    is served after the API reloads (or restarts, where it does not reload)."""
    assert not Path(team.project, "mlflow.db").exists(), "a run went to the local store"
    assert not Path(team.project, "mlruns").exists(), "artifacts went to the local store"
    assert any(team.artifacts.rglob("MLmodel")), "the server stored no model artifact"
    before = team.champion()
    with api() as base:
        check_serves(base, team.project, before)
        better = write_better_config(team.project)
        output = team.make(*TRAIN_STEP, f"CONFIG={better}")
        after = team.champion()
        assert after != before and f"promoted version {after}" in output, output
        if team.reloads_models():
            reload = loopback.request(f"{base}/admin/reload", {})
            assert reload.status == 200 and reload.body["served"]["champion"] == after
            check_serves(base, team.project, after)
    if not team.reloads_models():
        with api() as base:
            check_serves(base, team.project, after)
    left = sorted(path.name for path in team.temp.iterdir())
    assert not left, f"the project's commands left {left} in their temporary folder"


def team_steps(readme):
    """The make commands and exported variables of the first code block of the README's team
    section."""
    section = readme.split(TEAM_SECTION, 1)[1]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    steps = [
        line.split("#")[0].split()[1:] for line in block.splitlines() if line.startswith("make")
    ]
    exported = set(re.findall(r"^export (\w+)=", block, flags=re.MULTILINE))
    return steps, exported


@pytest.mark.parametrize("level", SERVING_LEVELS)
def test_readme_team_section_gives_the_steps_run_here(cookies, level):
    """The generated README tells a team exactly what the team test runs."""
    result = cookies.bake(extra_context={"maturity_level": level})
    readme = Path(result.project_path, "README.md").read_text(encoding="utf-8")
    assert team_steps(readme) == (TEAM_STEPS, TEAM_VARIABLES)


def image_python():
    """A Python version offered by the template and an interpreter of it that the image's
    user may run (under root the replay switches to that user, who cannot enter root's home,
    where pyenv keeps its Pythons), or None."""
    for version in manifest.python_versions(CONFIG):
        candidates = [find_interpreter(version), f"/usr/bin/python{version}"]
        for interpreter in filter(None, candidates):
            if not Path(interpreter).exists():
                continue
            if not image_recipe.switches_user() or image_recipe.runnable_by_anyone(interpreter):
                return version, interpreter
    return None


@pytest.mark.slow
@team_group(IMAGE_LEVEL)
@pytest.mark.parametrize("team", [IMAGE_LEVEL], indirect=True)
def test_image_recipe_serves_the_champion_with_runtime_requirements_only(team, installed, tmp_path):
    """The replayed image loads the team server's champion, answers, and passes its
    HEALTHCHECK; at a monitoring level it logs the prediction in its writable folder.

    The image is baked afresh for a Python its user may run; its registered model is the
    team project's, whose champion it serves.
    """
    found = image_python()
    if found is None:
        unavailable("no offered Python that an unprivileged user may run")
    version, interpreter = found
    answers = {"python_version": version}
    project = installed.variant(tmp_path / "image", team.level, answers)
    assert image_recipe.python_version(project / "Dockerfile") == version
    env = {"MLFLOW_TRACKING_URI": team.uri}
    port = loopback.free_port()
    with image_recipe.built(project, interpreter) as image:
        with image.serving(port, env, tmp_path / "image.log") as base:
            check_serves(base, team.project, team.champion())
            healthcheck = image.healthcheck(port, env)
            assert healthcheck.returncode == 0, healthcheck.stderr
        if team.reloads_models():
            writable = [folder for folder, _ in image.stage.writable]
            logged = [path for folder in writable for path in folder.rglob("*.jsonl")]
            assert logged, f"no prediction logged under {writable}"
