import sys

from queue_server.simulation.cli import simulate_command

sys.exit(simulate_command(sys.argv[1:]))
