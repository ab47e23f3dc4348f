"""The errors a user fixes by editing the config or the data, not the code.

The command line reports them in one line without a traceback, since the traceback would point
into the pipeline while the fix belongs in ``configs/train.yaml`` or the CSV file. Any other
exception is a bug and keeps its traceback.
"""


class PipelineError(Exception):
    """A problem with the inputs of the pipeline, explained in its message."""


class ConfigError(PipelineError):
    """The training config is missing a setting or has one of the wrong kind."""


class DataValidationError(PipelineError):
    """The dataset cannot train a model: missing columns, gaps, too few rows or classes."""
