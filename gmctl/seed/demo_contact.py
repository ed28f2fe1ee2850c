"""Demo messages threaded on requests, notifications, and uploaded files (some temporary and stale)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from gmctl.seed.demo_world import DemoWorld, SeededRequest
from gmctl.seed.vocabulary import CUSTOMER_MESSAGES, STAFF_MESSAGES

DOCUMENTS = {
    "paperwork": (("passport_data_page.jpg", "image/jpeg", "identity"),
                  ("cac_form.pdf", "application/pdf", "form")),
    "loans": (("bank_statement_6_months.pdf", "application/pdf", "financial"),
              ("utility_bill.pdf", "application/pdf", "proof_of_address")),
    "automotive": (("dashboard_warning.jpg", "image/jpeg", "photo"),),
    "jewelry": (("ring_design_sketch.png", "image/png", "design"),),
    "creative_services": (("brand_brief.docx", "application/vnd.openxmlformats-officedocument"
                           ".wordprocessingml.document", "brief"),),
    "web_development": (("sitemap.pdf", "application/pdf", "brief"),),
}  # fmt: skip
TEMPORARY = (("IMG_20240611_0932.jpg", "image/jpeg"), ("scan0001.pdf", "application/pdf"),
             ("WhatsApp Image 2024-06-02.jpeg", "image/jpeg"), ("receipt.png", "image/png"))  # fmt: skip


def seed_messages(world: DemoWorld) -> None:
    """Conversations between customers and staff on about half the requests, and system notices."""
    from gmctl.db.models import Message

    talked = [r for r in world.requests if r.status != "pending" and world.rng.random() < 0.55]
    threads = [_thread(world, request) for request in talked]
    root_ids = world.insert(Message, [thread[0] for thread in threads])
    replies = [{**reply, "thread_id": root_id}
               for root_id, thread in zip(root_ids, threads) for reply in thread[1:]]
    world.insert(Message, replies)
    notices = [_notice(world, r) for r in world.requests
               if r.reached("confirmed") and world.rng.random() < 0.4]
    world.insert(Message, notices)


def _thread(world: DemoWorld, request: SeededRequest) -> list[dict[str, Any]]:
    rng = world.rng
    customer, staff = request.customer.id, request.assigned_to or world.staff()
    moment = request.created_at + timedelta(minutes=rng.randrange(10, 360))
    rows = []
    for turn in range(rng.randrange(2, 5)):
        moment = min(moment, world.now - timedelta(minutes=5))
        from_customer = turn % 2 == 0
        text = rng.choice(CUSTOMER_MESSAGES if from_customer else STAFF_MESSAGES)
        rows.append({
            "sender_id": customer if from_customer else staff,
            "recipient_id": staff if from_customer else customer,
            "service_request_id": request.id, "subject": f"Re: {request.title}" if turn else request.title,
            "content": text, "message_type": "user", "is_read": True, "read_at": None, "attachments": [],
            "thread_id": None, "created_at": moment,
        })
        moment += timedelta(minutes=rng.randrange(15, 20 * 60))
    for row, following in zip(rows, rows[1:]):
        row["read_at"] = following["created_at"]
    rows[-1]["is_read"] = rng.random() < 0.3  # the last word is often still unread
    last = rows[-1]
    last["read_at"] = min(world.now, last["created_at"] + timedelta(hours=1)) if last["is_read"] else None
    return rows


def _notice(world: DemoWorld, request: SeededRequest) -> dict[str, Any]:
    confirmed = request.reached("confirmed") or request.created_at
    return {
        "sender_id": None, "recipient_id": request.customer.id, "service_request_id": request.id,
        "subject": f"Request #{request.id} confirmed",
        "content": f"Your request \"{request.title}\" has been confirmed. "
                   "We will contact you with the schedule.",
        "message_type": "system", "is_read": request.status != "confirmed", "read_at": None,
        "attachments": [], "thread_id": None, "created_at": confirmed + timedelta(seconds=30),
    }


def seed_notifications(world: DemoWorld, payments: list[tuple[int, dict[str, Any]]]) -> None:
    from gmctl.db.models import Notification

    rng, rows = world.rng, []
    for customer in world.customers:
        rows.append(_note(world, customer.id, "welcome", "Welcome to GM Services",
                          f"Hello {customer.first_name}, your account is ready.", customer.since, read=True))
    for request in world.requests:
        if request.status != "pending" and rng.random() < 0.6:
            label = request.status.replace("_", " ")
            rows.append(_note(world, request.customer.id, "service_update", f"Your request is {label}",
                              request.title, request.last_change, read=rng.random() < 0.5,
                              data={"request_id": request.id, "status": request.status}))
        if request.status == "confirmed":
            rows.append(_note(world, request.customer.id, "reminder", "Upcoming appointment", request.title,
                              request.last_change + timedelta(hours=1), read=False,
                              data={"request_id": request.id}))
    for payment_id, payment in payments:
        if payment["status"] == "completed":
            rows.append(_note(world, payment["user_id"], "payment_confirmation", "Payment received",
                              f"We received ₦{payment['amount']:,}. Thank you.", payment["completed_at"],
                              read=rng.random() < 0.7, data={"payment_id": payment_id}))
    for index, customer in enumerate(world.customers[:8]):  # promotions; the first five have expired
        sent = world.ago(timedelta(days=1), timedelta(days=50))
        expired = index < 5
        ends = world.now - timedelta(days=index + 1) if expired else world.now + timedelta(days=20)
        rows.append(_note(world, customer.id, "promotional", "10% off car servicing this month",
                          "Book a full service before month end and save 10%.", sent, read=False,
                          expires=ends))
    rows.append(_note(world, world.customers[0].id, "security", "New sign-in from a new device",
                      "If this was not you, reset your password.",
                      world.ago(timedelta(hours=3), timedelta(days=2)), read=False))
    world.insert(Notification, rows)


def _note(world: DemoWorld, user_id: int, kind: str, title: str, message: str, moment: datetime, *,
          read: bool, data: dict[str, Any] | None = None, expires: datetime | None = None) -> dict[str, Any]:
    request_id = (data or {}).get("request_id")
    moment = min(moment, world.now - timedelta(minutes=1))
    return {
        "user_id": user_id, "type": kind, "title": title, "message": message,
        "action_url": f"/requests/{request_id}" if request_id else None, "action_data": data or {},
        "is_read": read, "read_at": min(world.now, moment + timedelta(hours=2)) if read else None,
        "delivery_methods": world.rng.choice((["email", "in_app"], ["sms", "push"], ["in_app"])),
        "delivered_at": moment + timedelta(seconds=5), "created_at": moment, "expires_at": expires,
    }


def seed_files(world: DemoWorld) -> None:
    """Documents attached to requests, and temporary uploads: some past the seven-day limit."""
    from gmctl.db.models import FileUpload

    rng, rows = world.rng, []
    for request in world.requests:
        for name, mime, category in DOCUMENTS.get(request.service_type, ()):
            if rng.random() < 0.7:
                moment = request.created_at + timedelta(minutes=rng.randrange(1, 90))
                rows.append(_file(world, request.customer.id, request.id, name, mime, category, moment,
                                  temporary=False))
    for index in range(9):  # six stale temporary uploads for retention to remove, three recent ones
        name, mime = TEMPORARY[index % len(TEMPORARY)]
        stale = index < 6
        moment = world.ago(timedelta(days=8), timedelta(days=40)) if stale else world.ago(timedelta(hours=1),
                                                                                            timedelta(days=3))
        owner = rng.choice(world.customers).id
        rows.append(_file(world, owner, None, name, mime, "upload", moment, temporary=True))
    rows[len(rows) // 2]["virus_scan_status"] = "infected"
    rows[len(rows) // 2]["virus_scan_result"] = "Win.Test.EICAR_HDB-1 FOUND"
    world.insert(FileUpload, rows)


def _file(world: DemoWorld, user_id: int, request_id: int | None, name: str, mime: str, category: str,
          moment: datetime, *, temporary: bool) -> dict[str, Any]:
    stored = f"{world.token(24).lower()}.{name.rsplit('.', 1)[-1]}"
    fresh = world.now - moment < timedelta(minutes=10)
    return {
        "user_id": user_id, "service_request_id": request_id, "original_filename": name,
        "stored_filename": stored, "file_path": f"uploads/{moment:%Y/%m}/{stored}",
        "file_size": world.rng.randrange(40_000, 6_000_000), "mime_type": mime,
        "file_hash": hashlib.sha256(stored.encode()).hexdigest(), "description": None,
        "file_category": category,
        "is_public": False, "is_temporary": temporary, "virus_scan_status": "pending" if fresh else "clean",
        "virus_scan_result": None, "created_at": moment,
        "expires_at": moment + timedelta(days=7) if temporary else None,
    }
