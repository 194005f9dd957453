"""scikit-learn has none of the GAN formulas."""
NOT_APPLICABLE = {
    "gan.value": "scikit-learn has no GAN objective (log_loss clips p to [eps, 1 - eps] and is "
                 "the loss.binary_cross_entropy oracle's business)",
    "gan.generator_loss": "scikit-learn has no GAN generator loss",
    "gan.optimal_discriminator": "scikit-learn has no optimal discriminator",
}
