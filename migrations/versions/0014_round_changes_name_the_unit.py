"""Round changes name the unit: a dashboard re-reads the units that changed, not the round

The dashboards read one row per unit of the round (10,000 in a province with its
communes) and counted them again after every change of the round: on a busy day,
a change every few seconds. Each row of ``round_changes`` now names the unit it
changed (a group's status or score, a scope review, a bottleneck, a response, a
participant, a unit's names), so a process that has read the round once re-reads
only the units named by the changes since (``services/review/dashboards.py``). Rows
written before this revision name none: a process that meets one reads the whole
round again, as before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_GROUP_CHANGED = ("OLD.status IS DISTINCT FROM NEW.status OR OLD.score IS DISTINCT FROM NEW.score "
                  "OR OLD.band IS DISTINCT FROM NEW.band OR OLD.submitted_at IS DISTINCT FROM NEW.submitted_at "
                  "OR CAST(OLD.section_scores AS TEXT) IS DISTINCT FROM CAST(NEW.section_scores AS TEXT)")
_UNIT_CHANGED = ("OLD.code IS DISTINCT FROM NEW.code OR OLD.name_vi IS DISTINCT FROM NEW.name_vi "
                 "OR OLD.name_en IS DISTINCT FROM NEW.name_en OR OLD.kind IS DISTINCT FROM NEW.kind "
                 "OR OLD.sort_order IS DISTINCT FROM NEW.sort_order")
_OF_RESPONSE = "SELECT round_id, ROW.group_code, unit_id FROM responses WHERE id = ROW.response_id"
# table: (UPDATE columns, UPDATE condition, the change's round, group and unit as SQL over ROW;
#         the same as revision 0012 wrote, without the unit)
_TRIGGERS = {
    "response_groups": ("status, score, band, section_scores, submitted_at", _GROUP_CHANGED, _OF_RESPONSE,
                        "SELECT round_id, ROW.group_code FROM responses WHERE id = ROW.response_id"),
    "scope_reviews": (None, None, _OF_RESPONSE,
                      "SELECT round_id, ROW.group_code FROM responses WHERE id = ROW.response_id"),
    "bottlenecks": (None, None, _OF_RESPONSE,
                    "SELECT round_id, ROW.group_code FROM responses WHERE id = ROW.response_id"),
    "responses": (None, None, "SELECT ROW.round_id, NULL, ROW.unit_id", "SELECT ROW.round_id, NULL"),
    "round_units": (None, None, "SELECT ROW.round_id, NULL, ROW.unit_id", "SELECT ROW.round_id, NULL"),
    "units": ("code, name_vi, name_en, kind, sort_order", _UNIT_CHANGED,
              "SELECT round_id, NULL, ROW.id FROM round_units WHERE unit_id = ROW.id",
              "SELECT round_id, NULL FROM round_units WHERE unit_id = ROW.id"),
}


def _insert(table, row, with_unit):
    _columns, _condition, named, unnamed = _TRIGGERS[table]
    if with_unit:
        return f"INSERT INTO round_changes (round_id, group_code, unit_id) {named.replace('ROW', row)}"
    return f"INSERT INTO round_changes (round_id, group_code) {unnamed.replace('ROW', row)}"


def _postgresql(with_unit):
    for table in _TRIGGERS:
        op.execute(f"CREATE OR REPLACE FUNCTION round_changed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN IF TG_OP = 'DELETE' THEN {_insert(table, 'OLD', with_unit)}; "
                   f"ELSE {_insert(table, 'NEW', with_unit)}; END IF; RETURN NULL; END $$")


def _sqlite(with_unit):
    for table, (columns, condition, _named, _unnamed) in _TRIGGERS.items():
        when = condition.replace("IS DISTINCT FROM", "IS NOT") if condition else None
        kinds = [("update", f"UPDATE OF {columns}" if columns else "UPDATE", "NEW", when)]
        if table != "units":
            kinds += [("insert", "INSERT", "NEW", None), ("delete", "DELETE", "OLD", None)]
        for name, event, row, condition_sql in kinds:
            op.execute(f"DROP TRIGGER IF EXISTS round_changed_{table}_{name}")
            op.execute(f"CREATE TRIGGER round_changed_{table}_{name} AFTER {event} ON {table} FOR EACH ROW"
                       f"{f' WHEN {condition_sql}' if condition_sql else ''} "
                       f"BEGIN {_insert(table, row, with_unit)}; END")


def upgrade():
    op.add_column('round_changes', sa.Column('unit_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(True)
    else:
        _sqlite(True)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(False)
    else:
        _sqlite(False)
    # Not a batch (which would copy the table): see revision 0012.
    op.execute("ALTER TABLE round_changes DROP COLUMN unit_id")
