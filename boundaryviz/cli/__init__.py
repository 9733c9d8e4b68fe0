"""The command line, ``python -m boundaryviz``: the last part of the flow, built on the public API.

- ``parser``: the arguments, their converters and help (defaults read from the library);
- ``command``: ``main(argv)``: messages, exit statuses, signals, progress.
"""
