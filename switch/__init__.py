"""PBX, IVR, ACD and CTI (spec F-1.1 to F-1.4): FreeSWITCH over the Event Socket."""
