"""KPIs and service levels computed from the contact event log (S-P1..S-P6, S-M1..S-M5, R-ITEMS).

``report.build_report`` reads the log once, folds it into one small record per contact
(``contacts``), groups the records (``grouping``) and applies each measure (``measures``).
docs/kpi.md gives every formula, its edge cases and the events it reads.
"""
