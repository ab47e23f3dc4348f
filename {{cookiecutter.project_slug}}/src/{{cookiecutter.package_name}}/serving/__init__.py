"""The serving API: the registry's champion behind FastAPI, with A/B routing to the challenger.

:mod:`.settings` reads ``configs/serve.yaml``; :mod:`.registry` loads the models by alias;
:mod:`.schemas` derives the request schemas from the configured features; :mod:`.routing`
chooses the variant of each request; :mod:`.batching` shares one model call between concurrent
requests; :mod:`.app` puts them together, and ``python -m {{ cookiecutter.package_name }} serve``
runs it with uvicorn.
"""
