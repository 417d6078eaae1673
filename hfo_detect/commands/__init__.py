"""One module per ``hfo-detect`` sub-command; each exposes a click command named ``command``."""
