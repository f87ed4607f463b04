"""The "Definitions" sections of the reports: each term a manager meets, in a sentence or two
(the long form is docs/analysis.md)."""

from __future__ import annotations

COMPARISON: tuple[tuple[str, str], ...] = (
    (
        "Replication",
        "One simulated month of the same team (same agents, same hidden skills), with its own random traffic and outcomes. Every plan is scored on the same replications, so differences between plans are not noise between months.",
    ),
    (
        "95 % interval",
        "The range that holds the true average with 95 % confidence, given the replications simulated. Quantities that can only lie in a range (shares 0–100 %, correlations −1 to 1) have their intervals cut to that range. ⚠ marks an interval spanning more than half the possible range: more replications are needed before the number means anything, and the caution says about how many.",
    ),
    (
        "Baseline",
        "The plan the others are compared against (today's plan, usually). Changes are paired: the same agent in the same month under both plans.",
    ),
    (
        "Cost per month",
        "Everything the plan pays all agents in a month (base, performance pay, bonuses and pool shares, less fines), in currency units. P5–P95 is the range of single months.",
    ),
    (
        "Winners and losers",
        "Agents whose monthly pay under a plan is above (below) their pay under the baseline by more than the threshold. Score bands split the agents into fifths by their baseline score (band 1 = lowest).",
    ),
    (
        "Pay vs true skill",
        "Correlation between an agent's pay and their hidden true contribution (skill, effort, quality), which only the simulator knows. 1 = pay ranks agents exactly by contribution; 0 = unrelated. Kendall τ compares the two rankings.",
    ),
    (
        "Rank stability",
        "Kendall τ between the same agents' rankings in two different months: near 1, the same people top the leaderboard every month; near 0, the leaderboard reshuffles.",
    ),
    (
        "Luck, position and person shares",
        "Differences in monthly pay split into what stays with the person (skill, effort), what comes with their position (shift, team, queue) and what changes month to month (luck). Needs several months per agent; few replications leave it uncertain.",
    ),
    ("Gini", "Inequality of monthly pay: 0 = everyone paid the same, 1 = one agent takes everything."),
    (
        "Incentive gradient",
        "Pay change of a typical (median-score) agent for one realistic step better on a metric (a tenth of the spread between agents), all else equal: what the plan tells agents to work on.",
    ),
    (
        "Tier cliff",
        "A tier edge with many agents just below it: a small gain there pays a whole tier, which invites pushing, or gaming, that metric.",
    ),
    (
        "Neutral inputs",
        "Policy inputs the simulation cannot produce (manager ratings, levels) and that were not supplied: set to the same value for every agent, so they separate nobody.",
    ),
)

STAFFING: tuple[tuple[str, str], ...] = (
    ("Headcount", "Agents on the roster; how many are logged in at a time follows the scenario's shifts."),
    (
        "Service level",
        "Share of offered contacts answered within the threshold (abandoned contacts count as not answered in time).",
    ),
    (
        "Recommended headcount",
        "The smallest simulated headcount whose mean service level (and abandonment, if targeted) meets the target.",
    ),
    ("Average speed of answer (ASA)", "Mean wait of the answered contacts, seconds."),
    ("Occupancy", "Share of logged-in time spent handling contacts."),
    ("Labour cost", "Logged-in hours times the hourly cost."),
    (
        "Erlang A and Erlang C",
        "Queueing-theory formulas, computed interval by interval and combined by volume: Erlang A with customers who give up, Erlang C without. Erlang C has no answer in an interval with more traffic than agents (the queue would grow without end); such intervals are left out, not counted as 0.",
    ),
    (
        "95 % interval",
        "The range that holds the true average with 95 % confidence, given the replications simulated.",
    ),
)
