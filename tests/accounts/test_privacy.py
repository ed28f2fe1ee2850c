"""users export (subject access) and users erase (right to erasure, without DELETE)."""

from __future__ import annotations

import json
import stat

from sqlalchemy import func, select

from gmctl.db.models import (
    HotelBooking,
    Message,
    Payment,
    PaymentMethod,
    ServiceRequest,
    SystemLog,
    User,
    UserProfile,
    Vehicle,
)
from tests.helpers.accounts import make_user, sign_in

PERSONAL = (
    "kemi",
    "Kemi",
    "Adeyemi",
    "+2348031234567",
    "8031234567",
    "Awolowo",
    "no pork",
    "1HGCM82633A004352",
    "LND-123-AB",
    "1990-05-17",
)


def test_export_holds_everything_but_credentials(cli, session, admin, customer):
    result = cli("users", "export", "kemi")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["account"]["email"] == "Kemi.Adeyemi@example.ng"
    assert document["profile"][0]["street_address"] == "12 Awolowo Road"
    assert document["payments"][0]["amount"] == "45000.00"
    assert document["hotel_bookings"][0]["dietary_requirements"] == "no pork"
    assert document["messages"][0]["content"].startswith("Please note")
    assert document["vehicles"][0]["vin"] == "1HGCM82633A004352"
    assert set(document["archived"]) >= {"service_requests", "messages"}
    assert "password_hash" not in document["account"] and customer.password_hash not in result.stdout
    assert document["account"]["has_password"] is True
    exported = session.scalars(select(SystemLog).where(SystemLog.action == "users.export")).one()
    assert exported.target_id == str(customer.id) and exported.actor_id == admin.id


def test_export_to_a_private_file(cli, tmp_path, admin, customer):
    target = tmp_path / "kemi.json"
    result = cli("users", "export", "kemi", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["subject"]["user_id"] == customer.id


def test_erase_needs_erase_users(cli, admin, customer):
    result = cli("--yes", "users", "erase", "kemi")
    assert result.exit_code == 4 and "erase_users" in result.stderr


def test_erase_needs_confirmation_off_a_terminal(cli, env, session, customer):
    sign_in(env, session, make_user(session, "dpo", staff=True, roles=("super_admin",)))
    result = cli("users", "erase", "kemi")
    assert result.exit_code == 2 and "--yes" in result.stderr


def test_erase_pseudonymises_and_keeps_the_financial_records(cli, env, session, customer):
    dpo = make_user(session, "dpo", staff=True, roles=("super_admin",))
    sign_in(env, session, dpo)
    earlier = cli("users", "update", "kemi", "--phone", "+2348031234567", "--first-name", "Kemi-Ann")
    assert earlier.exit_code == 0, earlier.stderr
    uid = customer.id
    result = cli("--yes", "--format", "json", "users", "erase", "kemi")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["payments_kept"] == 1 and report["removed_payment_methods"] == 1
    session.expire_all()
    user = session.get(User, uid)
    assert user.username == f"erased-{uid}" and user.email == f"erased-{uid}@erased.invalid"
    assert user.first_name is user.last_name is user.phone is user.date_of_birth is None
    assert user.is_active is False and user.erased_at is not None and user.password_hash.startswith("!")
    assert session.scalar(select(func.count()).select_from(Payment).where(Payment.user_id == uid)) == 1
    assert (
        session.scalar(select(func.count()).select_from(ServiceRequest).where(ServiceRequest.user_id == uid))
        == 1
    )
    assert (
        session.scalar(select(func.count()).select_from(UserProfile).where(UserProfile.user_id == uid)) == 0
    )
    assert (
        session.scalar(select(func.count()).select_from(PaymentMethod).where(PaymentMethod.user_id == uid))
        == 0
    )
    booking = session.scalars(select(HotelBooking).where(HotelBooking.user_id == uid)).one()
    assert booking.dietary_requirements is None and booking.total_amount == 90000
    assert session.scalars(select(Vehicle).where(Vehicle.user_id == uid)).one().vin is None
    assert session.scalars(select(Message).where(Message.sender_id == uid)).one().content == "[erased]"
    erased_entries = session.scalars(select(SystemLog).where(SystemLog.action == "users.erase")).all()
    assert len(erased_entries) == 1
    trail = json.dumps(
        [
            {"message": e.message, "changes": e.changes}
            for e in session.scalars(
                select(SystemLog).where(SystemLog.target_type == "user", SystemLog.target_id == str(uid))
            )
        ]
    )
    for word in PERSONAL:
        assert word not in trail, word
    export = cli("users", "export", str(uid))
    for word in PERSONAL:
        assert word not in export.stdout, word


def test_an_erased_account_cannot_sign_in_or_be_erased_again(cli, env, session, customer):
    sign_in(env, session, make_user(session, "dpo", staff=True, roles=("super_admin",)))
    assert cli("--yes", "users", "erase", "kemi").exit_code == 0
    again = cli("--yes", "users", "erase", str(customer.id))
    assert again.exit_code == 2 and "already erased" in again.stderr
    assert cli("users", "activate", str(customer.id)).exit_code == 2


def test_a_staff_members_export_withholds_other_peoples_values(cli, env, session, admin, customer):
    assert cli("users", "update", "kemi", "--phone", "+2348011112222").exit_code == 0
    document = json.loads(cli("users", "export", "adaeze").stdout)
    (by_them,) = [e for e in document["audit_log"] if e["action"] == "users.update"]
    assert by_them["target_id"] == str(customer.id)
    assert by_them["changes"] == {"phone": "(withheld: another person's data)"}
    own = json.loads(cli("users", "export", "kemi").stdout)
    (about_her,) = [e for e in own["audit_log"] if e["action"] == "users.update"]
    assert about_her["changes"]["phone"]["new"] == "+2348011112222"
