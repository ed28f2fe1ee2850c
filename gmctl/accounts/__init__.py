"""The users domain: accounts of the platform, as staff manage them from gmctl.

Rules and queries only; no Typer, no printing. Every function takes the caller's Session and
returns dataclasses, and every change writes its one audit entry through gmctl.audit.
"""
