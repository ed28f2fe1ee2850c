"""gmctl: the back-office command line of the GM Services platform."""

__version__ = "0.1.0"
