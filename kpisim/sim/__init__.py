"""The SimPy contact-centre model: arrivals, routing, agents, outcomes. Records only, no KPIs."""
