"""Recording (spec F-2.2): encrypted media files, retention, QA evaluations, transcripts."""
