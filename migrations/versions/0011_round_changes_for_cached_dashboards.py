"""Round changes: a row for each change a review dashboard counts, written by triggers

The dashboards count every unit of a round (statuses, scores, late and stale
units, recurring bottlenecks). They keep what they counted, in each process,
under the round's change stamp, read from ``round_changes`` (its highest
id for the round, and the round's rows among the last ids: see
``services/review/counted.py``). Triggers add a row whenever something counted
changes, whoever changes it (the app, ``flask`` commands, SQL by hand): a
group's status, score, band, section scores or submission time; a scope
review; a bottleneck; a response; a participant (or its due date); a unit's
code, names, kind or order. An autosave that changes none of these adds
nothing. Rows are only ever inserted, so writers never wait for each other,
and the stamp moves when such a change commits.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_GROUP_CHANGED = ("OLD.status IS DISTINCT FROM NEW.status OR OLD.score IS DISTINCT FROM NEW.score "
                  "OR OLD.band IS DISTINCT FROM NEW.band OR OLD.submitted_at IS DISTINCT FROM NEW.submitted_at "
                  "OR CAST(OLD.section_scores AS TEXT) IS DISTINCT FROM CAST(NEW.section_scores AS TEXT)")
_UNIT_CHANGED = ("OLD.code IS DISTINCT FROM NEW.code OR OLD.name_vi IS DISTINCT FROM NEW.name_vi "
                 "OR OLD.name_en IS DISTINCT FROM NEW.name_en OR OLD.kind IS DISTINCT FROM NEW.kind "
                 "OR OLD.sort_order IS DISTINCT FROM NEW.sort_order")
_TRIGGERS = {
    # table: (UPDATE columns, UPDATE condition, round of a row as SQL over ROW)
    "response_groups": ("status, score, band, section_scores, submitted_at", _GROUP_CHANGED,
                        "SELECT round_id FROM responses WHERE id = ROW.response_id"),
    "scope_reviews": (None, None, "SELECT round_id FROM responses WHERE id = ROW.response_id"),
    "bottlenecks": (None, None, "SELECT round_id FROM responses WHERE id = ROW.response_id"),
    "responses": (None, None, "SELECT ROW.round_id"),
    "round_units": (None, None, "SELECT ROW.round_id"),
    "units": ("code, name_vi, name_en, kind, sort_order", _UNIT_CHANGED,
              "SELECT round_id FROM round_units WHERE unit_id = ROW.id"),
}


def upgrade():
    op.create_table('round_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),  # no foreign key: rows may outlive a deleted round
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_changes'))
    )
    with op.batch_alter_table('round_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_changes_round_id'), ['round_id', 'id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def _postgresql():
    for table, (columns, condition, round_of) in _TRIGGERS.items():
        new, old = round_of.replace("ROW", "NEW"), round_of.replace("ROW", "OLD")
        op.execute(f"CREATE FUNCTION round_changed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"IF TG_OP = 'DELETE' THEN INSERT INTO round_changes (round_id) {old}; "
                   f"ELSE INSERT INTO round_changes (round_id) {new}; END IF; RETURN NULL; END $$")
        if table != "units":
            events = "INSERT OR DELETE" if condition else "INSERT OR UPDATE OR DELETE"
            op.execute(f"CREATE TRIGGER round_changed AFTER {events} ON {table} FOR EACH ROW "
                       f"EXECUTE FUNCTION round_changed_{table}()")
        if condition:
            op.execute(f"CREATE TRIGGER round_changed_update AFTER UPDATE OF {columns} ON {table} FOR EACH ROW "
                       f"WHEN ({condition}) EXECUTE FUNCTION round_changed_{table}()")


def _sqlite():
    for table, (columns, condition, round_of) in _TRIGGERS.items():
        when = condition.replace("IS DISTINCT FROM", "IS NOT") if condition else None
        kinds = [("update", f"UPDATE OF {columns}" if columns else "UPDATE", "NEW", when)]
        if table != "units":
            kinds += [("insert", "INSERT", "NEW", None), ("delete", "DELETE", "OLD", None)]
        for name, event, row, condition_sql in kinds:
            op.execute(f"CREATE TRIGGER round_changed_{table}_{name} AFTER {event} ON {table} FOR EACH ROW"
                       f"{f' WHEN {condition_sql}' if condition_sql else ''} "
                       f"BEGIN INSERT INTO round_changes (round_id) {round_of.replace('ROW', row)}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS round_changed ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS round_changed_update ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS round_changed_{table}()")
    else:
        for table in _TRIGGERS:
            for name in ("update", "insert", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS round_changed_{table}_{name}")
    with op.batch_alter_table('round_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_changes_round_id'))
    op.drop_table('round_changes')
