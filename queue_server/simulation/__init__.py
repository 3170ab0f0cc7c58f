"""A province-day simulator: discrete events over the pure domain (ordering policy, wait
estimation, nearby-site suggestion), fast enough for thousands of days, deterministic
under a seed. `motcua simulate --help`."""
