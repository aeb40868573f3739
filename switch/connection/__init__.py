"""Connections to FreeSWITCH: the inbound ESL client, outbound call sessions, call control."""
