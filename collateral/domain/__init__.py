"""Collateral rules (DOMAIN.md §14, §15; seed 004 ch. 2 §3, seed 003 §6). Pure Python.

``eligibility``: what may be pledged; ``valuation``: appraisal age, pledge value, coverage;
``monitoring``: inspections and value drops; ``insurance``: payout excess and expiring policies.
"""
