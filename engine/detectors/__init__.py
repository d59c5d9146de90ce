"""Deviation detectors, modelled on seed 000's algorithms (ИСУ): an indicator out of its
corridor for a unit, cases past their stage deadline, cases assigned but not taken into work,
cases waiting on an inter-agency answer longer than N days, a high share of an employee's
cases returned for rework, employees below the normative load.

Each detector runs over one standard in force at a time and returns a `Detection`;
`engine.corrective.record_detection` turns it into deviations and corrective assignments.
`engine.detectors.runner.run_detectors` is the on-demand entry point; `engine.loop_jobs` runs
them on their schedules from `etalon worker`.
"""
