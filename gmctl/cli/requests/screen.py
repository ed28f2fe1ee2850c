"""How a request and the queue's numbers look to a person at a terminal (and flat for scripts).

Everything shown is data, so it goes into rich as Text objects, never as markup: a title such as
"[bold]" or "[/]" prints as typed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping

from gmctl import output
from gmctl.context import Env

BLOCKS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 24


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested parts as dotted fields (customer.username); lists stay lists (shown as tables)."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and key != "service_data":
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _when(value: Any, env: Env, *, relative: bool = True) -> str:
    """Lagos time, and how long ago when that is recent (older ones: the date already says it)."""
    if isinstance(value, datetime):
        return output.lagos_time(value, env.clock(), relative=relative)
    return output.human_cell(value, env.clock())


def print_request(env: Env, doc: Mapping[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    console = output.console(env)
    req, customer, assignment = doc["request"], doc["customer"], doc["assignment"]
    head = Text(f"#{req['id']}  ", style="bold")
    head.append(output.human_cell(req["title"] or "", env.clock()), style="bold")
    head.append(f"  [{req['status']}]", style="cyan")
    if "archived" in doc:
        head.append(f"  archived {_when(doc['archived']['archived_at'], env)}", style="yellow")
    console.print(head)
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column(overflow="fold")
    assignee = assignment["assignee"]
    for label, value in (
        ("type", f"{req['service_type']} · priority {req['priority']} · urgency {req['urgency']}"),
        (
            "customer",
            " · ".join(
                str(v)
                for v in (
                    customer.get("username"),
                    customer.get("name"),
                    customer.get("email"),
                    customer.get("phone"),
                    customer.get("city"),
                )
                if v
            ),
        ),
        (
            "assigned",
            f"{assignee['username']} since {_when(assignment['assigned_at'], env)}" if assignee else "nobody",
        ),
        ("created", _when(req["created_at"], env)),
        ("updated", _when(req["updated_at"], env)),
        ("preferred", " ".join(str(v) for v in (req["preferred_date"], req["preferred_time"]) if v) or "-"),
        ("scheduled", _when(req["scheduled_date"], env)),
        ("completed", _when(req["completed_at"], env)),
        (
            "cost",
            f"estimate {_money(req['estimated_cost'], req['currency'])} · "
            f"final {_money(req['final_cost'], req['currency'])}",
        ),
        ("location", " · ".join(str(v) for v in (req["location_type"], req["location_address"]) if v) or "-"),
    ):
        facts.add_row(label, Text(output.human_cell(value, env.clock())))
    console.print(facts)
    for label in ("description", "customer_notes", "internal_notes"):
        if req.get(label):
            console.print(Text(f"\n{label.replace('_', ' ')}:", style="bold"))
            console.print(Text(output.terminal_text(req[label])))
    _section(env, "timeline", doc["history"], ["at", "from", "to", "by", "reason"])
    payments = [{**p, "amount": _money(p.get("amount"), p.get("currency"))} for p in doc["payments"]]
    _section(env, "payments", payments, ["id", "amount", "method", "status", "reference", "created_at"])
    _conversation(env, doc["messages"])
    _section(env, "files", doc["files"], ["id", "name", "mime_type", "size", "scan", "created_at"])
    _service_record(env, doc["service_record"])
    if doc["service_data"]:
        import json

        from rich.json import JSON

        console.print(Text("\nservice data:", style="bold"))
        console.print(JSON(json.dumps(output.to_plain(doc["service_data"]), ensure_ascii=False)))


def _money(amount: Any, currency: str | None) -> str:
    return "-" if amount is None else f"{currency or 'NGN'} {amount:,}"


def _section(env: Env, title: str, rows: list[Mapping[str, Any]], columns: list[str]) -> None:
    """A titled table inside a show screen: ids, statuses and times never broken; prose columns
    (gmctl.output_table.is_flexible) wrap by words within the terminal's width."""
    from rich.table import Table
    from rich.text import Text

    from gmctl.output_table import is_flexible

    console = output.console(env)
    console.print(Text(f"\n{title}:", style="bold"), Text("none" if not rows else "", style="dim"))
    if not rows:
        return
    table = Table(box=None, pad_edge=False, header_style="dim")
    for column in columns:
        bends = is_flexible(column, (r.get(column) for r in rows))
        table.add_column(column.replace("_", " "), no_wrap=not bends, overflow="fold" if bends else "ellipsis",
                         min_width=len(column) if bends else None)
    for row in rows:
        table.add_row(*[Text(_when(row.get(c), env, relative=False)) for c in columns])
    console.print(table)


