"""A FreeSWITCH stand-in for tests, the demo and benchmarks (never used in production mode).

It speaks the Event Socket protocol byte for byte as FreeSWITCH does (inbound listener with
auth, outbound sockets to the application) and models channels, recordings and faxes.
"""

from switch.standin.script import Call, FreeSwitchStandIn

__all__ = ["Call", "FreeSwitchStandIn"]
