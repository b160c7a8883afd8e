"""A plan as a flat list of nodes, each naming its parent: the shape of sheets.

One row per node — ``code``, ``parent`` (empty at the top), ``name``,
``weight``, ``formula``, ``unit``, baselines and targets by year — is how a
spreadsheet holds a tree of any depth, and how the ``[[node]]`` tables of a
plan file do.  A node some other node names as its parent is a group; every
other node is an indicator (an input when it has no formula, or its own code as
formula).  :func:`tree_from_rows` builds the tree and :func:`rows_from_plan`
flattens any plan, the Integra shape included.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..direction import Direction
from ..errors import PlanError, msg
from .model import Area, Group, Indicator, OperationalObjective, Plan, StrategicObjective

__all__ = ["NodeRow", "indicator_row", "integra_areas", "rows_from_plan", "tree_from_rows"]


@dataclass(frozen=True, slots=True)
class NodeRow:
    """One node of a flat plan, as a sheet row or a ``[[node]]`` table holds it."""

    code: str
    parent: str
    name: str
    weight: Decimal
    formula: str | None = None
    unit: str | None = None
    description: str = ""
    id: str = ""
    kind: str = "group"
    baselines: dict[int, str] = field(default_factory=dict)
    targets: dict[int, str] = field(default_factory=dict)
    line: int | None = None
    direction: Direction | None = None


_INDICATOR_KINDS = ("group", "indicatore", "indicator")
_SECTIONS = (("indicatori", "Indicatori"), ("obiettivi operativi", "Obiettivi operativi"))
"""The two groups of an Integra objective: its own indicators, its operational objectives."""
"""What an indicator's kind may say: nothing (``group``, the default) or that it is one."""


def _fail(row: NodeRow, message: str, hint: str, source: str) -> PlanError:
    return PlanError(message, hint=hint, line=row.line, source=source)


def _check_group(row: NodeRow, source: str) -> None:
    """A group holds a code, a parent, a name, a weight, a description and a kind:
    anything else on its row would be lost, so it is an error."""
    held = (
        (msg("formula"), row.formula),
        (msg("baselines"), row.baselines),
        (msg("targets"), row.targets),
        (msg("unit"), row.unit),
        (msg("id"), row.id),
        (msg("direction"), row.direction),
    )
    for what, value in held:
        if value:
            raise _fail(
                row,
                msg(
                    "{code!r} has children, so it is a group, and a group has no {what}",
                    code=row.code,
                    what=what,
                ),
                msg("give the indicator its own code, under the group"),
                source,
            )


def tree_from_rows(rows: Sequence[NodeRow], *, source: str = "<plan>") -> tuple[Group, ...]:
    """The top-level groups of the tree the rows describe, in the rows' order."""
    parents = {row.parent for row in rows if row.parent}
    groups: dict[str, NodeRow] = {}
    for row in rows:
        if row.code in parents or row.kind == "section":  # an Integra group may be empty
            if row.code in groups:
                raise _fail(
                    row,
                    msg("two rows define the group {code!r}", code=row.code),
                    msg("give each group one row; an indicator may be listed under two groups"),
                    source,
                )
            _check_group(row, source)
            groups[row.code] = row
        elif row.kind.casefold() not in _INDICATOR_KINDS:
            raise _fail(
                row,
                msg(
                    "{code!r} is of the kind {kind!r}, but no row names it as its parent: "
                    "it would be read as an indicator",
                    code=row.code,
                    kind=row.kind,
                ),
                msg("put its rows under it, or leave its kind empty if it is an indicator"),
                source,
            )
    for row in rows:
        if row.parent and row.parent not in groups:
            raise _fail(
                row,
                msg(
                    "{code!r} names the parent {parent!r}, which no row defines",
                    code=row.code,
                    parent=row.parent,
                ),
                msg("add a row for the parent, or correct the code"),
                source,
            )
    children: dict[str, list[NodeRow]] = {}
    for row in rows:
        children.setdefault(row.parent, []).append(row)

    def build(row: NodeRow, path: tuple[str, ...]) -> Group | Indicator:
        if row.code not in groups:
            return Indicator(
                code=row.code,
                name=row.name,
                weight=row.weight,
                formula=row.formula,
                description=row.description,
                unit=row.unit,
                baselines=dict(row.baselines),
                targets=dict(row.targets),
                id=row.id,
                line=row.line,
                direction=row.direction,
            )
        if row.code in path:
            raise _fail(
                row,
                msg("the groups contain each other: {cycle}", cycle=" -> ".join((*path, row.code))),
                msg("each group needs one parent above it"),
                source,
            )
        return Group(
            row.code,
            row.name,
            row.weight,
            tuple(build(child, (*path, row.code)) for child in children.get(row.code, ())),
            row.kind,
            row.line,
            row.description,
        )

    top: list[Group] = []
    for row in children.get("", []):
        node = build(row, ())
        if isinstance(node, Indicator):
            raise _fail(
                row,
                msg("the indicator {code!r} has no parent", code=row.code),
                msg("put it under a group: the top of a plan holds groups"),
                source,
            )
        top.append(node)
    if not top and rows:
        raise PlanError(
            msg("no row is at the top of the tree (every row names a parent)"),
            hint=msg("leave the parent empty for the top groups"),
            source=source,
        )
    return tuple(top)


