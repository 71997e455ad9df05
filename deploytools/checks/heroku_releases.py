"""
I718: what Heroku tells a release about itself (tag heroku).

``heroku_release`` records each release with its version and commit, which a dyno knows only
from the dyno metadata (HEROKU_RELEASE_VERSION, HEROKU_SLUG_COMMIT), and those exist only with
the labs feature ``runtime-dyno-metadata`` (platform data, releases). Like the other 7xx
checks these read the run's snapshot and never the network.
"""

from __future__ import annotations

from django.core.checks import CheckMessage, Info
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import platform_data
from deploytools.checks.registry import check
from deploytools.context import ProductionContext
from deploytools.i18n import gettext_noop

# When the labs feature takes effect, as platform.json words it (dyno_metadata.takes_effect),
# marked for the catalogue: the hint shows it translated, or as it is if the data changed.
TAKES_EFFECT = gettext_noop("the next deploy")


@check(
    name="heroku_dyno_metadata",
    title=gettext_lazy("Dynos know their release (dyno metadata)"),
    ids={
        "I718": gettext_lazy(
            "labs feature runtime-dyno-metadata off: no HEROKU_RELEASE_VERSION or "
            "HEROKU_SLUG_COMMIT for the records heroku_release keeps"
        )
    },
    tags=["heroku"],
)
def check_dyno_metadata(context: ProductionContext) -> list[CheckMessage]:
    """I718: HEROKU_RELEASE_VERSION and HEROKU_SLUG_COMMIT exist only with the labs feature."""
    snapshot = context.snapshot
    metadata = platform_data.dyno_metadata()
    enabled = any(
        f.get("name") == metadata.labs_feature and f.get("enabled") for f in snapshot.features
    )
    if enabled:
        context.evidence(_("%(feature)s enabled") % {"feature": metadata.labs_feature})
        return []
    return [
        Info(
            _(
                "The labs feature %(feature)s is off: dynos get no HEROKU_RELEASE_VERSION or "
                "HEROKU_SLUG_COMMIT, so heroku_release records releases without their version "
                "and commit, and its history cannot be paired with `heroku releases`."
            )
            % {"feature": metadata.labs_feature},
            hint=_("Turn it on (it takes effect from %(when)s): `%(fix)s`.")
            % {
                "when": _(metadata.takes_effect),
                "fix": metadata.enable_command_for(snapshot.app_name),
            },
            obj=snapshot.app_name,
            id="deploytools.I718",
        )
    ]
