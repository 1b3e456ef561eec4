"""boligeval.panel."""
