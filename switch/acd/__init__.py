"""Automatic call distribution (F-1.3.1 to F-1.3.3): queues, skills, agent states, choice.

Pure logic on an injected clock: no I/O, no database. The switch layer feeds it call and agent
happenings and appends the events it returns to the contact log (cms) and pushes them live.
"""
