"""Eligibility: the checklist's data, its fingerprint, and printing it to PDF."""
