"""A settable stand-in for time.monotonic, for the unit tests of time-based rules."""


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now