def _conversation(env: Env, messages: list[Mapping[str, Any]]) -> None:
    """The messages as a conversation: who wrote to whom and when (Lagos), then the text, wrapped
    and indented, one message after another."""
    from rich.padding import Padding
    from rich.text import Text

    console = output.console(env)
    console.print(Text("\nmessages:", style="bold"), Text("none" if not messages else "", style="dim"))
    for message in messages:
        head = Text("  ")
        head.append(output.human_cell(message.get("from") or "(deleted user)", env.clock()), style="bold")
        if message.get("to"):
            head.append(" → " + output.human_cell(message["to"], env.clock()))
        head.append("  " + _when(message.get("at"), env), style="dim")
        if message.get("type"):
            head.append(f"  {output.human_cell(message['type'], env.clock())}", style="dim")
        console.print(head)
        if message.get("subject"):
            console.print(Padding(Text(output.human_cell(message["subject"], env.clock()), style="italic"),
                                  (0, 0, 0, 4)))
        console.print(Padding(Text(output.terminal_text(message.get("content") or "")), (0, 0, 1, 4)))


def _service_record(env: Env, record: Mapping[str, Any] | None) -> None:
    if not record:
        return
    if record["kind"] == "vehicle":
        for vehicle in record["vehicles"]:
            _section(
                env,
                f"vehicle {vehicle['year']} {vehicle['make']} {vehicle['model']} "
                f"({vehicle.get('license_plate') or vehicle.get('vin') or vehicle['id']}): service history",
                vehicle["service_history"],
                [
                    "service_date",
                    "service_type",
                    "cost",
                    "mileage_at_service",
                    "service_request_id",
                    "description",
                ],
            )
        if not record["vehicles"]:
            _section(env, "vehicle", [], [])
    elif record["kind"] == "hotel_booking":
        _section(
            env,
            "hotel booking",
            record["hotel_bookings"],
            [
                "property_name",
                "room_type",
                "check_in_date",
                "check_out_date",
                "number_of_nights",
                "total_amount",
                "booking_status",
                "confirmation_number",
            ],
        )
    elif record["kind"] == "loan_application":
        _section(
            env,
            "loan application",
            record["loan_applications"],
            [
                "loan_type",
                "loan_amount",
                "requested_term_months",
                "application_status",
                "approved_amount",
                "approved_rate",
                "risk_score",
                "decision_date",
            ],
        )


# -- stats ----------------------------------------------------------------------------------
def print_stats(env: Env, report: Any) -> None:
    if env.output_format == "json":
        output.emit_json(env, report)
        return
    person = env.stdout_is_tty and env.output_format == "table"
    _stats_table(env, "requests by type and status", report.by_status_type, person)
    _stats_table(env, "open requests by age", report.open_by_age, person)
    breaches = [b for b in report.sla_breaches if b.count]
    for breach in breaches:
        examples = ", ".join(f"#{i}" for i in breach.oldest)
        output.warn(
            env,
            f"SLA: {breach.count:,} request(s) {breach.status} for more than {breach.limit}"
            f" (oldest: {examples})",
        )
    _stats_table(
        env,
        "SLA",
        [{"status": b.status, "limit": b.limit, "breaches": b.count} for b in report.sla_breaches],
        person,
    )
    _stats_table(env, "open workload per staff member", report.workload, person)
    if person:
        print_daily_chart(env, report.daily)
    else:
        _stats_table(env, "created and completed per day", report.daily, person)


def _stats_table(env: Env, title: str, rows: list[Any], person: bool) -> None:
    if person:
        output.console(env).print()
        output.render_rows(env, rows, title=title, empty=f"{title}: none")
    else:
        env.stdout.write(f"# {title}\n")
        output.render_rows(env, rows, empty=f"{title}: none")


def print_daily_chart(env: Env, daily: list[Mapping[str, Any]]) -> None:
    """One line per day: a bar of requests created and one of requests completed, to scale."""
    from rich.text import Text

    console = output.console(env)
    peak = max([1, *(max(d["created"], d["completed"]) for d in daily)])
    console.print(
        Text("\ncreated ", style="bold"),
        Text("█", style="cyan"),
        Text(" and completed ", style="bold"),
        Text("█", style="green"),
        Text(" per day", style="bold"),
    )
    for day in daily:
        line = Text(f"{_day(day['day'])}  ")
        line.append(bar(day["created"], peak).ljust(BAR_WIDTH), style="cyan")
        line.append(f" {day['created']:>6,}  ")
        line.append(bar(day["completed"], peak).ljust(BAR_WIDTH), style="green")
        line.append(f" {day['completed']:>6,}")
        console.print(line)


def bar(value: int, peak: int, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of value/peak of `width` cells, in eighths of a cell."""
    eighths = round(value / peak * width * 8) if peak else 0
    if value and not eighths:
        eighths = 1  # a day with any requests never draws as empty
    return "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


def _day(value: Any) -> str:
    return value.strftime("%a %m-%d") if isinstance(value, date) else str(value)
