import sys

from bench.cli import bench_command

sys.exit(bench_command(sys.argv[1:]))
