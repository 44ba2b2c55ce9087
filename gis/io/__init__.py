"""File I/O: reading sites and writing the review package.  Analysis modules never touch files."""
