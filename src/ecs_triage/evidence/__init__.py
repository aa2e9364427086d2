"""Evidence: the typed, frozen view of a snapshot that checks read. Imports nothing of the project."""
