"""``khanij review …``: the headless twin of the Review panel (same store, same functions).

    khanij review init --db postgresql://admin@host/db        # once per database, by an administrator
    khanij review publish scores.gpkg [--tranche NAME] [--db DB]
    khanij review list [--tranche NAME] [--db DB]
    khanij review decide BLOCK DECISION --based-on VERSION [--comment TEXT] [--tranche NAME] [--db DB]
    khanij review history [BLOCK] [--tranche NAME] [--db DB]
    khanij review withdraw --comment TEXT [--tranche NAME] [--db DB]
    khanij review export -o tranche.xlsx [--tranche NAME] [--db DB]

``--db`` is a GeoPackage (default ``review.gpkg`` in the current folder; ``publish`` puts it beside
the score file) or a PostgreSQL connection string (``postgresql://user@host/db``,
``service=review``); the password comes from PGPASSWORD, ~/.pgpass or the service file, never
from Khanij.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Optional

from layers.review import ReviewError, ReviewStore, format_time, is_postgres, open_store, read_scored_blocks

DEFAULT_GPKG = "review.gpkg"
DB_ENV = "KHANIJ_REVIEW_DB"


def store_target(args: argparse.Namespace) -> str:
    """``--db``, else $KHANIJ_REVIEW_DB, else review.gpkg (beside the score file when publishing)."""
    if args.db or os.environ.get(DB_ENV):
        return args.db or os.environ[DB_ENV]
    scores = getattr(args, "scores", None)
    return str(Path(scores).with_name(DEFAULT_GPKG)) if scores else DEFAULT_GPKG


def open_for(args: argparse.Namespace, create: bool = False, read_only: bool = False) -> ReviewStore:
    return open_store(store_target(args), user=getattr(args, "reviewer", None), create=create, read_only=read_only)


def chosen_tranche(store: ReviewStore, name: Optional[str]) -> str:
    """``--tranche``, or the store's only tranche; ReviewError listing them when there are several."""
    if name:
        return store.tranche(name).name
    tranches = store.tranches()
    if len(tranches) == 1:
        return tranches[0].name
    listed = ", ".join(t.name for t in tranches) or "none yet: publish a score output first"
    raise ReviewError(f"{store.location}: say which tranche with --tranche (tranches: {listed})")


def run_review(args: argparse.Namespace) -> int:
    return ACTIONS[args.review_action](args)


