from benches.run import runtime

runtime.configure()  # thread settings must precede TensorFlow's first op
