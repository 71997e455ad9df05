"""weareone's production settings for the live-site tests, with STATIC_ROOT in a temp dir."""

import os

from weareone.settings import *  # noqa: F403

# weareone collects into BASE_DIR/staticfiles; the tests must not write into the checkout.
STATIC_ROOT = os.environ["LIVE_STATIC_ROOT"]
