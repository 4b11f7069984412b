"""Rules with no I/O and no interface: errors, time, dates, money, words, config, paths."""
