"""The command line, ``python -m boundaryviz``: the last part of the flow, built on the public API.

- ``parser``: the arguments, their converters and help (defaults read from the library);
- ``checks``: the view flags checked against the data sets before any run starts;
- ``command``: ``main(argv)``: messages, exit statuses, signals, progress.
"""
