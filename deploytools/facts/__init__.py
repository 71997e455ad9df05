"""
The fact gatherers: what is true about the project, the build, the dynos, Heroku, the package
index and the database, each module named for what it inspects. They judge nothing: the checks
of :mod:`deploytools.checks` do.
"""
