"""Operator sign-in: who is at the terminal, what they may do, and how they proved it.

Kept import-light on purpose: the CLI imports pieces of it inside commands only.
"""
