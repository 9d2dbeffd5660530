"""Papers -> page text. Pure functions: strings in, strings out, no disk access."""
