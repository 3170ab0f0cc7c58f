import sys

if sys.argv[1:2] == ["province"]:
    from bench.province import main

    sys.exit(main(sys.argv[2:]))

from bench.cli import bench_command

sys.exit(bench_command(sys.argv[1:]))
