"""CRM (spec F-2.1): interaction history, personal-data guard, FAQ, talk scripts, departments."""
