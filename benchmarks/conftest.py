import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benches.run import runtime

runtime.configure()  # the same thread settings as the CLI, before TensorFlow's first op
