"""Analyses: compare policies, payout cost, fairness, incentives, staffing, queueing theory."""
