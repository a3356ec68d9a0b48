"""ganbench: a benchmark harness for GAN stabilization methods."""

import os

# TensorFlow's C++ start-up chatter drowns the suite's own output; users can override.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
