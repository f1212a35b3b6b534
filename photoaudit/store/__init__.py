"""What photoaudit keeps between runs: the SQLite store, erasure, leavers, published copies,
the lock, the quarantine, the run log, dated reports and where outputs may be written.
Never imports the face engine.
"""
