"""Several app processes, one ACD: leader election, forwarded desk commands, takeover."""
