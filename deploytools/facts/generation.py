"""
Which generation of Heroku builds and runs the app: Cedar or Fir.

Cedar builds with the classic buildpacks into a slug; Fir builds with Cloud Native Buildpacks
into an OCI image, in a Private Space, on ARM dynos (platform data, table ``generations``).
production_check reads the generation from the app itself (the Platform API's
``app.generation``), ``preflight --app`` likewise; otherwise DEPLOYTOOLS["HEROKU_GENERATION"]
says it (default cedar, Heroku's generation for new Common Runtime apps).
"""

from __future__ import annotations

from deploytools import platform_data
from deploytools.context import Context, PreflightContext, ProductionContext


def app_generation(context: Context) -> platform_data.Generation:
    """The generation the app runs on, as this run knows it."""
    from deploytools.conf import conf
    from deploytools.facts.snapshot import name_of

    if isinstance(context, ProductionContext):
        return platform_data.generation(name_of(context.snapshot.app.get("generation")))
    if isinstance(context, PreflightContext) and context.generation:
        return platform_data.generation(context.generation)
    return platform_data.generation(conf.heroku_generation)


def is_fir(context: Context) -> bool:
    return app_generation(context).name == "fir"
