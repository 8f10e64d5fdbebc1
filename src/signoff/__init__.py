"""signoff: decide whether a candidate implementation may replace a trusted reference."""
