"""Presentation: the HTML reports of a comparison and of a staffing study (templates + one
stylesheet). Formats results; computes none."""
