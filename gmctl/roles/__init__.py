"""Roles, permissions and role grants (issue 4).

- catalogue: the roles and permissions themselves (list, show, matrix, create, update, delete, permit,
  forbid);
- grants: who holds which role until when (grant, revoke, sweep);
- authority: the rules about who may change what (super_admin only for admin roles, no escalation);
- people: finding the user a grant is about; expiry: parsing and describing --expires;
- interactive: the questionary flow behind `gmctl roles grant` on a terminal.

Domain code only: takes a Session, returns dataclasses, raises gmctl errors. No Typer, no printing.
"""
