from benches.run import runtime

runtime.configure()  # the same thread settings as the CLI, before TensorFlow's first op
