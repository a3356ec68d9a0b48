from benches.run import runtime

runtime.configure()  # thread settings must precede TensorFlow's first op


import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def toy_images(tmp_path, monkeypatch):
    """An image dataset on a toy evaluator family (8x8 grey, 10 classes), no real data
    needed; its evaluator trains in a second under a temporary cache folder."""
    from benches.datasets import evaluators, image_sources, images

    monkeypatch.setenv(image_sources.CACHE_DIR_ENV, str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    split = image_sources.Split(rng.integers(0, 256, (64, 8, 8, 1)).astype(np.uint8),
                                np.arange(64) % 2, "toy")
    monkeypatch.setitem(evaluators.RECIPES, "toy", evaluators.Recipe(
        blocks=((4,),), feature_dim=8, epochs=1, batch_size=32, learning_rate=1e-2,
        weight_decay=0.0, crop_padding=0, flips=False))
    monkeypatch.setitem(evaluators.MIN_ACCURACY, "toy", 0.0)
    monkeypatch.setitem(evaluators.LOADERS, "toy", lambda name: split)
    images._inception_graph.cache_clear()
    yield images.ImageDataset("toy", "toy", (8, 8, 1), 10, "toy", (("fd", "min"),))
    images._inception_graph.cache_clear()