def indicator_row(indicator: Indicator, parent: str = "") -> NodeRow:
    """The row of an indicator listed under ``parent``."""
    return NodeRow(
        code=indicator.code,
        parent=parent,
        name=indicator.name,
        weight=indicator.weight,
        formula=indicator.formula,
        unit=indicator.unit,
        description=indicator.description,
        id="" if indicator.id == indicator.code else indicator.id,
        baselines=dict(indicator.baselines),
        targets=dict(indicator.targets),
        direction=indicator.direction,
    )


def _section(
    code: str, which: int, weight: Decimal, children: tuple[Group | Indicator, ...]
) -> Group:
    suffix, name = _SECTIONS[which]
    return Group(f"{code} {suffix}", name, weight, children, "section")


def _integra_groups(plan: Plan) -> tuple[Group, ...]:
    """The Integra shape as groups, as :meth:`Plan.tree` lays it out, but with an
    objective's empty group kept: its weight is the plan's too."""
    return tuple(
        Group(
            area.code,
            area.name,
            area.weight,
            tuple(
                Group(
                    objective.code,
                    objective.name,
                    objective.weight,
                    (
                        _section(
                            objective.code, 0, objective.indicators_weight, objective.indicators
                        ),
                        _section(
                            objective.code,
                            1,
                            objective.operational_weight,
                            tuple(
                                Group(
                                    op.code,
                                    op.name,
                                    op.weight,
                                    op.indicators,
                                    "operational",
                                    op.line,
                                )
                                for op in objective.operational
                            ),
                        ),
                    ),
                    "objective",
                    objective.line,
                )
                for objective in area.objectives
            ),
            "area",
            area.line,
        )
        for area in plan.areas
    )


def rows_from_plan(plan: Plan) -> list[NodeRow]:
    """The plan as flat rows, parents before children (any shape of plan; the
    Integra shape as its areas, objectives and their two groups)."""

    def visit(node: Group | Indicator, parent: str) -> Iterator[NodeRow]:
        if isinstance(node, Indicator):
            yield indicator_row(node, parent)
            return
        yield NodeRow(
            node.code, parent, node.name, node.weight, description=node.description, kind=node.kind
        )
        for child in node.children:
            yield from visit(child, node.code)

    groups = plan.groups or _integra_groups(plan)
    return [row for group in groups for row in visit(group, "")]


def integra_areas(groups: Sequence[Group]) -> tuple[Area, ...] | None:
    """The areas of a tree laid out as :func:`rows_from_plan` writes the Integra
    shape (areas, objectives, their groups *Indicatori* and *Obiettivi operativi*,
    operational objectives); None for any other tree."""
    areas = []
    for area in groups:
        if area.kind != "area" or area.description:
            return None
        objectives = []
        for objective in area.children:
            if not isinstance(objective, Group) or objective.kind != "objective":
                return None
            own, operational = (*objective.children, None, None)[:2]
            expected = [_section(objective.code, n, Decimal(0), ()) for n in (0, 1)]
            if objective.description or len(objective.children) != 2:
                return None
            for found, wanted in zip((own, operational), expected, strict=True):
                if (
                    not isinstance(found, Group)
                    or (found.code, found.name, found.kind)
                    != (
                        wanted.code,
                        wanted.name,
                        "section",
                    )
                    or found.description
                ):
                    return None
            assert isinstance(own, Group) and isinstance(operational, Group)
            indicators = tuple(child for child in own.children if isinstance(child, Indicator))
            units = []
            for unit in operational.children:
                if not isinstance(unit, Group) or unit.kind != "operational" or unit.description:
                    return None
                listed = tuple(child for child in unit.children if isinstance(child, Indicator))
                if len(listed) != len(unit.children):
                    return None
                units.append(
                    OperationalObjective(unit.code, unit.name, unit.weight, listed, unit.line)
                )
            if len(indicators) != len(own.children):
                return None
            objectives.append(
                StrategicObjective(
                    objective.code,
                    objective.name,
                    objective.weight,
                    own.weight,
                    indicators,
                    operational.weight,
                    tuple(units),
                    objective.line,
                )
            )
        areas.append(Area(area.code, area.name, area.weight, tuple(objectives), area.line))
    return tuple(areas) if areas else None
