"""What the slow tests of serving projects (levels 3 and 4) read from a generated project.

The project's configs say where its data is and which model it registers; its MLflow store
says which version each alias names. Both serving tests check those the same way.
"""

from pathlib import Path

from drift_scenario import training_config  # the demo reads the config the same way
from installed_projects import run_json

# Run with the project's own Python: the version each alias of the registered model names.
ALIASES_QUERY = """
import json, sys
from mlflow import MlflowClient

client = MlflowClient("sqlite:///mlflow.db")
model = client.get_registered_model(sys.argv[1])
print(json.dumps({alias: str(version) for alias, version in model.aliases.items()}))
"""


def package_of(project):
    """The generated package's name (the folder of src/ with a __main__.py)."""
    return next(Path(project, "src").glob("*/__main__.py")).parent.name


def aliases(project, venv):
    """Alias -> version of the project's registered model, read through MLflow."""
    name = training_config(project)["tracking"]["registered_model"]
    return run_json([venv / "bin/python", "-c", ALIASES_QUERY, name], project)
