"""The ``khanij`` command line, one module per subcommand family (as rasterio's ``rio`` package).

:mod:`cli.main` builds the parser, dispatches and turns errors into exit codes; :mod:`cli.common`
and :mod:`cli.signals` hold what every subcommand shares. Each other module (:mod:`cli.app`,
:mod:`cli.info`, :mod:`cli.convert`, :mod:`cli.score`, :mod:`cli.screen`, :mod:`cli.export`,
:mod:`cli.review`, :mod:`cli.sample_atlas`, :mod:`cli.blocks`) adds its subcommands with
``add_parsers`` and only reads arguments, calls geo, layers, assessment (or gui, imported when a
command runs) and formats the answer. geo, layers, assessment and gui never import it (an
import-linter contract in pyproject.toml).
"""
