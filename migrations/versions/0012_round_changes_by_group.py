"""Round changes name their group: a dashboard of some groups counts again only for theirs

A change of a group's status or score, of a scope review or of a bottleneck
belongs to one group of the questionnaire; the trigger now writes that group's
code with the round. Changes that concern every group (a response, a
participant, a unit's names) keep ``group_code`` empty. A dashboard's stamp
reads the rows of its own groups and the empty ones
(``services/review/counted.py``): a legal change no longer makes the DIC's
dashboard count again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 11:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_GROUP_CHANGED = ("OLD.status IS DISTINCT FROM NEW.status OR OLD.score IS DISTINCT FROM NEW.score "
                  "OR OLD.band IS DISTINCT FROM NEW.band OR OLD.submitted_at IS DISTINCT FROM NEW.submitted_at "
                  "OR CAST(OLD.section_scores AS TEXT) IS DISTINCT FROM CAST(NEW.section_scores AS TEXT)")
# The tables whose rows belong to one group (migration 0011 has the others): UPDATE columns and condition.
_TRIGGERS = {
    "response_groups": ("status, score, band, section_scores, submitted_at", _GROUP_CHANGED),
    "scope_reviews": (None, None),
    "bottlenecks": (None, None),
}


def _insert(row, by_group):
    """The trigger's INSERT for a row (``NEW`` or ``OLD``), with or without its group."""
    if by_group:
        return (f"INSERT INTO round_changes (round_id, group_code) "
                f"SELECT round_id, {row}.group_code FROM responses WHERE id = {row}.response_id")
    return f"INSERT INTO round_changes (round_id) SELECT round_id FROM responses WHERE id = {row}.response_id"


def _postgresql(by_group):
    for table in _TRIGGERS:
        op.execute(f"CREATE OR REPLACE FUNCTION round_changed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN IF TG_OP = 'DELETE' THEN {_insert('OLD', by_group)}; "
                   f"ELSE {_insert('NEW', by_group)}; END IF; RETURN NULL; END $$")


def _sqlite(by_group):
    for table, (columns, condition) in _TRIGGERS.items():
        when = condition.replace("IS DISTINCT FROM", "IS NOT") if condition else None
        kinds = [("update", f"UPDATE OF {columns}" if columns else "UPDATE", "NEW", when),
                 ("insert", "INSERT", "NEW", None), ("delete", "DELETE", "OLD", None)]
        for name, event, row, condition_sql in kinds:
            op.execute(f"DROP TRIGGER IF EXISTS round_changed_{table}_{name}")
            op.execute(f"CREATE TRIGGER round_changed_{table}_{name} AFTER {event} ON {table} FOR EACH ROW"
                       f"{f' WHEN {condition_sql}' if condition_sql else ''} "
                       f"BEGIN {_insert(row, by_group)}; END")


def upgrade():
    op.add_column('round_changes', sa.Column('group_code', sa.String(length=40), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(True)
    else:
        _sqlite(True)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(False)
    else:
        _sqlite(False)
    # Not a batch (which would copy the table): SQLite checks the other tables' triggers
    # that write to it when it is dropped. SQLite has dropped columns itself since 3.35.
    op.execute("ALTER TABLE round_changes DROP COLUMN group_code")
