"""boligeval.synth."""
