"""The call path: configuration (lines, IVR, queues, skills, emergency, guidance audio), the IVR
flow on FreeSWITCH's outbound socket, the ACD runner, CTI screen pops and recordings."""
