import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benches.run import runtime

runtime.configure()  # thread settings must precede TensorFlow's first op
