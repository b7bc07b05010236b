"""Pure rules of the field: no I/O, no Textual."""
