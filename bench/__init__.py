"""`motcua bench`: real server processes on 127.0.0.1, a load generator written for them,
and a same-run baseline (a bare FastAPI endpoint under the same uvicorn settings), so
every figure is reported next to what the framework itself does on this machine."""
