"""CMS (spec F-2.4): the contact event log, KPIs, reports and exports."""
