"""
The project as Heroku builds it: where its root is and which files are judged.

Heroku builds the root of the git repository that ``git push`` sends, whatever folder
``manage.py`` lives in: the Procfile, app.json, the Python version files and the package
manager's files are read there. :class:`Project` names that root, the folder of files the
checks read (``tree``) and the folder of ``manage.py`` inside it (``app_dir``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """The files a check reads, and where the project sits in them."""

    # The git top level (what a push sends); the project folder outside a checkout.
    root: Path
    # The folder whose files are judged: ``root`` itself, or an export of the commit to push.
    tree: Path
    # The folder of manage.py (the Python path of the web and release processes) in ``tree``.
    app_dir: Path
    # What ``tree`` holds, for the report's heading: "the working tree", "local/production …".
    label: str = ""

    @classmethod
    def at(cls, folder: Path, *, label: str = "") -> Project:
        """The project whose manage.py folder is ``folder``, judged on its working tree."""
        from deploytools.facts.git_repository import toplevel

        folder = folder.resolve()
        # A slug has no .git: on a dyno the project folder is all there is.
        root = folder if os.environ.get("DYNO") else toplevel(folder) or folder
        return cls(root=root, tree=root, app_dir=folder, label=label)

    @classmethod
    def here(cls) -> Project:
        """
        The running project as Django's own ``manage.py check`` sees it: settings.BASE_DIR by
        convention, else the working directory. No git is asked (on a dyno there is none, and
        a plain ``check`` stays fast); preflight finds the git root with :meth:`at`.
        """
        from django.conf import settings

        base_dir = getattr(settings, "BASE_DIR", None)
        folder = Path(base_dir) if base_dir else Path.cwd()
        return cls(root=folder, tree=folder, app_dir=folder)

    def relative(self, path: Path) -> str:
        """``path`` as the report shows it: relative to the tree, in posix form."""
        try:
            return path.relative_to(self.tree).as_posix()
        except ValueError:
            return str(path)
