"""
The release phase: what ``manage.py heroku_release`` does, one module per step.

Heroku runs the Procfile's ``release:`` command after every build, config-var change, rollback,
pipeline promotion, new add-on and release made through the API, before the new dynos start, and
stops it after one hour (platform data, releases); a non-zero exit stops the release and the
previous one keeps serving. :mod:`.phase` runs, in order:

1. :mod:`.announce` — logfmt lines naming the release (``HEROKU_RELEASE_VERSION``,
   ``HEROKU_SLUG_COMMIT``), secrets scrubbed;
2. the checks tagged "release" (and Django's own), at ``--fail-level``;
3. :mod:`.database` — wait for the database with bounded backoff (E601), then check that the
   PostgreSQL server is a version the running Django supports (E608), before Django's own
   refusal could stop a migration halfway;
4. :mod:`.lock` — a PostgreSQL advisory lock, so two releases never migrate at once (E602);
   ``manage.py migrate`` takes the same lock;
5. :mod:`.plan` — what will be applied: a rollback's unknown migrations (W604), unsafe
   operations judged by policy (E603/W606), irreversible ones (W304);
6. :mod:`.migrate` — Django's migrate (E605), then the post-migrate commands (E607);
7. :mod:`.record` — a :class:`~deploytools.models.Release` row, also when the release failed or
   got SIGTERM (:mod:`.sigterm`).

Each step returns a typed result (:mod:`.steps`); the 6xx checks in
:mod:`deploytools.checks.release_phase` judge them into report lines. :mod:`.history` reads the
recorded releases back for ``--history``.
"""
