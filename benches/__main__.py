import logging
import os
import signal
import sys

from benches.cli import main

code = main()
if code in (128 + signal.SIGINT, 128 + signal.SIGTERM):
    # Interrupted: every record is on disk. Skip interpreter teardown, where TensorFlow's
    # native state (interrupted mid-cell) can crash on destruction and turn the
    # documented exit code 130/143 into a segfault.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
sys.exit(code)
