"""JAX and optax have no GAN objective."""
_WHY = ('JAX and optax have no GAN objective')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"gan.value": _WHY, "gan.generator_loss": _WHY, "gan.optimal_discriminator": _WHY}
