"""The exit codes of every ``khanij`` command (DESIGN.md's CLI contract), defined once.

0 success; 2 a usage error (including the app started where it cannot show a window); 3 an input
is unreadable or invalid; 4 an output cannot be written; 130 cancelled (Ctrl-C), and 128 + N for
a run stopped by signal N.
"""
EXIT_OK, EXIT_USAGE, EXIT_INPUT, EXIT_OUTPUT, EXIT_CANCELLED = 0, 2, 3, 4, 130