def _init(args: argparse.Namespace) -> int:
    target = store_target(args)
    if is_postgres(target):
        from layers.review.pg_store import install_schema, safe_conninfo

        install_schema(target)
        print(f"review schema ready in {safe_conninfo(target)}; grant the roles khanij_read, khanij_reviewer "
              "or khanij_owner to people (GRANT khanij_reviewer TO name)")
    else:
        open_store(target, create=True).close()
        print(f"review store ready in {target}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    scores = read_scored_blocks(args.scores)
    tranche = args.tranche or Path(args.scores).stem
    with open_for(args, create=True) as store:
        run_id = store.publish(scores, tranche, Path(args.scores).name)
        print(f"{len(scores)} blocks of {Path(args.scores).name} published as tranche '{tranche}' "
              f"(run {run_id}) to {store.location}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_for(args, read_only=True) as store:
        if not args.tranche and len(store.tranches()) != 1:
            if not store.tranches():
                print(f"{store.location}: no tranche yet (publish one: khanij review publish SCORES.gpkg --db …)")
            for tranche in store.tranches():
                state = f"withdrawn by {tranche.withdrawn_by}" if tranche.withdrawn else "open"
                print(f"{tranche.name}\t{tranche.n_blocks} blocks\tpublished by {tranche.published_by} on "
                      f"{format_time(tranche.published_at)}\t{state}")
            return 0
        tranche = chosen_tranche(store, args.tranche)
        listing = store.blocks(tranche)
        run = store.latest_run(tranche)
    listing["decided_at"] = listing["decided_at"].map(lambda t: "" if t is None or t != t else format_time(t))
    listing = listing.fillna({"decision": "—", "reviewer": "", "comment": ""})
    print(f"tranche {tranche}: {len(listing)} blocks; scores: {run.describe()}")
    print(listing.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    return 0


def _decide(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        decision = store.decide(chosen_tranche(store, args.tranche), args.block, args.decision, args.comment,
                                args.based_on)
    print(f"{decision.block_id}: {decision.describe()}")
    return 0


def _history(args: argparse.Namespace) -> int:
    with open_for(args, read_only=True) as store:
        history = store.history(chosen_tranche(store, args.tranche), args.block)
    if history.empty:
        print("no decision recorded yet")
        return 0
    for row in history.itertuples(index=False):
        comment = f': "{row.comment}"' if row.comment else ""
        print(f"{row.block_id}\tv{row.version}\t{row.decision}\t{row.reviewer}\t{format_time(row.decided_at)}{comment}")
    return 0


def _withdraw(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        tranche = chosen_tranche(store, args.tranche)
        count = store.withdraw(tranche, args.comment)
    print(f"tranche '{tranche}' withdrawn: {count} blocks")
    return 0


def _export(args: argparse.Namespace) -> int:
    from geo.tables import write_table
    from layers.review.decisions import decisions_by_block, scores_with_decisions

    with open_for(args, read_only=True) as store:
        tranche = chosen_tranche(store, args.tranche)
        scores = store.latest_scores(tranche)
        decisions = decisions_by_block(store, tranche)
    table, history = scores_with_decisions(scores, decisions)
    write_table(table, args.output, sheet_name=tranche[:31] or "Scores", extra_sheets={"Review history": history})
    print(f"{len(table)} blocks of tranche '{tranche}' with their decisions → {args.output}")
    return 0


def dossier_decisions(target: str, tranche: Optional[str], default_tranche: str):
    """The decisions for ``khanij report --review-db``: per block, from the tranche named or the score file's."""
    from layers.review.decisions import decisions_by_block

    with open_store(target, read_only=True) as store:
        names = [t.name for t in store.tranches()]
        name = tranche or (default_tranche if default_tranche in names else chosen_tranche(store, None))
        return decisions_by_block(store, store.tranche(name).name)


ACTIONS = {"init": _init, "publish": _publish, "list": _list, "decide": _decide, "history": _history,
           "withdraw": _withdraw, "export": _export}


def add_parsers(sub) -> argparse.ArgumentParser:
    """The ``review`` subcommand and its actions, added to the main parser's subparsers."""
    from layers.review.model import DECISIONS

    parser = sub.add_parser("review", help="share a scored tranche for review: publish, list, decide, history",
                            description=__doc__.split("\n\n")[0])
    actions = parser.add_subparsers(dest="review_action", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help_text)
        p.add_argument("--db", metavar="DB", help="review GeoPackage (default review.gpkg, or $KHANIJ_REVIEW_DB) "
                       "or PostgreSQL connection string (postgresql://user@host/db, service=NAME)")
        p.add_argument("--reviewer", metavar="NAME",
                       help="your name in a GeoPackage store (default: your login); PostgreSQL uses the database user")
        if name not in ("init", "publish"):
            p.add_argument("--tranche", metavar="NAME", help="the tranche (needed when the store has several)")
        return p

    action("init", "set up the review schema and roles in a PostgreSQL database (administrator, once)")
    p = action("publish", "put a score output into the store as a tranche (owner)")
    p.add_argument("scores", metavar="SCORES.gpkg", help="the GeoPackage 'khanij score' wrote")
    p.add_argument("--tranche", metavar="NAME", help="the tranche's name (default: the file's name)")
    action("list", "the tranches, or a tranche's blocks with their latest decision and version")
    p = action("decide", "record a decision on a block (reviewer)")
    p.add_argument("block", metavar="BLOCK")
    p.add_argument("decision", choices=DECISIONS, metavar="DECISION", help=f"one of: {', '.join(DECISIONS)}")
    p.add_argument("--based-on", dest="based_on", type=int, required=True, metavar="VERSION",
                   help="the block's version you decided on (as 'list' shows it); refused if it changed since")
    p.add_argument("--comment", default="", help="why")
    p = action("history", "every decision on a block (or the tranche), oldest first")
    p.add_argument("block", nargs="?", metavar="BLOCK")
    p = action("withdraw", "withdraw the whole tranche (owner)")
    p.add_argument("--comment", required=True, help="why it is withdrawn")
    p = action("export", "the latest scores with each block's decision and history (.xlsx, .csv or .gpkg)")
    p.add_argument("-o", "--output", metavar="OUT", required=True)
    parser.set_defaults(handler=run_review)
    return parser

