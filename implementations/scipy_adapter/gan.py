"""SciPy has none of the GAN formulas (tests/test_gan.py uses scipy.spatial.distance.jensenshannon
to cross-check the JSD identity)."""
NOT_APPLICABLE = {
    "gan.value": "SciPy has no GAN objective",
    "gan.generator_loss": "SciPy has no GAN generator loss",
    "gan.optimal_discriminator": "SciPy has no optimal discriminator (p_data/(p_data + p_g) is "
                                 "plain arithmetic: the numpy reference)",
}
