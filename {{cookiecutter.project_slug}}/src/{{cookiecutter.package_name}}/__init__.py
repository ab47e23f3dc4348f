"""{{ cookiecutter.project_name | replace('\\', '\\\\') | replace('"""', '\\"\\"\\"') | wordwrap(96) }}.

{{ cookiecutter.description | replace('\\', '\\\\') | replace('"""', '\\"\\"\\"') | wordwrap(96) }}

The package holds the code that notebooks, tests and the command line share, so that a
result found in a notebook can be reproduced from the same functions anywhere else.
"""

__version__ = "0.1.0"
