"""HTML reports: tables and matplotlib figures in one self-contained page."""

from nanomed.report.html import Report

__all__ = ["Report"]
